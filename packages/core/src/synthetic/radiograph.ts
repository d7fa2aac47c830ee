/**
 * Synthetic PA chest radiographs with known ground truth (age, sex, bone density → T-score → WHO
 * class), lung/bone masks, and a mask of where the density signal lives. No public chest radiographs
 * carry DXA labels, so this is how cxrkit proves that its models and Grad-CAMs learn what they should.
 *
 * Physics, roughly: soft tissue, lung air and bone add up to an attenuation map A (thickness × density),
 * the detector value is 1 − exp(−k·A) (bone bright, lungs dark, air outside the body black), then
 * exposure (contrast, brightness, gamma), quantum noise and a burned-in L/R marker are applied.
 *
 * Where the signals live (all documented so tests can check them):
 * - bone density → trabecular and (less) cortical density of the bones in `signalRegion`;
 *   the other bones get an unrelated random density (a distractor, not a giveaway);
 * - age → cortical thinning and coarser, more contrasted trabecular texture, a larger
 *   cardiothoracic ratio, taller and more lucent lungs, aortic-knob and costal-cartilage calcification;
 * - sex → body and shoulder width, humeral-head size, breast shadows in women.
 */
import type { GrayImage } from '../image/types.js';
import { CxrkitError, assertKnownKeys, didYouMean } from '../errors.js';
import { createRng, deriveSeed, type Rng } from '../augment/rng.js';
import { whoCategory, type WhoCategory } from '../data/labels.js';
import { drawGlyphs } from './glyphs.js';

/** Bone groups the density signal can be confined to. */
export type SignalRegion = 'all-bones' | 'humeral-heads' | 'spine' | 'ribs' | 'clavicles';
export const SIGNAL_REGIONS: readonly SignalRegion[] = ['all-bones', 'humeral-heads', 'spine', 'ribs', 'clavicles'];

/** Synthetic young-adult reference for areal BMD (g/cm²): T = (BMD − mean) / sd. */
export const SYNTHETIC_BMD_REFERENCE = { mean: 1.0, sd: 0.12 } as const;

export interface SyntheticLabels {
  /** Age in years (integer). */
  age: number;
  sex: 'M' | 'F';
  /** Synthetic areal bone mineral density, g/cm². */
  boneDensity: number;
  /** T-score, rounded to one decimal as DXA reports print it. */
  tScore: number;
  /** WHO class from the T-score (≤ −2.5 osteoporosis, < −1.0 osteopenia). */
  who: WhoCategory;
  /** 1 for osteoporosis, else 0 (the thesis's binary screening label). */
  osteoporosis: 0 | 1;
}

export interface SynthesizeRadiographOptions {
  /** Seed (number or string); the same seed and options give the same image on every platform. */
  seed?: number | string;
  /** Output size in pixels (square unless `width`/`height` are given). Default 256. */
  size?: number;
  width?: number;
  height?: number;
  /** Fix the age (years, 18–100); default drawn uniformly from `ageRange`. */
  age?: number;
  /** Age range for the drawn age, years, inclusive. Default [20, 85]. */
  ageRange?: readonly [number, number];
  /** Fix the sex; default drawn 50/50. */
  sex?: 'M' | 'F';
  /** Fix the T-score; default drawn from an age- and sex-dependent distribution. */
  tScore?: number;
  /** Which bones carry the density signal (the rest get an unrelated density). Default 'all-bones'. */
  signalRegion?: SignalRegion;
  /** Random rotation (± degrees), shift (±2 %) and scale (±5 %) of the patient. Default true. */
  pose?: boolean;
  /** Maximum absolute rotation in degrees when `pose` is on. Default 3. */
  rotationDeg?: number;
  /** Random exposure (contrast ±10 %, brightness ±0.05, gamma 0.9–1.1). Default true. */
  exposure?: boolean;
  /** Standard deviation of additive detector noise (image units); 0 turns it off. Default 0.015. */
  noise?: number;
  /** Burn in an "R" or "L" side marker near a top corner. Default true. */
  marker?: boolean;
  /** Render at this many times the resolution and box-average down (anti-aliasing). Default 2 below 128 px, else 1. */
  supersample?: number;
  /**
   * How hard the image makes the T-score to read (see {@link SYNTHETIC_DIFFICULTY}): the bones show the
   * density of `tScore + σ·z` (z ~ N(0, 1), seeded per image) rather than the T-score itself — as a chest
   * radiograph's bones agree with the lumbar/hip DXA only in part. 'none' (σ 0), 'easy' (0.5), 'moderate'
   * (1.0), 'hard' (1.5), or σ in T-score units. Default: none (the pixels of earlier versions, bit for bit).
   */
  difficulty?: SyntheticDifficulty;
  /**
   * How strongly the drawn T-score depends on age and sex: a multiplier of the slopes of
   * {@link syntheticMeanTScore} (1 = that caricature, 0 = bone density independent of age and sex,
   * 2 = twice as steep). Used only when `tScore` is not fixed. Default 1.
   */
  ageSexBmdEffect?: number;
}

