// The one pretrained InceptionV3 available offline: the Keras 2.2.4 model shipped inside the npm package
// nsfwjs (ImageNet-initialised, fine-tuned for NSFW), for tests that need real pretrained weights.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { repoRoot } from './helpers.js';

/** nsfwjs's InceptionV3 from node_modules, no network: its model.json and base64 weight shards are CommonJS modules. */
export async function loadNsfwjsInceptionV3(): Promise<tfl.LayersModel> {
  const require = createRequire(import.meta.url);
  const base = `${repoRoot}/node_modules/nsfwjs/dist/models/inception_v3`;
  const json = require(`${base}/model.min.js`) as {
    modelTopology: tf.io.ModelJSON['modelTopology'];
    weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  };
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const shards = json.weightsManifest
    .flatMap((g) => g.paths)
    .map((p) => Buffer.from(require(`${base}/${p}.min.js`) as string, 'base64'));
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: specs,
      weightData: new Uint8Array(Buffer.concat(shards)).buffer,
    }),
  );
}
