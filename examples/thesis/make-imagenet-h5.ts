// Writes out/imagenet/inception_v3_notop.h5 for part2.yaml's ImageNet run: the one pretrained InceptionV3
// available offline — the Keras 2.2.4 model inside the npm package nsfwjs (ImageNet-initialised, then
// fine-tuned; see ../shared/data/README.md) — its backbone layers as a Keras weights .h5 (h5py), so that
// `transfer: { imagenet: … }` loads it with loadKerasWeights like a Keras Applications download.
// Needs python3 with h5py (Debian: python3-h5py).
//   npx tsx --conditions=cxrkit-source examples/thesis/make-imagenet-h5.ts [out/imagenet/inception_v3_notop.h5]
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { initBackend } from '@cxrkit/core';
import { layersOf, writeKerasH5 } from '../../test/keras-h5.js';
import { loadNsfwjsInceptionV3 } from '../../test/nsfwjs.js';

const out = resolve(process.argv[2] ?? 'out/imagenet/inception_v3_notop.h5');
await initBackend({ kind: 'cpu', load: () => import('@tensorflow/tfjs-backend-cpu') });
const model = await loadNsfwjsInceptionV3();
// the backbone: every layer up to mixed10 (nsfwjs's own head is left out, as in a *_notop.h5 file)
const last = model.layers.findIndex((l) => l.name === 'mixed10');
const layers = layersOf(model).slice(0, last + 1);
mkdirSync(dirname(out), { recursive: true });
writeKerasH5(layers, out, { layout: 'weights', naming: 'keras2', kerasVersion: '2.2.4' });
console.log(
  `${out}: ${layers.filter((l) => l.weights.length).length} layers with weights (nsfwjs InceptionV3 up to mixed10)`,
);
