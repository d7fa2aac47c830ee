/**
 * Training-time augmentation on typed arrays, MONAI-style: a transform is a function
 * `(image, rng) => image`, a pipeline is a list of them. Pure JS, seeded: the same seed gives the same
 * images on every backend and run. Thesis (Part 2): random sharpen or blur, rotation within ±5°,
 * shift within ±3 % of the size, zoom up to 15 %; no horizontal flip (it would move the heart).
 */
import type { GrayImage } from '../image/types.js';
import { CxrkitError } from '../errors.js';
import { createRng, deriveSeed, type Rng } from './rng.js';

/** One augmentation step. Must draw all its randomness from `rng` and not mutate `image`. */
export type Transform = (image: GrayImage, rng: Rng) => GrayImage;

/** How pixels that come from outside the image are filled: replicate the edge (Keras 'nearest'), or a constant. */
export type FillMode = 'nearest' | { constant: number };

/** Runs transforms in order, passing the same rng along (so the sequence of draws is fixed). */
export function compose(transforms: readonly Transform[]): Transform {
  for (const [i, t] of transforms.entries()) {
    if (typeof t !== 'function')
      throw new CxrkitError('AUGMENT_BAD_TRANSFORM', `transforms[${i}] is not a function (image, rng) => image`, {
        received: t,
        fix: 'build transforms with randomAffine(), randomSharpenBlur(), …',
      });
  }
  return (image, rng) => transforms.reduce((img, t) => t(img, rng), image);
}

/**
 * Applies `transform` with an rng seeded by `(seed, ...keys)` — e.g. `(seed, epoch, sampleIndex)` — so
 * each sample's augmentation is reproducible on its own, whatever order samples are loaded in.
 */
export function applySeeded(
  transform: Transform,
  image: GrayImage,
  seed: number | string,
  ...keys: Array<number | string>
): GrayImage {
  return transform(image, createRng(deriveSeed(seed, ...keys)));
}

/** Parameters of one affine draw. */
export interface AffineParams {
  /** Rotation, degrees, counter-clockwise on screen. */
  angleDeg: number;
  /** Zoom factor (> 1 magnifies). */
  zoom: number;
  /** Shift in pixels (+x right, +y down). */
  shiftX: number;
  shiftY: number;
}

/**
 * Warps an image by rotation about its centre, zoom and shift (inverse mapping, bilinear
 * interpolation). Output has the input's size.
 */
export function affineWarp(image: GrayImage, p: AffineParams, fill: FillMode = 'nearest'): GrayImage {
  const { data, width: W, height: H } = image;
  const out = new Float32Array(W * H);
  const th = (p.angleDeg * Math.PI) / 180;
  // output→input: undo shift, then rotate by −θ (screen CCW is −θ in y-down coordinates) and unzoom
  const c = Math.cos(th) / p.zoom;
  const s = Math.sin(th) / p.zoom;
  const cx = (W - 1) / 2;
  const cy = (H - 1) / 2;
  const constant = fill === 'nearest' ? undefined : fill.constant;
  for (let y = 0; y < H; y++) {
    const dy = y - cy - p.shiftY;
    for (let x = 0; x < W; x++) {
      const dx = x - cx - p.shiftX;
      // screen-CCW rotation by θ of the content: input = R(θ)·output (y down)
      let sx = c * dx - s * dy + cx;
      let sy = s * dx + c * dy + cy;
      if (constant !== undefined && (sx < -0.5 || sy < -0.5 || sx > W - 0.5 || sy > H - 0.5)) {
        out[y * W + x] = constant;
        continue;
      }
      sx = sx < 0 ? 0 : sx > W - 1 ? W - 1 : sx;
      sy = sy < 0 ? 0 : sy > H - 1 ? H - 1 : sy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = x0 + 1 < W ? x0 + 1 : x0;
      const y1 = y0 + 1 < H ? y0 + 1 : y0;
      const fx = sx - x0;
      const fy = sy - y0;
      const a = data[y0 * W + x0]!;
      const b = data[y0 * W + x1]!;
      const d0 = data[y1 * W + x0]!;
      const d1 = data[y1 * W + x1]!;
      out[y * W + x] = (a + (b - a) * fx) * (1 - fy) + (d0 + (d1 - d0) * fx) * fy;
    }
  }
  return { data: out, width: W, height: H };
}

export interface RandomAffineOptions {
  /** Maximum absolute rotation, degrees. Default 5 (thesis). */
  rotationDeg?: number;
  /** Maximum absolute shift as a fraction of width/height. Default 0.03 (thesis). */
  shift?: number;
  /** Maximum zoom change: factor drawn from [1 − zoom, 1 + zoom]. Default 0.15 (thesis: < 15 %). */
  zoom?: number;
  /** Probability of applying the transform at all. Default 1. */
  probability?: number;
  fill?: FillMode;
}

/** Draws {@link AffineParams} within the given limits (uniform in each range). Exposed for tests and logs. */
export function sampleAffineParams(
  rng: Rng,
  image: { width: number; height: number },
  options: RandomAffineOptions = {},
): AffineParams {
  const rot = options.rotationDeg ?? 5;
  const shift = options.shift ?? 0.03;
  const zoom = options.zoom ?? 0.15;
  for (const [name, v, max] of [
    ['rotationDeg', rot, 180],
    ['shift', shift, 0.5],
    ['zoom', zoom, 0.9],
  ] as const) {
    if (!(v >= 0 && v <= max))
      throw new CxrkitError('AUGMENT_BAD_OPTION', `${name} must be in [0, ${max}]`, {
        received: v,
        fix: `pass e.g. ${name}: ${name === 'rotationDeg' ? 5 : name === 'shift' ? 0.03 : 0.15}`,
      });
  }
  return {
    angleDeg: rng.uniform(-rot, rot),
    zoom: rng.uniform(1 - zoom, 1 + zoom),
    shiftX: rng.uniform(-shift, shift) * image.width,
    shiftY: rng.uniform(-shift, shift) * image.height,
  };
}

