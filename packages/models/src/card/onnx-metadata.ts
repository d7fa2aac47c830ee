// A model card inside an ONNX file: the metadata_props exportOnnx writes and readOnnxInfo (or a browser)
// reads. `cxrkit.card` holds the card; `cxrkit.preprocessing` is kept for readers of older files and
// derived from the card, so the two cannot disagree.
import { parseModelCard } from './parse-model-card.js';
import type { ModelCard } from './refine-card.js';

/** metadata_props key of the card (JSON). */
export const ONNX_CARD_KEY = 'cxrkit.card';

/** metadata_props key of the preprocessing summary older readers look for (JSON). */
export const ONNX_PREPROCESSING_KEY = 'cxrkit.preprocessing';

/** The metadata_props that carry `card` in an ONNX file. */
export function cardOnnxMetadata(card: ModelCard): Record<string, string> {
  const { inputSize: size, channels } = card.architecture;
  const { clipPercent, resize, normalize, photometric } = card.preprocessing;
  return {
    [ONNX_CARD_KEY]: JSON.stringify(card),
    [ONNX_PREPROCESSING_KEY]: JSON.stringify({ clipPercent, resize, size, normalize, channels, photometric }),
  };
}

/**
 * The card stored in an ONNX file's metadata_props (as a key → value record), or undefined when the
 * file has none (exported without a card, or by an older cxrkit).
 * @throws CxrkitError parseModelCard's errors for a card that is present but invalid.
 */
export function cardFromOnnxMetadata(metadata: Readonly<Record<string, string>>): ModelCard | undefined {
  const text = metadata[ONNX_CARD_KEY];
  return text === undefined ? undefined : parseModelCard(text, { source: `(ONNX metadata ${ONNX_CARD_KEY})` });
}
