// A model card on disk: `model-card.json` in the model folder (beside model.json / model.onnx), written
// atomically and fsync'ed; the pre-card `screening.json` still read (migrated). Node modules are imported
// lazily so that this entry stays loadable in browsers.
import { writeFileAtomic } from '@cxrkit/core/tfjs-free';
import { cardFail } from './errors.js';
import { LEGACY_SCREENING_FILE } from './legacy-screening.js';
import { modelJsonInputNames } from './model-json-inputs.js';
import { parseModelCard } from './parse-model-card.js';
import type { ModelCard, ModelCardInput } from './refine-card.js';

/** Name of the card file inside a model folder. */
export const MODEL_CARD_FILE = 'model-card.json';

/** The file form of a card: validated (id computed), two-space JSON with a final newline. */
export function serializeModelCard(card: ModelCard | ModelCardInput): { card: ModelCard; text: string } {
  const parsed = parseModelCard(card);
  return { card: parsed, text: `${JSON.stringify(parsed, null, 2)}\n` };
}

/**
 * Validates `card` and writes it to `<dir>/model-card.json` (folder created if needed) atomically: a temp
 * file, fsync, rename, fsync of the folder. Returns the card as written (defaults filled, id computed).
 */
export async function writeModelCard(dir: string, card: ModelCard | ModelCardInput): Promise<ModelCard> {
  const { mkdir } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { card: parsed, text } = serializeModelCard(card);
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, MODEL_CARD_FILE), text);
  return parsed;
}

async function readText(path: string): Promise<string | undefined> {
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return cardFail(
      'CARD_UNREADABLE',
      `cannot read ${path}: ${(e as Error).message}`,
      path,
      'check the file permissions',
      e,
    );
  }
}

/**
 * Reads the card of the model saved in `dir`: `model-card.json`, else the pre-card `screening.json`
 * (migrated; its fusion inputs taken from `inputNames` or from the folder's model.json).
 * @throws CxrkitError `CARD_MISSING` when the folder has neither file, and parseModelCard's errors.
 */
export async function readModelCard(dir: string, options: { inputNames?: readonly string[] } = {}): Promise<ModelCard> {
  const { join } = await import('node:path');
  const cardPath = join(dir, MODEL_CARD_FILE);
  const text = await readText(cardPath);
  if (text !== undefined) return parseModelCard(text, { source: cardPath });
  const legacyPath = join(dir, LEGACY_SCREENING_FILE);
  const legacy = await readText(legacyPath);
  if (legacy !== undefined) {
    const inputNames = options.inputNames ?? (await modelJsonInputNames(dir));
    return parseModelCard(legacy, { source: legacyPath, inputNames });
  }
  return cardFail(
    'CARD_MISSING',
    `no ${MODEL_CARD_FILE} (nor ${LEGACY_SCREENING_FILE}) in ${dir}`,
    dir,
    'save the model with saveModel(model, dir, { card }), or write one with writeModelCard(dir, card)',
  );
}