/** Named difficulty levels of the synthetic generator, or σ in T-score units. */
export type SyntheticDifficulty = 'none' | 'easy' | 'moderate' | 'hard' | number;

/**
 * σ (T-score units) of the gap between the density the image shows and the DXA T-score, per level.
 * With half the patients osteoporotic, the best possible AUC of the image density alone is about
 * 0.98 (easy), 0.92 (moderate) and 0.84 (hard): a ceiling no model can pass.
 */
export const SYNTHETIC_DIFFICULTY: Readonly<Record<Exclude<SyntheticDifficulty, number>, number>> = {
  none: 0,
  easy: 0.5,
  moderate: 1.0,
  hard: 1.5,
};

/** σ (T-score units) for a difficulty option; throws `SYNTH_BAD_OPTION` (with did-you-mean) for a bad one. */
export function difficultySigma(difficulty: SyntheticDifficulty | undefined): number {
  if (difficulty === undefined) return 0;
  if (typeof difficulty === 'number') {
    if (Number.isFinite(difficulty) && difficulty >= 0 && difficulty <= 5) return difficulty;
  } else if (Object.hasOwn(SYNTHETIC_DIFFICULTY, difficulty)) {
    return SYNTHETIC_DIFFICULTY[difficulty];
  }
  const names = Object.keys(SYNTHETIC_DIFFICULTY);
  const guess = typeof difficulty === 'string' ? didYouMean(difficulty, names) : undefined;
  throw new CxrkitError('SYNTH_BAD_OPTION', `unknown difficulty${guess ? ` — did you mean '${guess}'?` : ''}`, {
    received: difficulty,
    fix: `use one of ${names.join(', ')}, or σ in T-score units between 0 and 5`,
  });
}

export interface SyntheticRadiograph {
  /** Values in [0, 1], bone bright, air black (like a MONOCHROME2 display). */
  image: GrayImage;
  /** 1 inside either lung field (heart and mediastinum excluded). */
  lungMask: Uint8Array;
  /** 1 on any bone (spine, ribs, clavicles, humeri, scapulae). */
  boneMask: Uint8Array;
  /** 1 on the bones whose density follows the label (see `signalRegion`). */
  signalMask: Uint8Array;
  /** 1 on the burned-in marker pixels. */
  markerMask: Uint8Array;
  labels: SyntheticLabels;
  /** The generator's hidden parameters, for tests and plots. */
  params: {
    seed: number | string;
    signalRegion: SignalRegion;
    /** Density multiplier of the signal bones (1 = young-adult reference). */
    densityFactor: number;
    /** Density multiplier of the other bones (random, unrelated to the label). */
    distractorDensityFactor: number;
    cardiothoracicRatio: number;
    corticalFraction: number;
    rotationDeg: number;
    marker: 'L' | 'R' | null;
  };
}

/**
 * Mean T-score model used when `tScore` is not given: flat until 35 y, then declining faster in women
 * (a caricature of real BMD-vs-age curves); individual sd 1.0.
 */
export function syntheticMeanTScore(age: number, sex: 'M' | 'F', ageSexBmdEffect = 1): number {
  const slope = sex === 'F' ? 0.045 : 0.028;
  return ageSexBmdEffect === 1 ? -Math.max(0, age - 35) * slope : -Math.max(0, age - 35) * slope * ageSexBmdEffect;
}

type Region = Exclude<SignalRegion, 'all-bones'> | 'other';

interface Canvas {
  w: number;
  h: number;
  U: Float32Array;
  V: Float32Array;
  soft: Float32Array;
  air: Float32Array;
  bone: Float32Array;
  lung: Uint8Array;
  boneM: Uint8Array;
  signal: Uint8Array;
  tex: Float32Array;
  /** Per-pixel scratch (kept at +Infinity between uses). */
  scratch: Float32Array;
  lungTex: Float32Array;
  cosT: number;
  sinT: number;
  scale: number;
  du: number;
  dv: number;
}

function checkPositiveInt(name: string, v: unknown, max = 16384): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 8 || v > max) {
    throw new CxrkitError('SYNTH_BAD_OPTION', `${name} must be an integer between 8 and ${max}`, {
      received: v,
      fix: `pass e.g. ${name}: 256`,
    });
  }
  return v;
}

