// Bit-exactness against Pillow and numpy, run live (Debian python3-pil / python3-numpy): resize with
// BICUBIC and BILINEAR on float 'F' images, numpy's linear percentiles and the clip + min-max map, on the
// real NEMA RG1 chest CR (when ../shared/data is there) and on generated images with awkward sizes.
// The stored fixtures (preprocess.test.ts) hold these to 1e-4 of the range and 1e-12; here the float32
// outputs must be identical, on both the WASM SIMD and the JavaScript path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  percentiles,
  percentileClipMinMax,
  readDicom,
  resize,
  setPreprocessSimd,
  type GrayImage,
  type ResampleFilter,
} from '@cxrkit/core';
import { dataDir, testOutputDir } from '../../../../test/helpers.js';

const PY = '/usr/bin/python3';
const hasPil = existsSync(PY) && spawnSync(PY, ['-c', 'import PIL, numpy'], { encoding: 'utf8' }).status === 0;
const skipPil = hasPil ? false : 'needs /usr/bin/python3 with python3-pil and python3-numpy';
const rg1Path = (() => {
  try {
    const p = dataDir('dicom', 'nema-wg04', 'RG1_JLSN');
    return existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
})();

/** Integer-hash image with a ramp, a bright box, negative values and ties (exactly reproducible). */
function hashImage(w: number, h: number, seed = 0): GrayImage {
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let hh = (Math.imul(x + seed, 374761393) + Math.imul(y, 668265263)) >>> 0;
      hh = Math.imul((hh ^ (hh >>> 13)) >>> 0, 1274126177) >>> 0;
      hh = (hh ^ (hh >>> 16)) >>> 0;
      const box = x > 0.35 * w && x < 0.65 * w && y > 0.25 * h && y < 0.75 * h ? 3 : 0;
      data[y * w + x] = hh % 7 === 0 ? 1.5 : ((x * 7 + y * 13) % 256) / 255 - 0.3 + (hh / 4294967296) * 0.25 + box;
    }
  }
  return { data, width: w, height: h };
}

interface Job {
  input: string;
  width: number;
  height: number;
  resize?: Array<{ out: string; width: number; height: number; filter: ResampleFilter }>;
  percentiles?: number[];
  clip?: { out: string; lower: number; upper: number };
}

const SCRIPT = `
import json, sys, numpy as np
from PIL import Image
res = []
for job in json.load(open(sys.argv[1])):
    a = np.fromfile(job["input"], dtype="<f4").reshape(job["height"], job["width"])
    for r in job.get("resize", []):
        f = Image.BICUBIC if r["filter"] == "bicubic" else Image.BILINEAR
        np.asarray(Image.fromarray(a, "F").resize((r["width"], r["height"]), f), dtype="<f4").tofile(r["out"])
    out = {}
    if "percentiles" in job:
        out["percentiles"] = [float(v) for v in np.percentile(a.astype(np.float64), job["percentiles"])]
    if "clip" in job:
        c = job["clip"]
        a64 = a.astype(np.float64)
        lo, hi = np.percentile(a64, [c["lower"], c["upper"]])
        ((np.clip(a64, lo, hi) - lo) / (hi - lo)).astype("<f4").tofile(c["out"])
    res.append(out)
print(json.dumps(res))
`;

