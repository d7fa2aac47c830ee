// The grayscale pipeline of PS3.4 Annex N / PS3.3 C.11: stored values → Modality LUT (rescale or LUT
// sequence) → VOI (window or VOI LUT sequence) → Presentation (MONOCHROME1 inverted, after VOI).
import type { DataSet } from 'dicom-parser';
import { safeString } from './parse.js';

/** A lookup table: input values below `firstMapped` map to data[0], above the end to the last entry. */
export interface Lut {
  firstMapped: number;
  data: Float64Array;
  /** Bits per entry as declared (the output range is [0, 2^bits − 1]). */
  bits: number;
}

/** Modality LUT of a grayscale image: linear rescale or a LUT. */
export type ModalityTransform = { kind: 'rescale'; slope: number; intercept: number } | { kind: 'lut'; lut: Lut };

/** VOI transform: a window (PS3.3 C.11.2.1.2) or a VOI LUT. */
export type VoiTransform =
  | { kind: 'window'; center: number; width: number; fn: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID' }
  | { kind: 'lut'; lut: Lut };

function num(ds: DataSet, tag: string, index = 0): number | undefined {
  const s = safeString(ds, tag, index)?.trim();
  if (!s) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * Reads a LUT: descriptor [entries (0 = 65536), first mapped value, bits] and data. By default the tags
 * of an item of (0028,3000) Modality or (0028,3010) VOI LUT Sequence.
 */
function readLut(item: DataSet, signedInput: boolean, descTag = 'x00283002', dataTag = 'x00283006'): Lut | undefined {
  const desc = item.elements[descTag];
  const dataEl = item.elements[dataTag];
  if (!desc || !dataEl || desc.length < 6 || dataEl.length < 2) return undefined;
  let count: number;
  let first: number;
  let bits: number;
  try {
    count = item.uint16(descTag, 0) ?? 0;
    first = signedInput ? (item.int16(descTag, 1) ?? 0) : (item.uint16(descTag, 1) ?? 0);
    bits = item.uint16(descTag, 2) ?? 16;
  } catch {
    return undefined;
  }
  if (count === 0) count = 65536;
  // LUT Data is OW (16-bit entries) except some 8-bit LUTs stored one byte per entry.
  const bytesPerEntry = dataEl.length >= count * 2 ? 2 : dataEl.length >= count ? 1 : 0;
  if (bytesPerEntry === 0) return undefined;
  const data = new Float64Array(count);
  const b = item.byteArray as Uint8Array;
  if (dataEl.dataOffset + count * bytesPerEntry > b.length) return undefined;
  try {
    for (let i = 0; i < count; i++) {
      if (bytesPerEntry === 1) data[i] = b[dataEl.dataOffset + i]!;
      else data[i] = item.uint16(dataTag, i) ?? 0;
    }
  } catch {
    return undefined;
  }
  if (bits !== 8 && bits !== 16) bits = 16;
  // Some files declare 16 bits for 8-bit data or the reverse: trust the data's range.
  let max = 0;
  for (let i = 0; i < count; i++) if (data[i]! > max) max = data[i]!;
  if (max > 2 ** bits - 1) bits = 16;
  return { firstMapped: first, data, bits };
}

function firstItem(ds: DataSet, tag: string): DataSet | undefined {
  return ds.elements[tag]?.items?.[0]?.dataSet;
}

/** The Modality LUT: (0028,3000) sequence, else RescaleSlope/Intercept (1 and 0 when absent). */
export function readModalityTransform(ds: DataSet, signedInput: boolean): ModalityTransform {
  const item = firstItem(ds, 'x00283000');
  const lut = item && readLut(item, signedInput);
  if (lut) return { kind: 'lut', lut };
  const slope = num(ds, 'x00281053');
  const intercept = num(ds, 'x00281052');
  return { kind: 'rescale', slope: slope === undefined || slope === 0 ? 1 : slope, intercept: intercept ?? 0 };
}

/** The first VOI: (0028,3010) VOI LUT sequence, else WindowCenter/Width; undefined when none. */
export function readVoiTransform(ds: DataSet): VoiTransform | undefined {
  const item = firstItem(ds, 'x00283010');
  const lut = item && readLut(item, false);
  if (lut) return { kind: 'lut', lut };
  const center = num(ds, 'x00281050');
  const width = num(ds, 'x00281051');
  if (center === undefined || width === undefined || width <= 0) return undefined;
  const fnRaw = safeString(ds, 'x00281056')?.trim().toUpperCase();
  const fn = fnRaw === 'SIGMOID' || fnRaw === 'LINEAR_EXACT' ? fnRaw : 'LINEAR';
  if (fn === 'LINEAR' && width < 1) return undefined;
  return { kind: 'window', center, width, fn };
}

function lookup(lut: Lut, x: number): number {
  const i = Math.round(x) - lut.firstMapped;
  const d = lut.data;
  return i <= 0 ? d[0]! : i >= d.length ? d[d.length - 1]! : d[i]!;
}

/** Applies the Modality LUT to stored values (float output, one value per sample). */
export function applyModality(stored: ArrayLike<number>, t: ModalityTransform): Float32Array {
  // Convert with the typed-array constructor (fast, exact for ≤ 24-bit integers), then work on one
  // monomorphic Float32Array.
  const out = new Float32Array(stored as unknown as ArrayLike<number>);
  if (t.kind === 'rescale') {
    const { slope, intercept } = t;
    if (slope !== 1 || intercept !== 0) for (let i = 0; i < out.length; i++) out[i] = out[i]! * slope + intercept;
  } else {
    for (let i = 0; i < out.length; i++) out[i] = lookup(t.lut, out[i]!);
  }
  return out;
}

/** The modality-value range the stored-value range maps to (used when no VOI is applied). */
export function modalityRange(t: ModalityTransform, storedMin: number, storedMax: number): [number, number] {
  if (t.kind === 'lut') return [0, 2 ** t.lut.bits - 1];
  const a = storedMin * t.slope + t.intercept;
  const b = storedMax * t.slope + t.intercept;
  return a <= b ? [a, b] : [b, a];
}

/** Applies a VOI transform in place, mapping to [0, 1] (PS3.3 C.11.2.1.2 with ymin 0, ymax 1). */
export function applyVoi(x: Float32Array, t: VoiTransform): void {
  if (t.kind === 'lut') {
    const scale = 1 / (2 ** t.lut.bits - 1);
    for (let i = 0; i < x.length; i++) x[i] = lookup(t.lut, x[i]!) * scale;
    return;
  }
  const { center: c, width: w } = t;
  if (t.fn === 'SIGMOID') {
    for (let i = 0; i < x.length; i++) x[i] = 1 / (1 + Math.exp((-4 * (x[i]! - c)) / w));
  } else if (t.fn === 'LINEAR_EXACT') {
    const lo = c - w / 2;
    const hi = c + w / 2;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      x[i] = v <= lo ? 0 : v > hi ? 1 : (v - c) / w + 0.5;
    }
  } else {
    const lo = c - 0.5 - (w - 1) / 2;
    const hi = c - 0.5 + (w - 1) / 2;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      x[i] = v <= lo ? 0 : v > hi ? 1 : (v - (c - 0.5)) / (w - 1) + 0.5;
    }
  }
}