const KNOWN_OPTIONS = [
  'seed',
  'size',
  'width',
  'height',
  'age',
  'ageRange',
  'sex',
  'tScore',
  'signalRegion',
  'pose',
  'rotationDeg',
  'exposure',
  'noise',
  'marker',
  'supersample',
  'difficulty',
  'ageSexBmdEffect',
];

/**
 * Draws the labels of one synthetic patient (age, sex, BMD, T-score, WHO class) from `rng`, honouring
 * fixed values in `options`. Exposed so dataset builders can pick labels before rendering.
 */
export function drawSyntheticLabels(
  rng: Rng,
  options: Pick<SynthesizeRadiographOptions, 'age' | 'ageRange' | 'sex' | 'tScore' | 'ageSexBmdEffect'> = {},
): SyntheticLabels {
  const effect = options.ageSexBmdEffect ?? 1;
  if (!(Number.isFinite(effect) && effect >= 0 && effect <= 5)) {
    throw new CxrkitError('SYNTH_BAD_OPTION', 'ageSexBmdEffect must be a number between 0 and 5', {
      received: effect,
      fix: 'pass e.g. ageSexBmdEffect: 2 (0 = independent of age and sex)',
    });
  }
  const [a0, a1] = options.ageRange ?? [20, 85];
  const age = options.age ?? rng.int(Math.round(a0), Math.round(a1));
  const sex = options.sex ?? (rng.bernoulli(0.5) ? 'F' : 'M');
  // drawn T-scores are kept within −5.5…3.5 (a normal tail can otherwise reach values DXA never reports)
  const t = options.tScore ?? Math.min(3.5, Math.max(-5.5, syntheticMeanTScore(age, sex, effect) + rng.normal()));
  const { mean, sd } = SYNTHETIC_BMD_REFERENCE;
  const boneDensity = Math.round((mean + sd * t) * 1000) / 1000;
  const tScore = Math.round(((boneDensity - mean) / sd) * 10) / 10;
  const who = whoCategory(tScore);
  return { age, sex, boneDensity, tScore, who, osteoporosis: who === 'osteoporosis' ? 1 : 0 };
}

/**
 * Renders one synthetic PA chest radiograph with known labels and masks.
 *
 * ```ts
 * const { image, lungMask, signalMask, labels } = synthesizeRadiograph({ seed: 7, size: 128, signalRegion: 'spine' });
 * ```
 * @returns image `{ data: Float32Array (h·w, values in [0,1]), width, height }`, masks of the same
 *   size (1 = inside), labels and hidden parameters.
 * @throws CxrkitError `SYNTH_BAD_OPTION` for an invalid option (with "did you mean" for typos).
 */
