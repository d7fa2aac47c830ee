// @cxrkit/gradcam/tfjs-free loads no TensorFlow.js: checked in a child process whose module hooks make every
// `@tensorflow/*` import fail; it overlays a heat map and checks a radiograph for lung fields there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../../test/helpers.js';

test('@cxrkit/gradcam/tfjs-free overlays and checks lung fields with every @tensorflow package blocked', () => {
  const script = `
    const g = await import('@cxrkit/gradcam/tfjs-free');
    const core = await import('@cxrkit/core/tfjs-free');
    const img = core.synthesizeRadiograph({ seed: 1, size: 64 }).image;
    const heat = { data: new Float32Array(16).fill(1), width: 4, height: 4 };
    const overlay = g.overlayHeatmap(img, heat);
    const check = g.checkLungFields(img);
    console.log(JSON.stringify([overlay.data.length, typeof check.found, g.classicalLungSegmentation(img).data.length]));`;
  const r = spawnSync(
    process.execPath,
    [
      '--conditions=cxrkit-source',
      '--import',
      'tsx',
      '--import',
      join(repoRoot, 'test', 'fixtures', 'no-tfjs', 'register.mjs'),
      '--input-type=module',
      '-e',
      script,
    ],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), [64 * 64 * 4, 'boolean', 64 * 64]);
});