/** Maps [lo, hi] linearly to [0, 1] in place (clamped). */
export function rescaleUnit(x: Float32Array, lo: number, hi: number): void {
  const span = hi - lo;
  if (!(span > 0)) {
    x.fill(0);
    return;
  }
  const inv = 1 / span;
  for (let i = 0; i < x.length; i++) {
    const v = (x[i]! - lo) * inv;
    x[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
}

/** Round half to even (numpy's `around`, which pydicom uses for segmented LUTs). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Expands a Segmented Palette Color LUT (PS3.3 C.7.9.2): discrete (0) and linear (1) segments; indirect
 * segments (2) are not supported (undefined). At most 65536 entries.
 */
export function expandSegmentedLut(words: ArrayLike<number>): number[] | undefined {
  const out: number[] = [];
  let p = 0;
  while (p + 1 < words.length && out.length < 65536) {
    const op = words[p]!;
    const len = words[p + 1]!;
    p += 2;
    if (op === 0) {
      for (let i = 0; i < len && p < words.length; i++) out.push(words[p++]!);
    } else if (op === 1) {
      if (out.length === 0 || p >= words.length) return undefined;
      const y0 = out[out.length - 1]!;
      const y1 = words[p++]!;
      const step = (y1 - y0) / len;
      for (let i = 1; i <= len; i++) out.push(y0 === y1 ? y1 : roundHalfEven(y0 + i * step));
    } else {
      return undefined;
    }
  }
  return out.length ? out.slice(0, 65536) : undefined;
}

function readSegmentedLut(ds: DataSet, signedInput: boolean, descTag: string, dataTag: string): Lut | undefined {
  const desc = ds.elements[descTag];
  const el = ds.elements[dataTag];
  if (!desc || !el || desc.length < 6 || el.length < 4) return undefined;
  const b = ds.byteArray as Uint8Array;
  if (el.dataOffset + el.length > b.length) return undefined;
  try {
    const first = signedInput ? (ds.int16(descTag, 1) ?? 0) : (ds.uint16(descTag, 1) ?? 0);
    let bits = ds.uint16(descTag, 2) ?? 16;
    const words = new Array<number>(el.length >> 1);
    for (let i = 0; i < words.length; i++) words[i] = ds.uint16(dataTag, i) ?? 0;
    const data = expandSegmentedLut(words);
    if (!data) return undefined;
    if (bits !== 8 && bits !== 16) bits = 16;
    if (Math.max(...data) > 2 ** bits - 1) bits = 16;
    return { firstMapped: first, data: Float64Array.from(data), bits };
  } catch {
    return undefined;
  }
}

/**
 * The red, green and blue Palette Color LUTs (0028,1101–1103 with data 1201–1203, or the segmented
 * 1221–1223); undefined when absent or not readable.
 */
export function readPalette(ds: DataSet, signedInput: boolean): [Lut, Lut, Lut] | undefined {
  const one = (c: number) =>
    readLut(ds, signedInput, `x0028110${c}`, `x0028120${c}`) ??
    readSegmentedLut(ds, signedInput, `x0028110${c}`, `x0028122${c}`);
  const r = one(1);
  const g = one(2);
  const b = one(3);
  return r && g && b ? [r, g, b] : undefined;
}

/** Palette indices → luma (BT.601) in [0, 1], each channel scaled by its LUT's 2^bits − 1. */
export function paletteLuma(indices: ArrayLike<number>, [r, g, b]: [Lut, Lut, Lut]): Float32Array {
  const out = new Float32Array(indices.length);
  const sr = 0.299 / (2 ** r.bits - 1);
  const sg = 0.587 / (2 ** g.bits - 1);
  const sb = 0.114 / (2 ** b.bits - 1);
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]!;
    out[i] = lookup(r, v) * sr + lookup(g, v) * sg + lookup(b, v) * sb;
  }
  return out;
}