export function synthesizeRadiograph(options: SynthesizeRadiographOptions = {}): SyntheticRadiograph {
  assertKnownKeys(options, KNOWN_OPTIONS, { code: 'SYNTH_BAD_OPTION' });
  const width = checkPositiveInt('width', options.width ?? options.size ?? 256);
  const height = checkPositiveInt('height', options.height ?? options.size ?? 256);
  const signalRegion = options.signalRegion ?? 'all-bones';
  if (!SIGNAL_REGIONS.includes(signalRegion)) {
    const guess = didYouMean(String(signalRegion), SIGNAL_REGIONS);
    throw new CxrkitError('SYNTH_BAD_OPTION', `unknown signalRegion${guess ? ` — did you mean '${guess}'?` : ''}`, {
      received: signalRegion,
      fix: `use one of ${SIGNAL_REGIONS.join(', ')}`,
    });
  }
  if (options.age !== undefined && !(Number.isFinite(options.age) && options.age >= 18 && options.age <= 100)) {
    throw new CxrkitError('SYNTH_BAD_OPTION', 'age must be a number of years between 18 and 100', {
      received: options.age,
      fix: 'pass e.g. age: 60',
    });
  }
  if (options.sex !== undefined && options.sex !== 'M' && options.sex !== 'F') {
    throw new CxrkitError('SYNTH_BAD_OPTION', "sex must be 'M' or 'F'", {
      received: options.sex,
      fix: "pass sex: 'F' or sex: 'M'",
    });
  }
  if (
    options.tScore !== undefined &&
    !(Number.isFinite(options.tScore) && options.tScore >= -6 && options.tScore <= 4)
  ) {
    throw new CxrkitError('SYNTH_BAD_OPTION', 'tScore must be a number between −6 and 4', {
      received: options.tScore,
      fix: 'pass e.g. tScore: -2.7',
    });
  }
  const seed = options.seed ?? 0;
  const rng = createRng(seed);
  const labels = drawSyntheticLabels(rng, options);
  const age = labels.age;
  const female = labels.sex === 'F';
  const ss = options.supersample ?? (Math.max(width, height) < 128 ? 2 : 1);
  if (!Number.isInteger(ss) || ss < 1 || ss > 4) {
    throw new CxrkitError('SYNTH_BAD_OPTION', 'supersample must be an integer 1–4', {
      received: ss,
      fix: 'pass supersample: 2',
    });
  }
  const W = width * ss;
  const H = height * ss;

  // ---- hidden parameters -------------------------------------------------------------------
  const pose = options.pose ?? true;
  const maxRot = options.rotationDeg ?? 3;
  const rotationDeg = pose ? rng.uniform(-maxRot, maxRot) : 0;
  const scale = pose ? rng.uniform(0.95, 1.05) : 1;
  const du = pose ? rng.uniform(-0.02, 0.02) : 0;
  const dv = pose ? rng.uniform(-0.02, 0.02) : 0;
  const habitus = rng.normal(1, 0.03);
  const ageN = (age - 20) / 65; // 0 at 20 y, 1 at 85 y
  const bodyRx = (female ? 0.385 : 0.43) * habitus;
  const bodyRy = 0.53;
  const lungScaleY = 1 + 0.1 * (ageN - 0.5) + rng.normal(0, 0.015);
  const ctr = 0.4 + 0.12 * ageN + rng.normal(0, 0.012);
  const corticalFraction = Math.max(0.1, 0.36 - 0.2 * ageN + rng.normal(0, 0.012));
  const textureAmp = 0.06 + 0.3 * ageN + rng.normal(0, 0.02);
  const aorticCalc = Math.max(0, (age - 45) / 40) * rng.uniform(0.7, 1.3);
  // older lungs are more lucent (air trapping), and costal cartilages calcify
  const lucency = 0.85 + 0.3 * ageN + rng.normal(0, 0.03);
  const cartilageCalc = Math.min(1, Math.max(0, (age - 30) / 50)) * rng.uniform(0.7, 1.3);
  // The density the bones show: the label's, or (difficulty) the label's plus a seeded per-image gap drawn
  // from its own stream, so every other pixel, and the default's pixels, stay as they were.
  const sigma = difficultySigma(options.difficulty);
  const shownBmd =
    sigma === 0
      ? labels.boneDensity
      : labels.boneDensity + SYNTHETIC_BMD_REFERENCE.sd * sigma * createRng(deriveSeed(seed, 'difficulty')).normal();
  const densityFactor = densityFromBmd(shownBmd);
  const distractorT = -1 + rng.normal(0, 1.2);
  const distractorDensityFactor = densityFromBmd(
    SYNTHETIC_BMD_REFERENCE.mean + SYNTHETIC_BMD_REFERENCE.sd * distractorT,
  );
  const breast = female ? rng.uniform(0.12, 0.24) : 0;
  const markerSide: 'L' | 'R' | null = (options.marker ?? true) ? (rng.bernoulli(0.5) ? 'L' : 'R') : null;

  // ---- canvas in anatomical coordinates (u, v) ∈ [0,1]², u to the image right ----------------
  const n = W * H;
  const th = (rotationDeg * Math.PI) / 180;
  const cv: Canvas = {
    w: W,
    h: H,
    U: new Float32Array(n),
    V: new Float32Array(n),
    soft: new Float32Array(n),
    air: new Float32Array(n),
    bone: new Float32Array(n),
    lung: new Uint8Array(n),
    boneM: new Uint8Array(n),
    signal: new Uint8Array(n),
    scratch: new Float32Array(n).fill(Infinity),
    tex: valueNoise(W, H, rng, Math.max(2, W / (70 - 35 * ageN)), 2),
    lungTex: valueNoise(W, H, rng, Math.max(2, W / 24), 3),
    cosT: Math.cos(th),
    sinT: Math.sin(th),
    scale,
    du,
    dv,
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const px = (x + 0.5) / W - 0.5;
      const py = (y + 0.5) / H - 0.5;
      // inverse pose: pixel → anatomy
      const rx = (cv.cosT * px + cv.sinT * py) / scale;
      const ry = (-cv.sinT * px + cv.cosT * py) / scale;
      cv.U[y * W + x] = rx + 0.5 - du;
      cv.V[y * W + x] = ry + 0.5 - dv;
    }
  }

  const isSignal = (r: Region) => signalRegion === 'all-bones' || r === signalRegion;
  const bone = (r: Region, thick: number) => ({
    region: r,
    thick,
    d: isSignal(r) ? densityFactor : distractorDensityFactor,
    signal: isSignal(r),
  });

  // ---- soft tissue --------------------------------------------------------------------------
  const cy = 0.6;
  forBox(cv, 0.5 - bodyRx - 0.01, cy - bodyRy, 0.5 + bodyRx + 0.01, 1.2, (i, u, v) => {
    const r = Math.abs((u - 0.5) / bodyRx) ** 4 + Math.abs(Math.min(0, v - cy) / bodyRy) ** 4;
    if (r < 1) cv.soft[i] = Math.max(cv.soft[i]!, Math.sqrt(1 - r) * (1 + 0.35 * Math.max(0, v - 0.72)));
  });
  // neck
  const neckRx = female ? 0.075 : 0.09;
  forBox(cv, 0.5 - neckRx, -0.2, 0.5 + neckRx, 0.3, (i, u) => {
    const r = ((u - 0.5) / neckRx) ** 2;
    if (r < 1) cv.soft[i] = Math.max(cv.soft[i]!, 0.85 * Math.sqrt(1 - r));
  });
  // arms and shoulders
  for (const s of [-1, 1]) {
    const ax = 0.5 + s * (bodyRx + 0.03);
    ellipse(cv, ax, 0.55, 0.075, 0.5, (i, r) => {
      cv.soft[i] = Math.max(cv.soft[i]!, 0.75 * Math.sqrt(1 - r));
    });
    ellipse(cv, 0.5 + s * bodyRx * 0.82, 0.24, bodyRx * 0.35, 0.09, (i, r) => {
      cv.soft[i] = Math.max(cv.soft[i]!, 0.8 * Math.sqrt(1 - r));
    });
    if (breast > 0) {
      ellipse(cv, 0.5 + s * bodyRx * 0.58, 0.74, bodyRx * 0.42, 0.12, (i, r) => {
        cv.soft[i] = cv.soft[i]! + breast * (1 - r);
      });
    }
  }

  // ---- lungs, heart, mediastinum, aorta ---------------------------------------------------------
  const lungRy = 0.27 * lungScaleY;
  const lungTop = 0.2;
  const lungCy = lungTop + lungRy;
  const heartRx = ctr * 0.76 * bodyRx;
  const heartCx = 0.5 + 0.3 * heartRx;
  const heartCy = lungCy + lungRy * 0.62;
  const heartRy = 0.09 + 0.02 * ageN;
  for (const s of [-1, 1]) {
    const lcx = 0.5 + s * bodyRx * 0.43;
    const lrx = bodyRx * 0.34 * (s > 0 ? 0.95 : 1);
    ellipse(cv, lcx, lungCy, lrx, lungRy, (i, r, u, v) => {
      const medial = Math.abs(u - 0.5) < 0.045 + 0.02 * (v - lungTop);
      const inHeart = ((u - heartCx) / heartRx) ** 2 + ((v - heartCy) / heartRy) ** 2 < 1;
      if (medial || inHeart) return;
      const depth = (1 - r) ** 0.3;
      cv.air[i] = Math.max(cv.air[i]!, depth * (0.9 + 0.12 * cv.lungTex[i]!) * lucency);
      if (r < 0.985) cv.lung[i] = 1;
    });
  }
  ellipse(cv, heartCx, heartCy, heartRx, heartRy, (i, r) => {
    cv.soft[i] = cv.soft[i]! + 0.12 * Math.sqrt(1 - r);
  });
  forBox(cv, 0.43, 0.0, 0.57, 0.9, (i, u) => {
    const r = ((u - 0.5) / 0.07) ** 2;
    if (r < 1) cv.soft[i] = cv.soft[i]! + 0.08 * Math.sqrt(1 - r);
  });
  const knobX = 0.5 + 0.065;
  const knobY = lungTop + 0.1;
  ellipse(cv, knobX, knobY, 0.035, 0.03, (i, r) => {
    cv.soft[i] = cv.soft[i]! + 0.08 * Math.sqrt(1 - r);
    if (r > 0.6 && r < 1) cv.bone[i] = cv.bone[i]! + 0.6 * aorticCalc * (1 - Math.abs(r - 0.8) / 0.2);
  });

  // ---- bones ----------------------------------------------------------------------------------
  const bp = { cv, corticalFraction, textureAmp };
  // spine: vertebral bodies with discs, and pedicles
  const vStep = 0.05;
  for (let k = 0; k < 24; k++) {
    const vc = -0.03 + k * vStep;
    const hw = 0.028 + 0.016 * Math.min(1, Math.max(0, vc));
    const hh = vStep * 0.39;
    const b = bone('spine', 1.0);
    forBox(cv, 0.5 - hw, vc - hh, 0.5 + hw, vc + hh, (i, u, v) => {
      const d = (Math.abs((u - 0.5) / hw) ** 4 + Math.abs((v - vc) / hh) ** 4) ** 0.25;
      addBone(bp, i, d, b);
    });
    const pedicle = bone('spine', 0.5);
    for (const s of [-1, 1]) {
      const pr = hw * 0.22;
      ellipse(cv, 0.5 + s * hw * 0.62, vc - hh * 0.3, pr, pr * 1.3, (i, r) => addBone(bp, i, Math.sqrt(r), pedicle));
    }
  }
  // ribs: posterior arcs (bright) and anterior arcs (faint), 10 per side
  const ribGap = 0.058 * lungScaleY;
  for (let k = 0; k < 10; k++) {
    const y0 = lungTop - 0.035 + k * ribGap;
    const half = 0.0105 + (0.0015 * Math.min(k, 5)) / 5;
    for (const s of [-1, 1]) {
      const span = bodyRx * 0.72;
      const post = bone('ribs', 0.42);
      curve(
        cv,
        (t) => [0.5 + s * (0.035 + span * t), y0 - 0.03 * t + 0.2 * t * t],
        half,
        48,
        (i, d) => addBone(bp, i, d, post),
      );
      const ant = bone('ribs', 0.2);
      const antCurve = (t: number) =>
        [0.5 + s * (0.035 + span * (1 - t * 0.62)), y0 + 0.14 + 0.1 * t - 0.02 * t * t] as const;
      curve(cv, antCurve, half * 0.9, 40, (i, d) => addBone(bp, i, d, ant));
      // costal cartilage beyond the anterior rib end: calcifies with age (not bone: not in the masks)
      if (k >= 1 && k <= 7 && cartilageCalc > 0) {
        const [eu, ev] = antCurve(1);
        const amount = 0.5 * cartilageCalc * rng.uniform(0.6, 1.2);
        ellipse(cv, eu - s * 0.02, ev + 0.008, 0.022, 0.011, (i, r) => {
          cv.bone[i] = cv.bone[i]! + amount * Math.sqrt(1 - r);
        });
      }
    }
  }
  // clavicles
  for (const s of [-1, 1]) {
    const cl = bone('clavicles', 0.8);
    const span = bodyRx * 0.74;
    curve(
      cv,
      (t) => [0.5 + s * (0.04 + span * t), lungTop + 0.005 - 0.055 * t + 0.014 * Math.sin(2 * Math.PI * t)],
      0.0125,
      48,
      (i, d) => addBone(bp, i, d, cl),
    );
  }
  // scapulae (faint triangles along the lateral upper thorax), humeral heads and shafts
  for (const s of [-1, 1]) {
    const sc = bone('other', 0.25);
    const sx = 0.5 + s * bodyRx * 0.8;
    forBox(cv, sx - 0.08, lungTop - 0.03, sx + 0.08, lungTop + 0.3, (i, u, v) => {
      const t = (v - (lungTop - 0.03)) / 0.33;
      const halfW = 0.07 * (1 - t);
      const cx = sx + s * 0.02 - s * 0.02 * t;
      if (t < 0 || t > 1 || halfW <= 0) return;
      const d = Math.abs(u - cx) / halfW;
      if (d < 1) addBone(bp, i, d, sc);
    });
    const hx = 0.5 + s * (bodyRx + 0.008);
    const hy = lungTop + 0.035;
    const hr = female ? 0.05 : 0.058;
    const head = bone('humeral-heads', 1.4);
    ellipse(cv, hx, hy, hr, hr, (i, r) => addBone(bp, i, Math.sqrt(r), head));
    const shaft = bone('other', 1.0);
    curve(
      cv,
      (t) => [hx + s * 0.015 * t, hy + hr * 0.7 + 0.8 * t],
      hr * 0.5,
      32,
      (i, d) => addBone(bp, i, d, shaft),
    );
  }

  // ---- detector ---------------------------------------------------------------------------------
  const hi = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, 0.6 * cv.soft[i]! - 0.5 * cv.air[i]! + 0.5 * cv.bone[i]!);
    hi[i] = 1 - Math.exp(-1.7 * a);
  }
  const out = new Float32Array(width * height);
  const lungMask = new Uint8Array(width * height);
  const boneMask = new Uint8Array(width * height);
  const signalMask = new Uint8Array(width * height);
  const markerMask = new Uint8Array(width * height);
  const area = ss * ss;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      let l = 0;
      let bm = 0;
      let sg = 0;
      for (let yy = 0; yy < ss; yy++) {
        for (let xx = 0; xx < ss; xx++) {
          const j = (y * ss + yy) * W + x * ss + xx;
          s += hi[j]!;
          l += cv.lung[j]!;
          bm += cv.boneM[j]!;
          sg += cv.signal[j]!;
        }
      }
      const o = y * width + x;
      out[o] = s / area;
      lungMask[o] = l * 2 >= area ? 1 : 0;
      boneMask[o] = bm * 2 >= area ? 1 : 0;
      signalMask[o] = sg * 2 >= area ? 1 : 0;
    }
  }
  const exposure = options.exposure ?? true;
  const contrast = exposure ? rng.uniform(0.9, 1.1) : 1;
  const brightness = exposure ? rng.uniform(-0.05, 0.05) : 0;
  const gamma = exposure ? rng.uniform(0.9, 1.1) : 1;
  const noiseSd = options.noise ?? 0.015;
  if (!(Number.isFinite(noiseSd) && noiseSd >= 0)) {
    throw new CxrkitError('SYNTH_BAD_OPTION', 'noise must be a standard deviation ≥ 0', {
      received: options.noise,
      fix: 'pass e.g. noise: 0.015, or 0 for none',
    });
  }
  for (let i = 0; i < out.length; i++) {
    let v = brightness + contrast * out[i]! ** gamma;
    if (noiseSd > 0) v += rng.normal(0, noiseSd);
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  if (markerSide) {
    const cell = Math.max(1, Math.round(Math.min(width, height) / 90));
    const mx = markerSide === 'R' ? Math.round(width * 0.06) : Math.round(width * 0.94) - 5 * cell;
    drawGlyphs(out, width, height, markerSide, mx, Math.round(height * 0.05), cell, 1, markerMask);
  }

  return {
    image: { data: out, width, height },
    lungMask,
    boneMask,
    signalMask,
    markerMask,
    labels,
    params: {
      seed,
      signalRegion,
      densityFactor,
      distractorDensityFactor,
      cardiothoracicRatio: ctr,
      corticalFraction,
      rotationDeg,
      marker: markerSide,
    },
  };
}

