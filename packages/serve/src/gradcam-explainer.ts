// `@cxrkit/serve/gradcam`: the Grad-CAM explainer on the TensorFlow.js model — the one part of the service
// that needs tfjs (gradients). The thesis averages the maps of InceptionV3's mixed10 convolutions
// (conv2d_86 … conv2d_94); other backbones get their last feature block unless the card names layers
// (`card.info.gradcamLayers`). Import it only where tfjs is installed: `@cxrkit/serve` itself never does.
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { CxrkitError } from '@cxrkit/core/tfjs-free';
import { gradCam } from '@cxrkit/gradcam';
import type { ModelCard } from '@cxrkit/models/card';
import type { ScreeningExplainer } from './explainer.js';

/** Grad-CAM layers by backbone: the thesis's mixed10 average for InceptionV3, the last block otherwise. */
export const DEFAULT_GRADCAM_LAYERS: Readonly<Record<string, readonly string[]>> = {
  inception_v3: Array.from({ length: 9 }, (_, i) => `conv2d_${86 + i}`),
  densenet121: ['relu'],
  densenet169: ['relu'],
  densenet201: ['relu'],
  resnet50: ['conv5_block3_out'],
};

/** Options of {@link createGradCamExplainer}. */
export interface GradCamExplainerOptions {
  /** Layers to average. Default: `card.info.gradcamLayers`, else DEFAULT_GRADCAM_LAYERS[card's backbone]. */
  layers?: string[];
}

/** The layers a card's model is explained with (see {@link GradCamExplainerOptions.layers}). */
export function gradCamLayers(card: ModelCard, options: GradCamExplainerOptions = {}): string[] {
  const fromCard = card.info?.['gradcamLayers'];
  const layers =
    options.layers ??
    (Array.isArray(fromCard) && fromCard.every((l) => typeof l === 'string') ? (fromCard as string[]) : undefined) ??
    (card.architecture.backbone ? DEFAULT_GRADCAM_LAYERS[card.architecture.backbone] : undefined);
  if (!layers || layers.length === 0) {
    throw new CxrkitError(
      'SERVE_GRADCAM_LAYERS',
      `no Grad-CAM layers known for backbone ${card.architecture.backbone}`,
      {
        received: card.architecture.backbone,
        fix: "pass layers, or record them in the card: info: { gradcamLayers: ['…'] }",
        pkg: 'serve',
      },
    );
  }
  return [...layers];
}

/**
 * A {@link ScreeningExplainer} on the tfjs model the card describes: Grad-CAM of the positive class (the
 * logit), the maps of `layers` averaged, at the image input's size. Runs on the tfjs backend the application
 * initialised, in the calling thread.
 * @throws CxrkitError `SERVE_GRADCAM_LAYERS` when no layers are known; gradcam's errors for a layer the model
 *   does not have (checked here, once, with a zero image).
 */
export function createGradCamExplainer(
  model: LayersModel,
  card: ModelCard,
  options: GradCamExplainerOptions = {},
): ScreeningExplainer {
  const layers = gradCamLayers(card, options);
  const compute = (inputs: Readonly<Record<string, { data: Float32Array; shape: readonly number[] }>>) => {
    const tensors: Record<string, tf.Tensor> = {};
    try {
      for (const [name, b] of Object.entries(inputs)) tensors[name] = tf.tensor(b.data, [...b.shape]);
      return gradCam(model, tensors, { layers, target: 'positive' })[0]!;
    } finally {
      for (const t of Object.values(tensors)) t.dispose();
    }
  };
  // fail at start, not at the first request, when a layer name is wrong (one pass on a zero image)
  const { inputSize: size, channels, inputName } = card.architecture;
  const probe: Record<string, { data: Float32Array; shape: number[] }> = {
    [inputName]: { data: new Float32Array(size * size * channels), shape: [1, size, size, channels] },
  };
  for (const f of card.fusion) probe[f.input] = { data: new Float32Array(1), shape: [1, 1] };
  compute(probe);
  const explain = async (inputs: Readonly<Record<string, { data: Float32Array; shape: readonly number[] }>>) =>
    compute(inputs);
  return { layers, explain };
}
