// The registry keys of @cxrkit/models's architectures, kept here without their builders so that a model
// card can be checked without loading TensorFlow.js. registry.ts is typed against this list.

/** Registry keys of every architecture `createModel` builds (Keras names). */
export const BACKBONE_KEYS = ['inception_v3', 'densenet121', 'densenet169', 'densenet201', 'resnet50'] as const;

/** One registry key, e.g. `'inception_v3'`. */
export type BackboneKey = (typeof BACKBONE_KEYS)[number];
