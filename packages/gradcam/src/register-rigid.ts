/**
 * Rigid registration (rotation, translation, isotropic scale — a similarity transform) of one
 * radiograph's lung mask to a reference lung mask, and warping of images/CAMs with the result. This is
 * step 2–3 of the thesis's CAM atlas: the transform found on the lungs is applied to that image's CAM.
 *
 * Method: image moments give the start (centroids, area ratio → scale, principal axes → angle), then
 * Nelder–Mead maximises the soft Dice overlap of the blurred masks, coarse (wide blur) to fine.
 */
import { CxrkitError } from '@cxrkit/core';
import { assertHeatmap, type Heatmap } from './heatmap.js';
import { boxBlur } from './morphology.js';
import { dice, type LungMask } from './segment-lungs.js';

/**
 * A similarity transform from moving-image pixel coordinates p = (x, y) (pixel centres at integers)
 * to reference coordinates q: q = scale · R(angle) · p + (tx, ty), in pixels. `angleDeg` in degrees;
 * image y points down, so a positive angle turns +x towards +y (clockwise as displayed).
 */
export interface RigidTransform {
  angleDeg: number;
  scale: number;
  tx: number;
  ty: number;
}

export interface RegistrationResult extends RigidTransform {
  /** Dice of the warped moving mask and the reference mask (0…1) after registration. */
  dice: number;
  /** Dice before registration (identity), for reporting. */
  diceBefore: number;
}

export interface RegisterRigidOptions {
  /** Largest rotation (degrees) the search may return. Default 30 (radiographs are roughly upright). */
  maxAngleDeg?: number;
  /** Scale bounds. Default [0.5, 2]. */
  scaleRange?: [number, number];
  /**
   * Masks larger than this (pixels, longest side) are block-averaged down by an integer factor for the
   * search (the transform is mapped back to full resolution). Default 128: a 2048-px film registers in
   * the time of a 128-px one, within about half a factor in pixels.
   */
  maxWorkingSize?: number;
}

/** Applies the transform to a point of the moving image. */
export function applyRigid(t: RigidTransform, x: number, y: number): [number, number] {
  const a = (t.angleDeg * Math.PI) / 180;
  const c = Math.cos(a) * t.scale;
  const s = Math.sin(a) * t.scale;
  return [c * x - s * y + t.tx, s * x + c * y + t.ty];
}

/** The inverse transform (reference → moving). */
export function invertRigid(t: RigidTransform): RigidTransform {
  const a = (-t.angleDeg * Math.PI) / 180;
  const scale = 1 / t.scale;
  const c = Math.cos(a) * scale;
  const s = Math.sin(a) * scale;
  return { angleDeg: -t.angleDeg, scale, tx: -(c * t.tx - s * t.ty), ty: -(s * t.tx + c * t.ty) };
}

/**
 * Resamples a moving-image float map into the reference frame: out(q) = in(T⁻¹(q)), bilinear, 0 outside.
 * Use it for CAMs (and images) after {@link registerRigid}.
 * @param outWidth / outHeight the reference size (default: the input's size)
 */
export function warpRigid(map: Heatmap, t: RigidTransform, outWidth = map.width, outHeight = map.height): Heatmap {
  assertHeatmap(map, 'map');
  const inv = invertRigid(t);
  const out = new Float32Array(outWidth * outHeight);
  const a = (inv.angleDeg * Math.PI) / 180;
  const c = Math.cos(a) * inv.scale;
  const s = Math.sin(a) * inv.scale;
  const { width: w, height: h, data } = map;
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const px = c * x - s * y + inv.tx;
      const py = s * x + c * y + inv.ty;
      out[y * outWidth + x] = sampleBilinear(data, w, h, px, py);
    }
  }
  return { data: out, width: outWidth, height: outHeight };
}

/** Warps a 0/1 mask (bilinear, ≥ 0.5 → 1). */
export function warpMask(mask: LungMask, t: RigidTransform, outWidth = mask.width, outHeight = mask.height): LungMask {
  const f = warpRigid(
    { data: Float32Array.from(mask.data), width: mask.width, height: mask.height },
    t,
    outWidth,
    outHeight,
  );
  return { data: Uint8Array.from(f.data, (v) => (v >= 0.5 ? 1 : 0)), width: outWidth, height: outHeight };
}

function sampleBilinear(data: Float32Array, w: number, h: number, x: number, y: number): number {
  if (x < -0.5 || y < -0.5 || x > w - 0.5 || y > h - 0.5) return 0;
  const cx = Math.min(Math.max(x, 0), w - 1);
  const cy = Math.min(Math.max(y, 0), h - 1);
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const fx = cx - x0;
  const fy = cy - y0;
  return (
    (data[y0 * w + x0]! * (1 - fx) + data[y0 * w + x1]! * fx) * (1 - fy) +
    (data[y1 * w + x0]! * (1 - fx) + data[y1 * w + x1]! * fx) * fy
  );
}