/** Random rotation + shift + zoom in one bilinear warp (defaults from the thesis: ±5°, ±3 %, ±15 %). */
export function randomAffine(options: RandomAffineOptions = {}): Transform {
  const p = options.probability ?? 1;
  sampleAffineParams(createRng(0), { width: 1, height: 1 }, options); // validate eagerly
  return (image, rng) => {
    const apply = rng.next() < p;
    const params = sampleAffineParams(rng, image, options);
    return apply ? affineWarp(image, params, options.fill) : image;
  };
}

/** Random rotation only, within ±`maxDeg`. */
export function randomRotation(maxDeg = 5, fill?: FillMode): Transform {
  return randomAffine({ rotationDeg: maxDeg, shift: 0, zoom: 0, fill });
}

/** Random shift only, within ±`maxFraction` of the size. */
export function randomShift(maxFraction = 0.03, fill?: FillMode): Transform {
  return randomAffine({ rotationDeg: 0, shift: maxFraction, zoom: 0, fill });
}

/** Random zoom only, factor in [1 − max, 1 + max]. */
export function randomZoom(max = 0.15, fill?: FillMode): Transform {
  return randomAffine({ rotationDeg: 0, shift: 0, zoom: max, fill });
}

/** Separable Gaussian blur (σ in pixels, kernel radius ⌈3σ⌉, edges replicated). */
export function gaussianBlur(image: GrayImage, sigma: number): GrayImage {
  if (!(sigma > 0)) return { data: image.data.slice(), width: image.width, height: image.height };
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] = k[i]! / sum;
  const { data, width: W, height: H } = image;
  const tmp = new Float32Array(W * H);
  const out = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const o = y * W;
    for (let x = 0; x < W; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) {
        const xx = x + i < 0 ? 0 : x + i >= W ? W - 1 : x + i;
        s += data[o + xx]! * k[i + r]!;
      }
      tmp[o + x] = s;
    }
  }
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) {
        const yy = y + i < 0 ? 0 : y + i >= H ? H - 1 : y + i;
        s += tmp[yy * W + x]! * k[i + r]!;
      }
      out[y * W + x] = s;
    }
  }
  return { data: out, width: W, height: H };
}

/** Unsharp mask: `x + amount · (x − blur(x, σ))`. */
export function sharpen(image: GrayImage, sigma: number, amount: number): GrayImage {
  const b = gaussianBlur(image, sigma);
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = image.data[i]! + amount * (image.data[i]! - b.data[i]!);
  return { data: out, width: image.width, height: image.height };
}

export interface RandomSharpenBlurOptions {
  /** Probability of changing the image at all. Default 0.5. */
  probability?: number;
  /** Blur σ range in pixels, as a fraction of the image width (so it scales with size). Default [0.001, 0.004]. */
  sigma?: readonly [number, number];
  /** Sharpening amount range. Default [0.3, 1.0]. */
  amount?: readonly [number, number];
}

/** With probability `probability`, either blurs or sharpens (50/50), with random strength. */
export function randomSharpenBlur(options: RandomSharpenBlurOptions = {}): Transform {
  const p = options.probability ?? 0.5;
  const [s0, s1] = options.sigma ?? [0.001, 0.004];
  const [a0, a1] = options.amount ?? [0.3, 1.0];
  if (!(p >= 0 && p <= 1) || !(s0 > 0 && s1 >= s0) || !(a1 >= a0)) {
    throw new CxrkitError(
      'AUGMENT_BAD_OPTION',
      'randomSharpenBlur: probability in [0,1], sigma and amount as [min, max]',
      { received: options, fix: 'pass e.g. { probability: 0.5, sigma: [0.001, 0.004] }' },
    );
  }
  return (image, rng) => {
    const apply = rng.next() < p;
    const blur = rng.next() < 0.5;
    const sigma = Math.max(0.3, rng.uniform(s0, s1) * image.width);
    const amount = rng.uniform(a0, a1);
    if (!apply) return image;
    return blur ? gaussianBlur(image, sigma) : sharpen(image, sigma, amount);
  };
}

/** Horizontal flip with probability p. NOT in the default pipeline: it moves the heart to the wrong side. */
export function randomHorizontalFlip(probability = 0.5): Transform {
  return (image, rng) => {
    if (!(rng.next() < probability)) return image;
    const { data, width: W, height: H } = image;
    const out = new Float32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[y * W + x] = data[y * W + W - 1 - x]!;
    return { data: out, width: W, height: H };
  };
}

/**
 * The thesis's training augmentation (Part 2): random sharpen/blur, then rotation ±5°, shift ±3 %,
 * zoom ±15 % in one warp. Options override the defaults.
 */
export function thesisAugmentation(
  options: { affine?: RandomAffineOptions; sharpenBlur?: RandomSharpenBlurOptions } = {},
): Transform {
  return compose([randomSharpenBlur(options.sharpenBlur), randomAffine(options.affine)]);
}
