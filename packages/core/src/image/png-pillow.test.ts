import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writePng } from '@cxrkit/core';
import { testOutputDir } from '../../../../test/helpers.js';

const PY = '/usr/bin/python3';
const hasPil = existsSync(PY) && spawnSync(PY, ['-c', 'import PIL, numpy'], { encoding: 'utf8' }).status === 0;

test('Pillow reads our 8- and 16-bit grayscale PNGs with the expected integer levels', { skip: hasPil ? false : 'needs /usr/bin/python3 with python3-pil' }, async () => {
  const w = 37, h = 23;
  const data = Float32Array.from({ length: w * h }, (_, i) => ((i * 2654435761) >>> 0) / 4294967296);
  const files: Array<[string, 8 | 16]> = [[testOutputDir('png', 'gray8.png'), 8], [testOutputDir('png', 'gray16.png'), 16]];
  for (const [p, bitDepth] of files) await writePng(p, { data, width: w, height: h }, { bitDepth });
  const script = 'import sys, json, numpy as np\nfrom PIL import Image\nout=[]\nfor p in sys.argv[1:]:\n  im=Image.open(p); a=np.asarray(im).astype(np.int64)\n  out.append({"mode": im.mode, "size": list(im.size), "values": a.ravel().tolist()})\nprint(json.dumps(out))';
  const r = spawnSync(PY, ['-c', script, ...files.map((f) => f[0])], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout);
  files.forEach(([, bits], k) => {
    assert.deepEqual(seen[k].size, [w, h]);
    assert.ok(bits === 8 ? seen[k].mode === 'L' : /^I/.test(seen[k].mode), `mode ${seen[k].mode}`);
    const max = 2 ** bits - 1;
    assert.deepEqual(seen[k].values, Array.from(data, (v) => Math.round(v * max)));
  });
});
