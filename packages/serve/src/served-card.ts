// The card a service screens with: given (a ModelCard, or a pre-card ScreeningConfig migrated with the
// predictor's input names), validated, a binary screen, and describing the predictor's model.
import { CxrkitError } from '@cxrkit/core/tfjs-free';
import { checkCardMatchesModel, parseModelCard, type ModelCard, type ModelCardInput } from '@cxrkit/models/card';
import type { ScreeningConfig } from './config.js';
import type { ScreeningPredictor } from './predictor.js';

/** Where the service takes its card from: `card` (a model card), or the deprecated pre-card `config`. */
export interface CardSource {
  /** The model card (`readModelCard(dir)`, `loadModelWithCard(dir).card`, `readOnnxInfo(bytes).card`). */
  card?: ModelCard | ModelCardInput;
  /** @deprecated pass `card`; a ScreeningConfig is migrated with the predictor's input names. */
  config?: ScreeningConfig;
}

/**
 * The validated card for `predictor`.
 * @throws CxrkitError `SCREEN_NO_CARD` (neither given, or both), `SCREEN_NOT_BINARY` (not a binary screen),
 *   the card's errors (`CARD_*`), `CARD_MODEL_MISMATCH` when the card does not describe the predictor's inputs.
 */
export function servedCard(source: CardSource, predictor: ScreeningPredictor): ModelCard {
  const given = source.card ?? source.config;
  if (given === undefined || (source.card !== undefined && source.config !== undefined)) {
    throw new CxrkitError('SCREEN_NO_CARD', 'the service needs the model card (card), and only that', {
      received: Object.keys(source).filter((k) => k === 'card' || k === 'config'),
      fix: 'pass { card: await readModelCard(modelDir) } (@cxrkit/models/card)',
      pkg: 'serve',
    });
  }
  const card = parseModelCard(given, { inputNames: predictor.inputNames });
  if (card.task.kind !== 'binary') {
    throw new CxrkitError(
      'SCREEN_NOT_BINARY',
      `the card describes a ${card.task.kind} model; the service screens with a binary one`,
      {
        received: card.task.kind,
        fix: "serve a binary screening model (task: { kind: 'binary', … })",
        pkg: 'serve',
      },
    );
  }
  checkCardMatchesModel(card, { inputNames: predictor.inputNames });
  return card;
}
