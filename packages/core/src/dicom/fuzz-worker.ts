// Test helper (not part of the package API): runs mutated DICOM files through readDicom in a worker
// thread so the fuzz test can kill it if a case hangs. Reports progress before every case.
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { readDicom } from './read-dicom.js';
import { isCxrkitError } from '../errors.js';

interface Job {
  files: string[];
  seed: number;
  cases: number;
}

/** mulberry32: small seeded PRNG so every case can be reproduced from (seed, index). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EXTREMES = [0, 1, 0xffff, 0xfffe, 0x7fff, 0xffffffff, 0x7fffffff, 0x80000000, 0x00010000];

/** One mutation of `src` chosen by `r`: truncation, bit flips, length/value overwrites, cut or duplicated chunks. */
export function mutate(src: Uint8Array, r: () => number): { bytes: Uint8Array; op: string } {
  const n = src.length;
  const pick = (max: number) => Math.floor(r() * max);
  // Header bytes are where lengths and attributes live: target them half the time.
  const pos = () => (r() < 0.5 ? pick(Math.min(n, 2048)) : pick(n));
  const op = pick(6);
  switch (op) {
    case 0:
      return { bytes: src.slice(0, pick(n)), op: 'truncate' };
    case 1: {
      const b = src.slice();
      const k = 1 + pick(16);
      for (let i = 0; i < k; i++) {
        const p = pos();
        b[p] = b[p]! ^ (1 << pick(8));
      }
      return { bytes: b, op: `flip${k}` };
    }
    case 2: {
      const b = src.slice();
      const p = pos() & ~1;
      const v = EXTREMES[pick(EXTREMES.length)]!;
      const dv = new DataView(b.buffer);
      if (p + 4 <= n) dv.setUint32(p, v, r() < 0.5);
      return { bytes: b, op: 'u32' };
    }
    case 3: {
      const b = src.slice();
      const p = pos() & ~1;
      if (p + 2 <= n) new DataView(b.buffer).setUint16(p, pick(65536), true);
      return { bytes: b, op: 'u16' };
    }
    case 4: {
      const a = pos();
      const len = 1 + pick(256);
      const head = src.subarray(0, a);
      const tail = src.subarray(Math.min(n, a + len));
      const out = new Uint8Array(head.length + tail.length);
      out.set(head, 0);
      out.set(tail, head.length);
      return { bytes: out, op: 'cut' };
    }
    default: {
      const a = pos();
      const len = 1 + pick(256);
      const chunk = src.subarray(a, Math.min(n, a + len));
      const out = new Uint8Array(n + chunk.length);
      out.set(src.subarray(0, a), 0);
      out.set(chunk, a);
      out.set(src.subarray(a), a + chunk.length);
      return { bytes: out, op: 'dup' };
    }
  }
}

async function run(job: Job): Promise<void> {
  const sources = job.files.map((f) => new Uint8Array(readFileSync(f)));
  const codes: Record<string, number> = {};
  const untyped: string[] = [];
  for (let i = 0; i < job.cases; i++) {
    const r = rng(job.seed + i * 7919);
    const fi = Math.floor(r() * sources.length);
    const { bytes, op } = mutate(sources[fi]!, r);
    parentPort!.postMessage({ kind: 'case', i, file: job.files[fi], op });
    let outcome = 'ok';
    try {
      const im = await readDicom(bytes, { maxPixels: 2 ** 24 });
      im.storedPixels(0);
      if (im.frames > 1 && r() < 0.25) im.storedPixels(im.frames - 1);
      im.grayscale(0, { voi: r() < 0.5 });
      void im.meta;
    } catch (e) {
      if (isCxrkitError(e)) outcome = e.code;
      else {
        outcome = 'UNTYPED';
        if (untyped.length < 20)
          untyped.push(
            `case ${i} (${job.files[fi]}, ${op}): ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`.slice(
              0,
              300,
            ),
          );
      }
    }
    codes[outcome] = (codes[outcome] ?? 0) + 1;
  }
  const proc = process as { exitCode?: number | string };
  parentPort!.postMessage({ kind: 'done', codes, untyped, exitCode: proc.exitCode ?? null });
}

if (parentPort && workerData) void run(workerData as Job);