function runPython(jobs: Job[], dir: string): Array<{ percentiles?: number[] }> {
  const jobFile = join(dir, 'jobs.json');
  writeFileSync(jobFile, JSON.stringify(jobs));
  const r = spawnSync(PY, ['-c', SCRIPT, jobFile], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const readF32 = (p: string) => {
  const b = readFileSync(p);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/**
 * Number of float32 values whose bits differ (−0 ≠ +0), the largest difference, and that difference in float32 ulps of
 * the largest magnitude in `want` (cancellation near 0 makes per-value ulps meaningless).
 */
function compare(got: Float32Array, want: Float32Array): { diff: number; max: number; ulps: number } {
  assert.equal(got.length, want.length);
  let diff = 0;
  let max = 0;
  let top = 0;
  const gotBits = new Int32Array(got.buffer, got.byteOffset, got.length);
  const wantBits = new Int32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < got.length; i++) {
    top = Math.max(top, Math.abs(want[i]!));
    if (gotBits[i] !== wantBits[i]) {
      diff++;
      max = Math.max(max, Math.abs(got[i]! - want[i]!));
    }
  }
  return { diff, max, ulps: max / 2 ** (Math.floor(Math.log2(Math.max(top, 2 ** -126))) - 23) };
}

/** Runs fn on the SIMD path and on the JavaScript path. */
function bothPaths(fn: (path: string) => void): void {
  try {
    for (const simd of [true, false]) {
      setPreprocessSimd(simd);
      fn(simd ? 'simd' : 'js');
    }
  } finally {
    setPreprocessSimd(true);
  }
}

test('resize equals Pillow BICUBIC / BILINEAR bit for bit (float32), SIMD and JavaScript paths', {
  skip: skipPil,
}, async () => {
  const dir = testOutputDir('pillow-exact');
  mkdirSync(dir, { recursive: true });
  const cases: Array<{ name: string; image: GrayImage; sizes: Array<[number, number, ResampleFilter]> }> = [
    {
      name: 'hash-1003x707',
      image: hashImage(1003, 707),
      sizes: [
        [512, 512, 'bicubic'],
        [299, 299, 'bicubic'],
        [97, 61, 'bilinear'],
        [331, 517, 'bicubic'],
      ],
    },
    {
      name: 'hash-37x41',
      image: hashImage(37, 41, 5),
      sizes: [
        [5, 3, 'bicubic'],
        [64, 80, 'bicubic'],
        [9, 7, 'bilinear'],
        [13, 90, 'bilinear'],
        [100, 90, 'bilinear'],
      ],
    },
    {
      name: 'hash-700x512',
      image: hashImage(700, 512, 9),
      sizes: [
        [300, 512, 'bicubic'],
        [700, 301, 'bicubic'],
        [1401, 1023, 'bicubic'],
        [350, 256, 'bilinear'],
      ],
    },
    {
      name: 'hash-1201x3',
      image: hashImage(1201, 3, 2),
      sizes: [
        [13, 2, 'bicubic'],
        [17, 1, 'bicubic'],
        [1, 3, 'bilinear'],
      ],
    },
    {
      name: 'hash-8x8',
      image: hashImage(8, 8, 4),
      sizes: [
        [512, 512, 'bilinear'],
        [299, 8, 'bilinear'],
        [13, 11, 'bilinear'],
      ],
    },
  ];
  if (rg1Path) {
    const rg1 = (await readDicom(rg1Path)).grayscale();
    cases.push({
      name: 'rg1',
      image: percentileClipMinMax(rg1),
      sizes: [
        [512, 512, 'bicubic'],
        [299, 299, 'bicubic'],
        [1024, 1024, 'bilinear'],
      ],
    });
  }
  const jobs: Job[] = cases.map((c) => {
    const input = join(dir, `${c.name}.f32`);
    writeFileSync(input, c.image.data);
    const resizeJobs = c.sizes.map(([width, height, filter]) => ({
      out: join(dir, `${c.name}-${width}x${height}-${filter}.f32`),
      width,
      height,
      filter,
    }));
    return { input, width: c.image.width, height: c.image.height, resize: resizeJobs };
  });
  runPython(jobs, dir);
  const lines: string[] = [];
  bothPaths((path) => {
    cases.forEach((c, i) => {
      for (const r of jobs[i]!.resize!) {
        const got = resize(c.image, { width: r.width, height: r.height, filter: r.filter });
        const { diff, max, ulps } = compare(got.data, readF32(r.out));
        // Enlarging with 'bilinear' interpolates directly (float64 throughout), Pillow keeps a float32
        // intermediate: equal to 1 float32 ulp (of the largest value) there, bit for bit everywhere else.
        const direct = r.filter === 'bilinear' && r.width >= c.image.width && r.height >= c.image.height;
        if (direct)
          assert.ok(ulps <= 1, `${path} ${c.name} → ${r.width}×${r.height} ${r.filter}: ${ulps} ulps (max |Δ| ${max})`);
        else
          assert.equal(
            diff,
            0,
            `${path} ${c.name} → ${r.width}×${r.height} ${r.filter}: ${diff} values differ (max ${max})`,
          );
        lines.push(`${path} ${c.name}→${r.width}×${r.height} ${r.filter}: ${diff} differ (≤ ${ulps} ulp)`);
      }
    });
  });
  for (const l of lines.filter((x) => !x.includes(': 0 differ'))) console.log(`# ${l}`);
  console.log(
    `# ${lines.length} resizes compared with Pillow${rg1Path ? ' (incl. RG1)' : ' (RG1 skipped: no shared data)'}`,
  );
});

test('percentiles and the clip + min-max equal numpy bit for bit, SIMD and JavaScript paths', {
  skip: skipPil,
}, async () => {
  const dir = testOutputDir('pillow-exact');
  mkdirSync(dir, { recursive: true });
  const qs = [0, 0.5, 1, 2.5, 33.3, 50, 66.7, 99, 99.5, 100];
  const images: Array<[string, GrayImage]> = [
    ['hash-1003x707', hashImage(1003, 707)],
    ['hash-251x199', hashImage(251, 199, 3)],
    ['hash-37x41', hashImage(37, 41)],
  ];
  if (rg1Path) images.push(['rg1', (await readDicom(rg1Path)).grayscale()]);
  const jobs: Job[] = images.map(([name, image]) => {
    const input = join(dir, `p-${name}.f32`);
    writeFileSync(input, image.data);
    return {
      input,
      width: image.width,
      height: image.height,
      percentiles: qs,
      clip: { out: join(dir, `p-${name}-clip.f32`), lower: 0.5, upper: 99.5 },
    };
  });
  const res = runPython(jobs, dir);
  bothPaths((path) => {
    images.forEach(([name, image], i) => {
      assert.deepEqual(percentiles(image.data, qs), res[i]!.percentiles, `${path} ${name} percentiles`);
      const { diff, max } = compare(percentileClipMinMax(image).data, readF32(jobs[i]!.clip!.out));
      assert.equal(diff, 0, `${path} ${name} clip: ${diff} values differ (max ${max})`);
    });
  });
});
