// float16 conversion against IEEE 754 binary16 values written out by hand (and numpy's float16 bits).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float16ToFloat32, float32ToFloat16, fromFloat16Bits, toFloat16Bits } from './float16.js';

test('float16 bits of known values (IEEE 754 binary16)', () => {
  const cases: Array<[number, number]> = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // largest finite
    [65520, 0x7c00], // rounds to infinity
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // ties to even: 0
    [3 * 2 ** -25, 0x0002], // ties to even: 2 ulps
    [0.1, 0x2e66], // numpy: np.float16(0.1).view(np.uint16) == 0x2e66
    [1 + 2 ** -11, 0x3c00], // halfway between 1 and the next: ties to even (down)
    [1 + 3 * 2 ** -11, 0x3c02], // halfway: ties to even (up)
    [Number.POSITIVE_INFINITY, 0x7c00],
  ];
  for (const [v, bits] of cases) assert.equal(toFloat16Bits(v), bits, `toFloat16Bits(${v})`);
  assert.equal(toFloat16Bits(Number.NaN) & 0x7c00, 0x7c00);
  assert.ok(Number.isNaN(fromFloat16Bits(0x7e00)));
  assert.equal(fromFloat16Bits(0x7bff), 65504);
  assert.equal(fromFloat16Bits(0x0001), 2 ** -24);
  assert.equal(fromFloat16Bits(0xc000), -2);
});

test('float32 → float16 → float32 keeps z-scored pixels within half an ulp (2^-11 relative)', () => {
  const x = new Float32Array(10000);
  for (let i = 0; i < x.length; i++) x[i] = Math.fround(Math.sin(i * 12.9898) * 4);
  const back = float16ToFloat32(float32ToFloat16(x));
  for (let i = 0; i < x.length; i++) {
    const tol = Math.max(Math.abs(x[i]!) * 2 ** -11, 2 ** -25);
    assert.ok(Math.abs(back[i]! - x[i]!) <= tol, `${x[i]} → ${back[i]}`);
  }
});