interface Moments {
  area: number;
  cx: number;
  cy: number;
  /** Principal-axis orientation, radians in (−π/2, π/2]. */
  orientation: number;
  elongation: number;
}

function moments(mask: Uint8Array, w: number): Moments {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    n++;
    sx += i % w;
    sy += Math.floor(i / w);
  }
  const cx = sx / n;
  const cy = sy / n;
  let mxx = 0;
  let myy = 0;
  let mxy = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const dx = (i % w) - cx;
    const dy = Math.floor(i / w) - cy;
    mxx += dx * dx;
    myy += dy * dy;
    mxy += dx * dy;
  }
  const orientation = 0.5 * Math.atan2(2 * mxy, mxx - myy);
  const d = Math.sqrt((mxx - myy) ** 2 + 4 * mxy * mxy);
  const elongation = (mxx + myy + d) / Math.max(1e-9, mxx + myy - d);
  return { area: n, cx, cy, orientation, elongation };
}

function checkMask(m: LungMask, what: string): void {
  if (!m || !(m.data instanceof Uint8Array) || m.data.length !== m.width * m.height) {
    throw new CxrkitError('GRADCAM_BAD_IMAGE', `${what} must be a { data: Uint8Array, width, height } 0/1 mask`, {
      pkg: 'gradcam',
      received: m ? { width: m.width, height: m.height } : m,
      fix: 'pass the result of segmentLungs',
    });
  }
  if (!m.data.some((v) => v)) {
    throw new CxrkitError('GRADCAM_EMPTY_MASK', `${what} lung mask is empty: nothing to register`, {
      pkg: 'gradcam',
      received: { width: m.width, height: m.height },
      fix: 'check the segmentation of this radiograph (or exclude it from the atlas)',
    });
  }
}

/**
 * Finds the similarity transform (rotation, translation, isotropic scale) that maps the `moving`
 * lung mask onto the `reference` lung mask (the two may differ in size). Apply it to that radiograph's
 * CAM with {@link warpRigid}. On synthetic masks, known transforms are recovered within 2 px and 1°.
 */
export function registerRigid(
  moving: LungMask,
  reference: LungMask,
  options: RegisterRigidOptions = {},
): RegistrationResult {
  checkMask(moving, 'moving');
  checkMask(reference, 'reference');
  const maxSide = options.maxWorkingSize ?? 128;
  const fm = Math.max(1, Math.ceil(Math.max(moving.width, moving.height) / maxSide));
  const fr = Math.max(1, Math.ceil(Math.max(reference.width, reference.height) / maxSide));
  const t =
    fm === 1 && fr === 1
      ? registerAtWorkingSize(moving, reference, options)
      : registerDownsampled(moving, reference, fm, fr, options);
  const diceAfter = (transform: RigidTransform): number =>
    dice(warpMask(moving, transform, reference.width, reference.height).data, reference.data);
  return { ...t, dice: diceAfter(t), diceBefore: diceAfter({ angleDeg: 0, scale: 1, tx: 0, ty: 0 }) };
}

/**
 * Registers masks block-averaged by `fm` (moving) and `fr` (reference), then maps the transform back:
 * p_small = (p − c_m) / f_m with c = (f − 1) / 2, and q = f_r · q_small + c_r.
 */
function registerDownsampled(
  moving: LungMask,
  reference: LungMask,
  fm: number,
  fr: number,
  options: RegisterRigidOptions,
): RigidTransform {
  const small = registerAtWorkingSize(downsampleMask(moving, fm), downsampleMask(reference, fr), options);
  const k = fr / fm;
  const a = (small.angleDeg * Math.PI) / 180;
  const cs = Math.cos(a) * small.scale * k;
  const sn = Math.sin(a) * small.scale * k;
  const cm = (fm - 1) / 2;
  const cr = (fr - 1) / 2;
  return {
    angleDeg: small.angleDeg,
    scale: small.scale * k,
    tx: fr * small.tx + cr - (cs * cm - sn * cm),
    ty: fr * small.ty + cr - (sn * cm + cs * cm),
  };
}

/** Block-average downsampling of a mask by an integer factor (≥ half covered → 1). */
function downsampleMask(mask: LungMask, f: number): LungMask {
  const w = Math.ceil(mask.width / f);
  const h = Math.ceil(mask.height / f);
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      let n = 0;
      for (let yy = y * f; yy < Math.min(mask.height, (y + 1) * f); yy++) {
        for (let xx = x * f; xx < Math.min(mask.width, (x + 1) * f); xx++) {
          s += mask.data[yy * mask.width + xx]!;
          n++;
        }
      }
      data[y * w + x] = 2 * s >= n ? 1 : 0;
    }
  }
  return { data, width: w, height: h };
}

