// The DOM-free part of the example: preprocessing and one onnxruntime-web run. Used by main.mjs in the
// browser; DOM-free so it can be reused in a worker or tested in Node with onnxruntime-web.

/** Per-image z-score of gray pixels (the thesis' osteoporosis preprocessing), as float32. */
export function zscore(gray) {
  let mean = 0;
  for (const v of gray) mean += v;
  mean /= gray.length;
  let varSum = 0;
  for (const v of gray) varSum += (v - mean) ** 2;
  const sd = Math.sqrt(varSum / gray.length) || 1;
  return Float32Array.from(gray, (v) => (v - mean) / sd);
}

/** Gray values (0–255) from RGBA pixels (ITU-R BT.601 luma). */
export function rgbaToGray(rgba) {
  const out = new Float32Array(rgba.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = 0.299 * rgba[i * 4] + 0.587 * rgba[i * 4 + 1] + 0.114 * rgba[i * 4 + 2];
  return out;
}

/**
 * Runs the exported cxrkit model on one image: `gray` is size×size gray pixels; the model takes NHWC
 * [1, size, size, 1] under the name 'image' (+ 'age' in years/100 and 'sex' 0/1 when it has them).
 * Returns { output: Float32Array, ms }.
 */
export async function runScreening(ort, session, gray, size, { ageYears = 60, sex = 0 } = {}) {
  const feeds = { image: new ort.Tensor('float32', zscore(gray), [1, size, size, 1]) };
  if (session.inputNames.includes('age')) feeds.age = new ort.Tensor('float32', new Float32Array([ageYears / 100]), [1, 1]);
  if (session.inputNames.includes('sex')) feeds.sex = new ort.Tensor('float32', new Float32Array([sex]), [1, 1]);
  const t0 = performance.now();
  const result = await session.run(feeds);
  const ms = performance.now() - t0;
  return { output: result[session.outputNames[0]].data, ms };
}
