// The keys of the feature cache. An entry is found by what determines its values, so that a change to
// any of them misses the cache instead of returning stale features:
//   - the frozen prefix: every layer's class and configuration (names left out, so the same architecture
//     built twice hashes alike), how the layers connect, the input shape, and every weight's bytes;
//   - the image: its pixels as given to train() (so the preprocessing is part of it), or the source's own
//     `key(index)` when it has one (then it must change with the image and its preprocessing);
//   - for an augmented copy: the augmentation (a fingerprint of what it does to fixed probe images, or the
//     caller's `augmentKey`), the seed and the copy number.
import type * as tfl from '@tensorflow/tfjs-layers';
import { createRng, deriveSeed, type GrayImage, type Rng } from '@cxrkit/core';
import type { GraphLayer } from '@cxrkit/tfjs-ext/base';
import { graphNodes } from './find-cut.js';
import type { FeatureDtype } from './shard-file.js';

/** The version of what the cache stores under a key; bump it when rows computed before would differ. */
const KEY_VERSION = 'cxrkit-feature-cache/1';

async function sha256(): Promise<import('node:crypto').Hash> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256');
}

/** SHA-256 (hex) of strings joined by '|'. */
export async function hashParts(...parts: string[]): Promise<string> {
  return (await sha256()).update(parts.join('|')).digest('hex');
}

/** A layer's configuration without its name (and trainable flag: a cached layer never trains). */
function configOf(layer: GraphLayer): string {
  const config = { ...(layer as unknown as tfl.layers.Layer).getConfig() } as Record<string, unknown>;
  delete config.name;
  delete config.trainable;
  return JSON.stringify(config);
}

/**
 * Digest of the frozen prefix (see the file comment) and the storage type: the same architecture with
 * the same weights and input size hashes alike whatever its layer names.
 */
export async function prefixDigest(prefix: tfl.LayersModel, dtype: FeatureDtype): Promise<string> {
  const h = await sha256();
  h.update(`${KEY_VERSION}|${dtype}|${JSON.stringify(prefix.inputs.map((t) => t.shape))}\n`);
  const tensorIndex = new Map<number, number>(prefix.inputs.map((t, i) => [t.id, i]));
  for (const node of graphNodes(prefix)) {
    const ins = node.inputTensors.map((r) => tensorIndex.get(r.id) ?? -1);
    for (const r of node.outputTensors) tensorIndex.set(r.id, tensorIndex.size);
    h.update(`${node.outboundLayer.getClassName()}${configOf(node.outboundLayer)}(${ins.join(',')})\n`);
  }
  h.update(`outputs ${prefix.outputs.map((t) => tensorIndex.get(t.id)).join(',')}\n`);
  for (const w of prefix.weights) {
    const v = w.read();
    const data = (await v.data()) as Float32Array;
    h.update(`${w.dtype}[${v.shape.join(',')}]`);
    h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return h.digest('hex');
}

/** Digest of a sample's image: its size and pixels, or the source's own key for it. */
export async function sampleDigest(image: GrayImage | undefined, sourceKey: string | undefined): Promise<string> {
  if (sourceKey !== undefined) return hashParts(KEY_VERSION, 'source-key', sourceKey);
  const h = await sha256();
  h.update(`${KEY_VERSION}|image|${image!.width}x${image!.height}|`);
  const d = image!.data instanceof Float32Array ? image!.data : Float32Array.from(image!.data);
  h.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  return h.digest('hex');
}

/** A deterministic test image (smooth shapes plus noise) of the model's input size, for the fingerprint. */
function probeImage(width: number, height: number, seed: number): GrayImage {
  const rng = createRng(deriveSeed('cxrkit-feature-cache-probe', seed));
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      data[y * width + x] =
        Math.sin((x / width) * 7 + seed) * Math.cos((y / height) * 5) + 0.5 * (y / height) + rng.uniform(-0.2, 0.2);
  return { data, width, height };
}

/**
 * A fingerprint of an augmentation: its source text and what it does to three probe images under fixed
 * seeds. Two augmentations that give the same outputs on the probes get the same fingerprint; a change of
 * parameters (angle, zoom, blur) changes the outputs and so the fingerprint. Pass `augmentKey` to name the
 * augmentation yourself instead.
 */
export async function augmentFingerprint(
  augment: (image: GrayImage, rng: Rng) => GrayImage | Promise<GrayImage>,
  width: number,
  height: number,
): Promise<string> {
  const h = await sha256();
  h.update(`${KEY_VERSION}|augment|${augment.toString()}|`);
  for (let s = 0; s < 3; s++) {
    const out = await augment(probeImage(width, height, s), createRng(deriveSeed('cxrkit-feature-cache-probe-rng', s)));
    const d = out.data instanceof Float32Array ? out.data : Float32Array.from(out.data);
    h.update(`${out.width}x${out.height}|`);
    h.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  return h.digest('hex');
}

/** The key of a sample's un-augmented features. */
export const plainKey = (prefix: string, sample: string): Promise<string> =>
  hashParts(KEY_VERSION, prefix, 'plain', sample);

/** The key of augmented copy `copy` of a sample (drawn with {@link copyRng}). */
export const copyKey = (prefix: string, augment: string, seed: number, copy: number, sample: string): Promise<string> =>
  hashParts(KEY_VERSION, prefix, 'augmented', augment, String(seed), String(copy), sample);

/** The random source of augmented copy `copy` of a sample: a function of the seed, the image and the copy. */
export const copyRng = (seed: number, sample: string, copy: number): Rng =>
  createRng(deriveSeed(seed, 'feature-cache-augment', sample, copy));