/** Bone density multiplier from areal BMD (1 at the young-adult reference mean). */
function densityFromBmd(bmd: number): number {
  const { mean } = SYNTHETIC_BMD_REFERENCE;
  return Math.max(0.3, 1 + (bmd - mean) / 0.7);
}

interface BoneSpec {
  region: Region;
  thick: number;
  d: number;
  signal: boolean;
}

/**
 * Adds bone at pixel i, `d` ∈ [0,1) the normalised distance from the bone's axis/centre: a tube of
 * outer radius 1 with a cortical shell of relative thickness `corticalFraction`.
 */
function addBone(
  p: { cv: Canvas; corticalFraction: number; textureAmp: number },
  i: number,
  d: number,
  b: BoneSpec,
): void {
  if (!(d < 1)) return;
  const cv = p.cv;
  const outer = Math.sqrt(1 - d * d);
  const ri = 1 - p.corticalFraction;
  const inner = d < ri ? Math.sqrt(ri * ri - d * d) : 0;
  const cort = outer - inner;
  const rhoC = 0.75 * (0.4 + 0.6 * b.d);
  const rhoT = 0.5 * b.d * b.d;
  const trab = inner * rhoT * (1 + p.textureAmp * cv.tex[i]!);
  cv.bone[i] = cv.bone[i]! + b.thick * (rhoC * cort + trab);
  cv.boneM[i] = 1;
  if (b.signal) cv.signal[i] = 1;
}

