// Does a card describe this model? Its input names (image + fusion), the image input's shape and the
// output width, checked on what any model or predictor exposes (no tfjs needed).
import { cardFail } from './errors.js';
import { cardInputNames } from './model-inputs.js';
import type { ModelCard } from './refine-card.js';

/** What is checked of a model: a tfjs LayersModel gives all of it, a predictor its input names. */
export interface ModelSignature {
  inputNames: readonly string[];
  /** Input shapes in `inputNames` order, batch first (null or a name for a free dimension). */
  inputShapes?: readonly (readonly (number | string | null)[])[];
  /** Output shapes, batch first. */
  outputShapes?: readonly (readonly (number | string | null)[])[];
}

const dims = (s: readonly (number | string | null)[]) =>
  `[${s.map((d) => (typeof d === 'number' ? d : 'batch')).join(', ')}]`;

/**
 * Throws unless `card` describes `model`: the same input names (image + fusion inputs, any order), the
 * image input `[batch, size, size, channels]`, fusion inputs `[batch, 1]`, and one output of width 1
 * (binary, regression) or of the class count (multiclass).
 * @throws CxrkitError `CARD_MODEL_MISMATCH` naming the first difference.
 */
export function checkCardMatchesModel(card: ModelCard, model: ModelSignature): void {
  const want = cardInputNames(card);
  const have = [...model.inputNames];
  const missing = want.filter((n) => !have.includes(n));
  const extra = have.filter((n) => !want.includes(n));
  if (missing.length || extra.length) {
    cardFail(
      'CARD_MODEL_MISMATCH',
      `the card describes the inputs ${want.join(', ')} but the model has ${have.join(', ')}`,
      { card: want, model: have },
      extra.length
        ? `add the model's inputs ${extra.join(', ')} to the card's fusion, e.g. { input: 'age', source: 'age', … }`
        : `remove ${missing.join(', ')} from the card, or set architecture.inputName to the model's image input`,
    );
  }
  if (model.inputShapes) {
    const { inputSize: size, channels } = card.architecture;
    model.inputNames.forEach((name, i) => {
      const shape = model.inputShapes![i];
      if (!shape) return;
      const expected = name === card.architecture.inputName ? [size, size, channels] : [1];
      const ok = shape.length === expected.length + 1 && expected.every((d, k) => shape[k + 1] === d);
      if (!ok) {
        cardFail(
          'CARD_MODEL_MISMATCH',
          `the model input '${name}' is ${dims(shape)} but the card says [batch, ${expected.join(', ')}]`,
          shape,
          name === card.architecture.inputName
            ? 'set architecture.inputSize and channels to the size the model takes'
            : 'fusion inputs are one value per image',
        );
      }
    });
  }
  if (model.outputShapes) {
    const width = card.task.kind === 'multiclass' ? card.task.classes.length : 1;
    const out = model.outputShapes[0];
    if (model.outputShapes.length !== 1 || !out || out[out.length - 1] !== width) {
      cardFail(
        'CARD_MODEL_MISMATCH',
        `a ${card.task.kind} card needs one output of width ${width}; ` +
          `the model's outputs are ${model.outputShapes.map(dims).join(', ')}`,
        model.outputShapes,
        'set task to what the model predicts (binary and regression: 1 unit; multiclass: one class per unit)',
      );
    }
  }
}
