// Our PNG writer against Pillow's reader (expected values are the pixels we put in), and its errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { encodePng, isCxrkitError, writePng, writePngSync, type PngImage } from '@cxrkit/core';
import { testOutputDir } from '../../../../test/helpers.js';

const PY = '/usr/bin/python3';
const hasPil = existsSync(PY) && spawnSync(PY, ['-c', 'import PIL, numpy'], { encoding: 'utf8' }).status === 0;

test('Pillow reads our 8- and 16-bit grayscale PNGs with the expected integer levels', {
  skip: hasPil ? false : 'needs /usr/bin/python3 with python3-pil',
}, async () => {
  const w = 37,
    h = 23;
  const data = Float32Array.from({ length: w * h }, (_, i) => ((i * 2654435761) >>> 0) / 4294967296);
  const files: Array<[string, 8 | 16]> = [
    [testOutputDir('png', 'gray8.png'), 8],
    [testOutputDir('png', 'gray16.png'), 16],
  ];
  for (const [p, bitDepth] of files) await writePng(p, { data, width: w, height: h }, { bitDepth });
  const script =
    'import sys, json, numpy as np\nfrom PIL import Image\nout=[]\nfor p in sys.argv[1:]:\n  im=Image.open(p); a=np.asarray(im).astype(np.int64)\n  out.append({"mode": im.mode, "size": list(im.size), "values": a.ravel().tolist()})\nprint(json.dumps(out))';
  const r = spawnSync(PY, ['-c', script, ...files.map((f) => f[0])], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout);
  files.forEach(([, bits], k) => {
    assert.deepEqual(seen[k].size, [w, h]);
    assert.ok(bits === 8 ? seen[k].mode === 'L' : /^I/.test(seen[k].mode), `mode ${seen[k].mode}`);
    const max = 2 ** bits - 1;
    assert.deepEqual(
      seen[k].values,
      Array.from(data, (v) => Math.round(v * max)),
    );
  });
});

const skipPil = hasPil ? false : 'needs /usr/bin/python3 with python3-pil';

test('Pillow reads our 8-bit grey, RGB and RGBA PNGs (encodePng by layout) byte for byte', { skip: skipPil }, () => {
  const w = 13,
    h = 7,
    n = w * h;
  const bytes = (k: number) => Uint8Array.from({ length: k }, (_, i) => ((i * 2654435761) >>> 0) % 256);
  const cases: Array<[string, string, PngImage]> = [
    ['gray8.png', 'L', { data: bytes(n), width: w, height: h }],
    ['rgb.png', 'RGB', { data: bytes(3 * n), width: w, height: h, channels: 3 }],
    ['rgba.png', 'RGBA', { data: Uint8ClampedArray.from(bytes(4 * n)), width: w, height: h }],
  ];
  const paths = cases.map(([name, , image]) => writePngSync(testOutputDir('png', 'layouts', name), image));
  const script =
    'import sys, json, numpy as np\nfrom PIL import Image\n' +
    'ims = [Image.open(p) for p in sys.argv[1:]]\n' +
    'print(json.dumps([{"mode": im.mode, "values": np.asarray(im).ravel().tolist()} for im in ims]))';
  const r = spawnSync(PY, ['-c', script, ...paths], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout);
  cases.forEach(([name, mode, image], k) => {
    assert.equal(seen[k].mode, mode, name);
    assert.deepEqual(seen[k].values, Array.from(image.data), name);
  });
});

test('encodePng refuses pixels whose length fits no layout, and float-only options on bytes', () => {
  const bad = (image: unknown, code: string, options = {}) =>
    assert.throws(
      () => encodePng(image as PngImage, options),
      (e) => isCxrkitError(e, code),
    );
  bad({ data: new Uint8Array(5), width: 2, height: 2 }, 'IMAGE_BAD_SHAPE');
  bad({ data: new Uint8Array(12), width: 2, height: 2, channels: 4 }, 'IMAGE_BAD_SHAPE');
  bad({ data: new Uint16Array(4), width: 2, height: 2 }, 'IMAGE_BAD_SHAPE');
  bad({ data: new Float32Array(3), width: 2, height: 2 }, 'IMAGE_BAD_SHAPE');
  bad({ data: new Uint8Array(4), width: 2, height: 2 }, 'PNG_BAD_OPTION', { bitDepth: 16 });
  bad({ data: new Uint8Array(4), width: 2, height: 2 }, 'PNG_BAD_OPTION', { range: 'minmax' });
  bad({ data: new Float32Array(4), width: 2, height: 2 }, 'PNG_BAD_BIT_DEPTH', { bitDepth: 12 });
});