/** Iterates the pixels whose anatomical coordinates fall into [u0,u1]×[v0,v1]. */
function forBox(
  cv: Canvas,
  u0: number,
  v0: number,
  u1: number,
  v1: number,
  fn: (i: number, u: number, v: number) => void,
): void {
  // forward pose of the box corners → pixel bbox
  let xmin = Infinity;
  let xmax = -Infinity;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (const [u, v] of [
    [u0, v0],
    [u1, v0],
    [u0, v1],
    [u1, v1],
  ] as const) {
    const ax = (u - 0.5 + cv.du) * cv.scale;
    const ay = (v - 0.5 + cv.dv) * cv.scale;
    const px = (cv.cosT * ax - cv.sinT * ay + 0.5) * cv.w;
    const py = (cv.sinT * ax + cv.cosT * ay + 0.5) * cv.h;
    xmin = Math.min(xmin, px);
    xmax = Math.max(xmax, px);
    ymin = Math.min(ymin, py);
    ymax = Math.max(ymax, py);
  }
  const x0 = Math.max(0, Math.floor(xmin) - 1);
  const x1 = Math.min(cv.w - 1, Math.ceil(xmax) + 1);
  const y0 = Math.max(0, Math.floor(ymin) - 1);
  const y1 = Math.min(cv.h - 1, Math.ceil(ymax) + 1);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = y * cv.w + x;
      const u = cv.U[i]!;
      const v = cv.V[i]!;
      if (u >= u0 && u <= u1 && v >= v0 && v <= v1) fn(i, u, v);
    }
  }
}

