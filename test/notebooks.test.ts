// `npm run notebooks` end to end: every notebook in examples/notebooks runs headless on the tslab kernel
// (Debian's nbconvert drives it) with no cell error, and each shows what it is for — a radiograph read
// from a DICOM, a training log, ROC and confusion-matrix plots, Grad-CAM overlays. Skips, with the reason,
// when no Python with nbconvert + jupyter_client is installed. Outputs: test-output/notebooks/*.ipynb.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PNG } from 'pngjs';
import { repoRoot, testOutputDir } from './helpers.js';

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
}
interface Cell {
  cell_type: string;
  outputs?: Output[];
}

const python = [process.env.CXRKIT_PYTHON, '/usr/bin/python3', 'python3']
  .filter((p): p is string => Boolean(p))
  .find((p) => spawnSync(p, ['-c', 'import nbconvert, nbclient, jupyter_client'], { stdio: 'ignore' }).status === 0);
const skip = python ? false : 'no Python with nbconvert, nbclient and jupyter_client (Debian: python3-nbconvert)';
const out = testOutputDir('notebooks');
const notebooks = readdirSync(join(repoRoot, 'examples', 'notebooks')).filter((f) => f.endsWith('.ipynb'));

const text = (v: string | string[] | undefined) => [v ?? ''].flat().join('');
const outputs = (name: string): Output[] => {
  const cells = (JSON.parse(readFileSync(join(out, name), 'utf8')) as { cells: Cell[] }).cells;
  return cells.flatMap((c) => c.outputs ?? []);
};
const stdout = (name: string) =>
  outputs(name)
    .filter((o) => o.output_type === 'stream' && o.name === 'stdout')
    .map((o) => text(o.text))
    .join('');
const pngs = (name: string) =>
  outputs(name)
    .filter((o) => o.data?.['image/png'] !== undefined)
    .map((o) => PNG.sync.read(Buffer.from(text(o.data!['image/png']), 'base64')));

test('npm run notebooks: every notebook runs with no cell error', { skip }, async (t) => {
  assert.ok(notebooks.length >= 4, `expected the four notebooks, found ${notebooks.join(', ')}`);
  const r = spawnSync(
    process.execPath,
    [join(repoRoot, 'scripts', 'notebooks.mjs'), '--out', relative(repoRoot, out)],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 20 * 60_000,
    },
  );
  console.log(r.stdout.trim());
  assert.equal(r.status, 0, `scripts/notebooks.mjs failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  for (const nb of notebooks) {
    const errors = outputs(nb).filter((o) => o.output_type === 'error');
    assert.deepEqual(errors, [], `${nb} has error outputs`);
  }

  await t.test('01: a radiograph read from a DICOM is shown (and the real one, or the reason it is not)', () => {
    const log = stdout('01-read-dicom.ipynb');
    // the synthetic CR written by encodeDicom: 256 × 256, MONOCHROME1, read back to within 12-bit quantisation
    assert.match(log, /CR PA 256×256, MONOCHROME1/);
    const diff = Number(/largest difference from the generated pixels: ([\d.]+)/.exec(log)?.[1]);
    assert.ok(diff <= 1 / 4095, `read-back differs by ${diff} (> one 12-bit level)`);
    const images = pngs('01-read-dicom.ipynb');
    const real = /DX \S+ 1024×1024/.test(log);
    assert.ok(real || /skipped: no real DICOM/.test(log), 'neither the real DICOM nor the reason it was skipped');
    assert.deepEqual(
      images.map((p) => [p.width, p.height]),
      real
        ? [
            [384, 384],
            [256, 256],
          ]
        : [[256, 256]],
    );
  });

  await t.test('02: the small model trains on wasm and logs its tuning AUC each epoch', () => {
    const log = stdout('02-train-small-model.ipynb');
    assert.match(log, /backend: wasm/);
    assert.equal((log.match(/^epoch \d+: loss [\d.]+, tuning AUC [\d.]+/gm) ?? []).length, 5);
    const fromTrain = /best tuning AUC ([\d.]+)/.exec(log)?.[1];
    const fromPredictor = /tuning AUC from the predictor's scores: ([\d.]+)/.exec(log)?.[1];
    assert.ok(fromTrain && fromPredictor, 'AUC lines missing');
    assert.equal(fromPredictor, fromTrain, 'the predictor scores the tuning set as train() evaluated it');
    assert.match(log, /tensors left: 0/);
    assert.deepEqual(
      pngs('02-train-small-model.ipynb').map((p) => [p.width, p.height]),
      [[4 * 96, 96]],
    );
  });

  await t.test('03: the ROC plot is an SVG with both curves, the confusion matrix a PNG', () => {
    const svgs = outputs('03-roc.ipynb').filter((o) => o.data?.['image/svg+xml'] !== undefined);
    assert.equal(svgs.length, 1);
    const svg = text(svgs[0]!.data!['image/svg+xml']);
    assert.match(svg, /^<svg[\s\S]*<\/svg>$/);
    assert.match(svg, /age alone: AUC/);
    assert.match(svg, /bone brightness: AUC/);
    const png = pngs('03-roc.ipynb');
    assert.equal(png.length, 1);
    assert.ok(png[0]!.width > 100 && png[0]!.height > 100, `confusion matrix ${png[0]!.width}×${png[0]!.height}`);
  });

  await t.test('04: Grad-CAM overlays of four cases are shown, in colour', () => {
    assert.match(stdout('04-grad-cam.ipynb'), /peak on the signal bones in \d+ of 12 cases/);
    const [png, ...rest] = pngs('04-grad-cam.ipynb');
    assert.equal(rest.length, 0);
    assert.deepEqual([png!.width, png!.height], [4 * 192, 192]);
    // a heat overlay is coloured: some pixels have R ≠ B (a grey radiograph alone has R = G = B)
    let coloured = 0;
    for (let i = 0; i < png!.data.length; i += 4) if (png!.data[i] !== png!.data[i + 2]) coloured++;
    assert.ok(coloured > 0.25 * png!.width * png!.height, `only ${coloured} coloured pixels`);
  });
});
