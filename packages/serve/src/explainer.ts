// What the service needs to show a Grad-CAM: something that turns the model's inputs for one image into a
// heat map. The service itself computes none (it loads no TensorFlow.js): the application passes one, e.g.
// `createGradCamExplainer(model, card)` from `@cxrkit/gradcam` on the tfjs model, or nothing.
import type { GrayImage } from '@cxrkit/core/tfjs-free';
import type { ArrayBatch } from './predictor.js';

/** Explains a screening score with a class activation map. */
export interface ScreeningExplainer {
  /** The layers whose maps are averaged (e.g. InceptionV3's mixed10 convolutions conv2d_86 … conv2d_94). */
  readonly layers: readonly string[];
  /**
   * One heat map (values ≥ 0, any size; it is resized onto the radiograph) for the positive class of the
   * model fed `inputs` (the same inputs the predictor gets: image `[1, size, size, channels]` plus fusion).
   */
  explain(inputs: Readonly<Record<string, ArrayBatch>>): Promise<GrayImage>;
}