/** Iterates pixels inside an axis-aligned ellipse; `r` is the squared normalised radius in [0,1). */
function ellipse(
  cv: Canvas,
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  fn: (i: number, r: number, u: number, v: number) => void,
): void {
  forBox(cv, cx - rx, cy - ry, cx + rx, cy + ry, (i, u, v) => {
    const r = ((u - cx) / rx) ** 2 + ((v - cy) / ry) ** 2;
    if (r < 1) fn(i, r, u, v);
  });
}

/**
 * Iterates pixels within `half` (anatomical units) of a parametric curve t ∈ [0,1] → (u, v), sampled
 * at `segments` points; `d` is the normalised distance to the curve (nearest sample, refined on the
 * segment). Each pixel is visited once.
 */
function curve(
  cv: Canvas,
  f: (t: number) => readonly [number, number],
  half: number,
  segments: number,
  fn: (i: number, d: number) => void,
): void {
  const pu = new Float64Array(segments + 1);
  const pv = new Float64Array(segments + 1);
  for (let k = 0; k <= segments; k++) {
    const [u, v] = f(k / segments);
    pu[k] = u;
    pv[k] = v;
  }
  const half2 = half * half;
  const dist = cv.scratch;
  const touched: number[] = [];
  // Rasterise segment by segment, keeping each pixel's smallest squared distance in the scratch buffer.
  for (let k = 0; k < segments; k++) {
    const ax = pu[k]!;
    const ay = pv[k]!;
    const ex = pu[k + 1]! - ax;
    const ey = pv[k + 1]! - ay;
    const len2 = ex * ex + ey * ey;
    forBox(
      cv,
      Math.min(ax, ax + ex) - half,
      Math.min(ay, ay + ey) - half,
      Math.max(ax, ax + ex) + half,
      Math.max(ay, ay + ey) + half,
      (i, u, v) => {
        let t = len2 > 0 ? ((u - ax) * ex + (v - ay) * ey) / len2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const qx = ax + t * ex - u;
        const qy = ay + t * ey - v;
        const dd = qx * qx + qy * qy;
        if (dd < half2 && dd < dist[i]!) {
          if (dist[i] === Infinity) touched.push(i);
          dist[i] = dd;
        }
      },
    );
  }
  for (const i of touched) {
    fn(i, Math.sqrt(dist[i]!) / half);
    dist[i] = Infinity;
  }
}

