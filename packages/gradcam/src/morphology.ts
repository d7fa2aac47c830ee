/**
 * Small image-processing kernels on typed arrays for the classical lung segmentation: box blur, Otsu
 * threshold, binary dilation/erosion (square structuring element, separable), hole filling, connected
 * components. Masks are `Uint8Array` of 0/1, row-major, `width × height`.
 */

/** Box blur with a (2r+1)-wide window, separable, edges clamped. */
export function boxBlur(data: Float32Array, width: number, height: number, r: number): Float32Array {
  if (r <= 0) return data.slice();
  const tmp = new Float32Array(data.length);
  const out = new Float32Array(data.length);
  const n = 2 * r + 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += data[y * width + Math.min(width - 1, Math.max(0, x + k))]!;
      tmp[y * width + x] = s / n;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += tmp[Math.min(height - 1, Math.max(0, y + k)) * width + x]!;
      out[y * width + x] = s / n;
    }
  }
  return out;
}

/**
 * Otsu's threshold (maximum between-class variance) over 256 bins of [lo, hi]; only pixels where
 * `where` is 1 (all when omitted). Returns a value in the data's units; pixels `< t` are the dark class.
 */
export function otsuThreshold(data: Float32Array, where?: Uint8Array): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    if (where && !where[i]) continue;
    const v = data[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) return hi;
  const bins = 256;
  const hist = new Float64Array(bins);
  let total = 0;
  for (let i = 0; i < data.length; i++) {
    if (where && !where[i]) continue;
    hist[Math.min(bins - 1, Math.floor(((data[i]! - lo) / (hi - lo)) * bins))]! += 1;
    total++;
  }
  let sumAll = 0;
  for (let b = 0; b < bins; b++) sumAll += b * hist[b]!;
  let w0 = 0;
  let sum0 = 0;
  let best = -1;
  let bestB = 0;
  for (let b = 0; b < bins - 1; b++) {
    w0 += hist[b]!;
    sum0 += b * hist[b]!;
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const m0 = sum0 / w0;
    const m1 = (sumAll - sum0) / w1;
    const between = w0 * w1 * (m0 - m1) ** 2;
    if (between > best) {
      best = between;
      bestB = b;
    }
  }
  return lo + ((bestB + 1) / bins) * (hi - lo);
}

function maxFilter(mask: Uint8Array, width: number, height: number, r: number, value: 0 | 1): Uint8Array {
  // dilation (value 1) or erosion (value 0, i.e. dilation of the background) with a (2r+1)² square
  const tmp = new Uint8Array(mask.length);
  const out = new Uint8Array(mask.length);
  const other = value === 1 ? 0 : 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let hit = other;
      for (let k = Math.max(0, x - r); k <= Math.min(width - 1, x + r); k++) {
        if (mask[y * width + k] === value) {
          hit = value;
          break;
        }
      }
      tmp[y * width + x] = hit;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let hit = other;
      for (let k = Math.max(0, y - r); k <= Math.min(height - 1, y + r); k++) {
        if (tmp[k * width + x] === value) {
          hit = value;
          break;
        }
      }
      out[y * width + x] = hit;
    }
  }
  return out;
}

/** Binary dilation with a (2r+1)² square. */
export const dilate = (m: Uint8Array, w: number, h: number, r: number): Uint8Array =>
  r > 0 ? maxFilter(m, w, h, r, 1) : m.slice();
/** Binary erosion with a (2r+1)² square (pixels outside the image are ignored, not background). */
export const erode = (m: Uint8Array, w: number, h: number, r: number): Uint8Array =>
  r > 0 ? maxFilter(m, w, h, r, 0) : m.slice();
/** Closing (dilate then erode). */
export const close = (m: Uint8Array, w: number, h: number, r: number): Uint8Array => erode(dilate(m, w, h, r), w, h, r);
/** Opening (erode then dilate). */
export const open = (m: Uint8Array, w: number, h: number, r: number): Uint8Array => dilate(erode(m, w, h, r), w, h, r);

/**
 * Connected components (8-connected) of the 1-pixels: `labels` (0 = background, 1…n) and per label its
 * area and whether it touches the image border.
 */
export function labelComponents(
  mask: Uint8Array,
  width: number,
  height: number,
): { labels: Int32Array; areas: number[]; touchesBorder: boolean[] } {
  const labels = new Int32Array(mask.length);
  const areas: number[] = [0];
  const touchesBorder: boolean[] = [false];
  const stack: number[] = [];
  let next = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    next++;
    let area = 0;
    let border = false;
    labels[start] = next;
    stack.push(start);
    while (stack.length) {
      const p = stack.pop()!;
      area++;
      const x = p % width;
      const y = (p - x) / width;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) border = true;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const q = yy * width + xx;
          if (mask[q] && !labels[q]) {
            labels[q] = next;
            stack.push(q);
          }
        }
      }
    }
    areas.push(area);
    touchesBorder.push(border);
  }
  return { labels, areas, touchesBorder };
}

/** Fills holes: background pixels not connected (4-connected) to the image border become 1. */
export function fillHoles(mask: Uint8Array, width: number, height: number): Uint8Array {
  const outside = new Uint8Array(mask.length);
  const stack: number[] = [];
  const push = (p: number): void => {
    if (!mask[p] && !outside[p]) {
      outside[p] = 1;
      stack.push(p);
    }
  };
  for (let x = 0; x < width; x++) {
    push(x);
    push((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    push(y * width);
    push(y * width + width - 1);
  }
  while (stack.length) {
    const p = stack.pop()!;
    const x = p % width;
    const y = (p - x) / width;
    if (x > 0) push(p - 1);
    if (x < width - 1) push(p + 1);
    if (y > 0) push(p - width);
    if (y < height - 1) push(p + width);
  }
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = outside[i] ? 0 : 1;
  return out;
}
