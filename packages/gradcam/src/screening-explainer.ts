// The Grad-CAM explainer of a screening service (@cxrkit/serve's `explainer` option) on the TensorFlow.js model:
// plain arrays in (the model's inputs for one image, as the service's predictor gets them), one heat map out.
// It lives here, with Grad-CAM, because it needs tfjs (gradients); @cxrkit/serve itself loads no tfjs. The thesis
// averages the maps of InceptionV3's mixed10 convolutions (conv2d_86 … conv2d_94); other backbones get their
// last feature block unless the card names layers (`card.info.gradcamLayers`).
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { CxrkitError } from '@cxrkit/core';
import { gradCam } from './grad-cam.js';
import type { Heatmap } from './heatmap.js';

/**
 * What the explainer reads from a model card (@cxrkit/models/card's ModelCard has these fields): the backbone
 * and its image input, the fusion inputs, and optional `info.gradcamLayers`.
 */
export interface ExplainedModelCard {
  architecture: { backbone?: string; inputSize: number; channels: number; inputName: string };
  fusion: readonly { input: string }[];
  info?: Record<string, unknown>;
}

/** One input of the model as plain data: values and shape, e.g. `[1, size, size, channels]`. */
export interface ArrayInput {
  data: Float32Array;
  shape: readonly number[];
}

/** A Grad-CAM explainer: structurally the `ScreeningExplainer` that @cxrkit/serve takes. */
export interface GradCamExplainer {
  /** The layers whose maps are averaged. */
  readonly layers: readonly string[];
  /** One heat map (values ≥ 0, at the image input's size) for the positive class of the model fed `inputs`. */
  explain(inputs: Readonly<Record<string, ArrayInput>>): Promise<Heatmap>;
}

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
export function gradCamLayers(card: ExplainedModelCard, options: GradCamExplainerOptions = {}): string[] {
  const fromCard = card.info?.['gradcamLayers'];
  const layers =
    options.layers ??
    (Array.isArray(fromCard) && fromCard.every((l) => typeof l === 'string') ? (fromCard as string[]) : undefined) ??
    (card.architecture.backbone ? DEFAULT_GRADCAM_LAYERS[card.architecture.backbone] : undefined);
  if (!layers || layers.length === 0) {
    throw new CxrkitError('GRADCAM_NO_LAYERS', `no Grad-CAM layers known for backbone ${card.architecture.backbone}`, {
      received: card.architecture.backbone,
      fix: "pass layers, or record them in the card: info: { gradcamLayers: ['…'] }",
      pkg: 'gradcam',
    });
  }
  return [...layers];
}

/**
 * A {@link GradCamExplainer} on the tfjs model the card describes: Grad-CAM of the positive class (the
 * logit), the maps of `layers` averaged, at the image input's size. Runs on the tfjs backend the application
 * initialised, in the calling thread.
 * @throws CxrkitError `GRADCAM_NO_LAYERS` when no layers are known; gradcam's errors for a layer the model
 *   does not have (checked here, once, with a zero image).
 */
export function createGradCamExplainer(
  model: LayersModel,
  card: ExplainedModelCard,
  options: GradCamExplainerOptions = {},
): GradCamExplainer {
  const layers = gradCamLayers(card, options);
  const compute = (inputs: Readonly<Record<string, ArrayInput>>) => {
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
  const explain = async (inputs: Readonly<Record<string, ArrayInput>>) => compute(inputs);
  return { layers, explain };
}