/**
 * Smooth value noise in about [−1, 1] on a W×H grid: `octaves` layers of bilinearly interpolated
 * lattice noise, the first with cells `cell` pixels wide.
 */
function valueNoise(W: number, H: number, rng: Rng, cell: number, octaves: number): Float32Array {
  const out = new Float32Array(W * H);
  let amp = 1;
  let total = 0;
  let c = cell;
  for (let o = 0; o < octaves; o++) {
    const gw = Math.ceil(W / c) + 2;
    const gh = Math.ceil(H / c) + 2;
    const g = new Float32Array(gw * gh);
    for (let k = 0; k < g.length; k++) g[k] = rng.uniform(-1, 1);
    for (let y = 0; y < H; y++) {
      const fy = y / c;
      const iy = Math.floor(fy);
      const ty = fy - iy;
      const sy = ty * ty * (3 - 2 * ty);
      for (let x = 0; x < W; x++) {
        const fx = x / c;
        const ix = Math.floor(fx);
        const tx = fx - ix;
        const sx = tx * tx * (3 - 2 * tx);
        const a = g[iy * gw + ix]!;
        const b = g[iy * gw + ix + 1]!;
        const d0 = g[(iy + 1) * gw + ix]!;
        const d1 = g[(iy + 1) * gw + ix + 1]!;
        out[y * W + x] = out[y * W + x]! + amp * ((a + (b - a) * sx) * (1 - sy) + (d0 + (d1 - d0) * sx) * sy);
      }
    }
    total += amp;
    amp *= 0.5;
    c = Math.max(1, c / 2);
  }
  for (let k = 0; k < out.length; k++) out[k] = out[k]! / total;
  return out;
}
