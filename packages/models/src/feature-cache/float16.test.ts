// float16 of the feature cache against numpy: float32 → float16 rounding (numpy's astype, round to nearest
// even) on edge cases and random values of every magnitude, and float16 → float32 on all 65,536 patterns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@cxrkit/core';
import { float16Bits, fromFloat16, toFloat16 } from './float16.js';

const PY = '/usr/bin/python3';
const hasNumpy = existsSync(PY) && spawnSync(PY, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
const skip = hasNumpy ? false : 'needs /usr/bin/python3 with python3-numpy';

/** Runs numpy on a float32 / uint16 file and returns the bytes it writes. */
function numpy(script: string, input: Uint8Array): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'cxrkit-f16-'));
  try {
    writeFileSync(join(dir, 'in.bin'), input);
    const r = spawnSync(PY, ['-c', script, join(dir, 'in.bin'), join(dir, 'out.bin')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return new Uint8Array(readFileSync(join(dir, 'out.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('float32 → float16 rounds as numpy (ties to even, subnormals, overflow to Inf, NaN)', { skip }, () => {
  const rng = createRng(7);
  const edge = [
    0,
    -0,
    1,
    -1,
    65504,
    65505,
    65519.99,
    65520,
    -65520,
    1e9,
    2 ** -14,
    2 ** -24,
    2 ** -25,
    2 ** -25 * 1.0001,
    2 ** -26,
    1 + 2 ** -11,
    1 + 3 * 2 ** -11,
    2049,
    2051,
    0.1,
    1 / 3,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    2 ** -24 * 0.75,
    2 ** -14 - 2 ** -24,
    3e-5,
  ];
  const random = Array.from({ length: 20000 }, () => (rng.next() < 0.5 ? -1 : 1) * 2 ** rng.uniform(-28, 17));
  const values = Float32Array.from([...edge, ...random, Number.NaN]);
  const expected = new Uint16Array(
    numpy(
      'import sys, numpy as np\nnp.fromfile(sys.argv[1], np.float32).astype(np.float16).view(np.uint16).tofile(sys.argv[2])',
      new Uint8Array(values.buffer),
    ).buffer,
  );
  const got = toFloat16(values);
  for (let i = 0; i < values.length - 1; i++)
    assert.equal(
      got[i],
      expected[i],
      `value ${values[i]}: 0x${got[i]!.toString(16)} vs numpy 0x${expected[i]!.toString(16)}`,
    );
  assert.equal(got[values.length - 1]! & 0x7c00, 0x7c00, 'NaN keeps an all-ones exponent');
  assert.notEqual(got[values.length - 1]! & 0x3ff, 0, 'and a non-zero mantissa');
  assert.equal(float16Bits(-0) >> 15, 1, 'the sign of -0 survives');
});

test('float16 → float32 equals numpy on all 65,536 bit patterns', { skip }, () => {
  const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
  const expected = new Float32Array(
    numpy(
      'import sys, numpy as np\nnp.fromfile(sys.argv[1], np.uint16).view(np.float16).astype(np.float32).tofile(sys.argv[2])',
      new Uint8Array(all.buffer),
    ).buffer,
  );
  const got = fromFloat16(all);
  for (let i = 0; i < 65536; i++) {
    if (Number.isNaN(expected[i]!)) assert.ok(Number.isNaN(got[i]!), `pattern 0x${i.toString(16)} is NaN`);
    else assert.ok(Object.is(got[i], expected[i]), `pattern 0x${i.toString(16)}: ${got[i]} vs numpy ${expected[i]}`);
  }
  // and back: every finite pattern round-trips
  const back = toFloat16(got);
  for (let i = 0; i < 65536; i++) if (!Number.isNaN(got[i]!)) assert.equal(back[i], i);
});