function registerAtWorkingSize(moving: LungMask, reference: LungMask, options: RegisterRigidOptions): RigidTransform {
  const maxAngle = options.maxAngleDeg ?? 30;
  const [sMin, sMax] = options.scaleRange ?? [0.5, 2];
  const mm = moments(moving.data, moving.width);
  const mr = moments(reference.data, reference.width);
  const s0 = Math.sqrt(mr.area / mm.area);
  let angles = [0];
  if (mm.elongation > 1.3 && mr.elongation > 1.3) {
    let d = ((mr.orientation - mm.orientation) * 180) / Math.PI;
    while (d > 90) d -= 180;
    while (d <= -90) d += 180;
    if (Math.abs(d) <= maxAngle) angles = [d, 0];
  }
  // parameters: [angleDeg, log scale, dx, dy], about the moving centroid mapped onto the reference centroid
  const toTransform = (p: number[]): RigidTransform => {
    const angleDeg = p[0]!;
    const scale = Math.exp(p[1]!);
    const a = (angleDeg * Math.PI) / 180;
    const c = Math.cos(a) * scale;
    const s = Math.sin(a) * scale;
    return {
      angleDeg,
      scale,
      tx: mr.cx + p[2]! - (c * mm.cx - s * mm.cy),
      ty: mr.cy + p[3]! - (s * mm.cx + c * mm.cy),
    };
  };
  const size = Math.min(reference.width, reference.height);
  const movF = Float32Array.from(moving.data);
  const refF = Float32Array.from(reference.data);
  let best = angles.map((a) => [a, Math.log(s0), 0, 0]);
  for (const blurR of [Math.max(1, Math.round(size / 24)), Math.max(1, Math.round(size / 64)), 0]) {
    const movB = boxBlur(movF, moving.width, moving.height, blurR);
    const refB = boxBlur(refF, reference.width, reference.height, blurR);
    let refSum = 0;
    for (const v of refB) refSum += v;
    const cost = (p: number[]): number => {
      if (Math.abs(p[0]!) > maxAngle || Math.exp(p[1]!) < sMin || Math.exp(p[1]!) > sMax) return 1e9;
      const warped = warpRigid(
        { data: movB, width: moving.width, height: moving.height },
        toTransform(p),
        reference.width,
        reference.height,
      ).data;
      let inter = 0;
      let sum = 0;
      for (let i = 0; i < warped.length; i++) {
        inter += warped[i]! * refB[i]!;
        sum += warped[i]!;
      }
      return -(2 * inter) / (sum + refSum);
    };
    best = best.map((p) => nelderMead(cost, p, [2, 0.03, 1.5, 1.5], 160));
    best.sort((a, b) => cost(a) - cost(b));
    best = best.slice(0, 1);
  }
  return toTransform(best[0]!);
}

/** Nelder–Mead minimisation from `x0` with initial steps `steps`, at most `iterations` iterations. */
function nelderMead(f: (x: number[]) => number, x0: number[], steps: number[], iterations: number): number[] {
  const n = x0.length;
  let simplex = [x0, ...steps.map((s, i) => x0.map((v, j) => (j === i ? v + s : v)))].map((x) => ({ x, f: f(x) }));
  for (let it = 0; it < iterations; it++) {
    simplex.sort((a, b) => a.f - b.f);
    const bestF = simplex[0]!.f;
    const worst = simplex[n]!;
    if (Math.abs(worst.f - bestF) < 1e-7 && it > 20) break;
    const centroid = new Array(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += simplex[i]!.x[j]! / n;
    const at = (t: number): number[] => centroid.map((c, j) => c + t * (worst.x[j]! - c));
    const r = at(-1);
    const fr = f(r);
    if (fr < bestF) {
      const e = at(-2);
      const fe = f(e);
      simplex[n] = fe < fr ? { x: e, f: fe } : { x: r, f: fr };
    } else if (fr < simplex[n - 1]!.f) {
      simplex[n] = { x: r, f: fr };
    } else {
      const c = fr < worst.f ? at(-0.5) : at(0.5);
      const fc = f(c);
      if (fc < Math.min(fr, worst.f)) simplex[n] = { x: c, f: fc };
      else {
        const b = simplex[0]!.x;
        simplex = simplex
          .map((v, i) => (i === 0 ? v : { x: v.x.map((xj, j) => b[j]! + 0.5 * (xj - b[j]!)), f: 0 }))
          .map((v, i) => (i === 0 ? v : { x: v.x, f: f(v.x) }));
      }
    }
  }
  simplex.sort((a, b) => a.f - b.f);
  return simplex[0]!.x;
}
