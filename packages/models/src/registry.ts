// The model registry (like timm's): one key per architecture, Keras's builder signature behind it.
import type * as tfl from '@tensorflow/tfjs-layers';
import { CxrkitError, didYouMean } from '@cxrkit/core';
import { inceptionV3, INCEPTION_V3_MIN_SIZE } from './builders/inception-v3.js';
import { densenet121, densenet169, densenet201, DENSENET_MIN_SIZE } from './builders/densenet.js';
import { resnet50, RESNET_MIN_SIZE } from './builders/resnet.js';
import type { ModelOptions } from './builders/options.js';
import type { BackboneKey } from './card/backbones.js';

/** What the registry knows about an architecture (apart from its builder). */
export interface ModelInfo {
  /** Registry key, e.g. 'inception_v3'. */
  name: string;
  /** Keras's default input side (pixels). */
  defaultSize: number;
  /** Keras's minimum input side (pixels). */
  minSize: number;
  /** Name of the last backbone feature layer (before pooling/top), e.g. 'mixed10'. */
  featureLayer: string;
  /** Parameters at width 1 with 3 input channels, without / with the 1000-class top (Keras's numbers). */
  params: { noTop: number; top: number };
}

interface Entry extends ModelInfo {
  build: (options?: ModelOptions) => tfl.LayersModel;
}

// keyed by the tfjs-free list the model card checks against (card/backbones.ts): the two cannot drift
const REGISTRY: Record<BackboneKey, Entry> = {
  inception_v3: {
    name: 'inception_v3',
    defaultSize: 299,
    minSize: INCEPTION_V3_MIN_SIZE,
    featureLayer: 'mixed10',
    params: { noTop: 21_802_784, top: 23_851_784 },
    build: inceptionV3,
  },
  densenet121: {
    name: 'densenet121',
    defaultSize: 224,
    minSize: DENSENET_MIN_SIZE,
    featureLayer: 'relu',
    params: { noTop: 7_037_504, top: 8_062_504 },
    build: densenet121,
  },
  densenet169: {
    name: 'densenet169',
    defaultSize: 224,
    minSize: DENSENET_MIN_SIZE,
    featureLayer: 'relu',
    params: { noTop: 12_642_880, top: 14_307_880 },
    build: densenet169,
  },
  densenet201: {
    name: 'densenet201',
    defaultSize: 224,
    minSize: DENSENET_MIN_SIZE,
    featureLayer: 'relu',
    params: { noTop: 18_321_984, top: 20_242_984 },
    build: densenet201,
  },
  resnet50: {
    name: 'resnet50',
    defaultSize: 224,
    minSize: RESNET_MIN_SIZE,
    featureLayer: 'conv5_block3_out',
    params: { noTop: 23_587_712, top: 25_636_712 },
    build: resnet50,
  },
};

/** Registry keys of every architecture: inception_v3, densenet121, densenet169, densenet201, resnet50. */
export function listModels(): string[] {
  return Object.keys(REGISTRY);
}

/** Facts about a registered architecture (default/minimum input size, feature layer, Keras parameter counts). */
export function modelInfo(name: string): ModelInfo {
  const { build: _build, ...info } = entry(name);
  return info;
}

/**
 * Builds a registered architecture with Keras's exact layers and names, randomly initialised
 * (Glorot-uniform kernels, zero biases, BN γ = 1, β = 0, moving mean 0, variance 1, as Keras).
 * Input [batch, h, w, 1|3]; see {@link ModelOptions}. Unknown names and options raise
 * `MODEL_UNKNOWN` / `MODEL_OPTION_UNKNOWN` with "did you mean …?".
 *
 * @example createModel('inception_v3', { inputShape: [512, 512, 1], includeTop: false, pooling: 'avg' })
 * @example createModel('densenet169', { widthMultiplier: 1 / 16, inputShape: [64, 64, 1] }) // tiny test variant
 */
export function createModel(name: string, options?: ModelOptions): tfl.LayersModel {
  return entry(name).build(options);
}

function entry(name: string): Entry {
  const e = typeof name === 'string' ? (REGISTRY as Record<string, Entry>)[name] : undefined;
  if (!e || !Object.hasOwn(REGISTRY, name)) {
    const guess = typeof name === 'string' ? didYouMean(name.replace(/-/g, '_'), listModels()) : undefined;
    throw new CxrkitError(
      'MODEL_UNKNOWN',
      `no model named '${String(name)}'${guess ? ` — did you mean '${guess}'?` : ''}`,
      {
        received: name,
        fix: `use one of ${listModels().join(', ')}`,
        pkg: 'models',
      },
    );
  }
  return e;
}
