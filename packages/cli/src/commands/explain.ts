// `cxrkit explain <model> <manifest> --out DIR`: Grad-CAM over the true positives of one split — an
// overlay per case and the registered CAM atlas (thesis Part 3). Layers: --layers, else the card's
// `info.camLayers`, else InceptionV3's mixed10 convolutions (gradcam's defaultCamLayers). All the work is
// the libraries': predictRows (dataset), gradCam / overlayHeatmap / buildCamAtlas (gradcam).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type GrayImage, preprocessRadiograph, readDicom, resizeBicubic, writePng } from '@cxrkit/core/tfjs-free';
import { findCardCache, manifestRowInputs, predictRows, prepareOutputFolder, readScanManifest } from '@cxrkit/dataset';
import type { AtlasCase } from '@cxrkit/gradcam';
import type * as TF from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { cliError } from '../io/cli-error.js';
import { addModelRunOptions, type ModelRunFlags } from '../io/common-options.js';
import { integerOption, listOption, numberOption } from '../io/option-parsers.js';
import { createProgress } from '../io/progress.js';

interface ExplainFlags extends ModelRunFlags {
  out: string;
  layers?: string[];
  label: string;
  max: number;
  viewSize: number;
  threshold?: number;
  force?: boolean;
  json?: boolean;
}

/** `cxrkit explain`. */
export function explainCommand(ctx: CliContext): Command {
  const cmd = new Command('explain')
    .summary('Grad-CAM overlays of the true positives of a split and the registered CAM atlas')
    .description(
      [
        'Scores one split of MANIFEST with MODEL (a saved model folder: Grad-CAM needs TensorFlow.js), takes the',
        'true positives at the card’s threshold, and writes OUT/overlays/tp-NNN.png (the CAM over the radiograph),',
        'OUT/atlas.png and OUT/atlas-overlay.png (the CAMs registered to a reference lung mask and averaged, thesis',
        'Part 3) and OUT/explain.json. Layers averaged: --layers, else the card’s info.camLayers, else InceptionV3’s',
        'mixed10 convolutions (the thesis), else the last convolution.',
      ].join('\n'),
    )
    .argument('<model>', 'model folder (model.json + model-card.json)')
    .argument('<manifest>', 'manifest.csv from cxrkit dataset scan, or its folder')
    .requiredOption('--out <dir>', 'output folder (new or empty, or --force)')
    .option('--layers <names>', 'layers to average (Keras names or nested paths)', listOption('--layers'))
    .option('--label <column>', 'manifest column with the truth (0/1)', 'osteoporosis')
    .option('--threshold <score>', 'operating threshold instead of the card’s', numberOption('--threshold', 0, 1))
    .option(
      '--max <n>',
      'explain at most this many true positives (highest scores first)',
      integerOption('--max', 1, 100000),
      32,
    )
    .option('--view-size <px>', 'size of the overlay PNGs', integerOption('--view-size', 32, 4096), 384)
    .option('--force', 'replace the files explain writes in a non-empty output folder')
    .option('--json', 'print explain.json on stdout');
  addModelRunOptions(cmd, ctx, ['tfjs']);
  return cmd
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ cxrkit explain out/demo/model dataset/ --out explain/',
        '  $ cxrkit explain runs/a/model dataset/ --out cams --layers conv2d_93,conv2d_94 --max 100',
        '',
        'Exit codes: 0 ok, 1 failure (unreadable model or manifest, no true positive), 2 usage, 3 OUT holds files.',
      ].join('\n'),
    )
    .action(async (modelPath: string, manifestPath: string, flags: ExplainFlags) => {
      const out = resolve(flags.out);
      const rows = await readScanManifest(manifestPath, flags.split === 'all' ? undefined : flags.split);
      if (rows.length && !(flags.label in rows[0]!.cells)) {
        throw cliError('CLI_BAD_OPTION', `the manifest has no column ${JSON.stringify(flags.label)}`, {
          received: flags.label,
          fix: `pass --label <column>, one of ${Object.keys(rows[0]!.cells).join(', ')}`,
        });
      }
      await prepareOutputFolder(out, flags.force, ['overlays', 'atlas.png', 'atlas-overlay.png', 'explain.json']);
      // TensorFlow.js and Grad-CAM load only now (help and usage errors stay fast)
      const { loadModelForCli } = await import('../io/load-model.js');
      const { buildCamAtlas, defaultCamLayers, gradCam, overlayHeatmap, resizeBilinear } = await import(
        '@cxrkit/gradcam'
      );
      const tf = await import('@tensorflow/tfjs-core');
      const loaded = await loadModelForCli(modelPath, { ...flags, engine: 'tfjs' });
      const { card, model } = loaded;
      if (card.task.kind !== 'binary') {
        throw cliError('CLI_TASK_UNSUPPORTED', 'explain shows true positives of a binary screen', {
          received: card.task.kind,
          fix: 'explain a binary model',
        });
      }
      const threshold = flags.threshold ?? card.threshold?.value ?? 0.5;
      const layers =
        flags.layers ?? (card.info?.['camLayers'] as string[] | undefined) ?? defaultCamLayers(model! as never);
      const manifestFile = manifestPath.toLowerCase().endsWith('.csv')
        ? manifestPath
        : resolve(manifestPath, 'manifest.csv');
      const cacheRoot = resolve(dirname(manifestFile), 'cache');
      const progress = createProgress(ctx, 'explain', flags);
      const pred = await predictRows(rows, {
        predictor: loaded.predictor,
        card,
        cacheRoot,
        batchSize: flags.batchSize,
        onProgress: (d, t) => progress.update('score', d, t),
      });
      const tps = rows
        .map((r, i) => ({ r, score: pred.outputs[i]?.[0] }))
        .filter(
          (x): x is { r: (typeof rows)[number]; score: number } =>
            x.score !== undefined && x.r.cells[flags.label] === '1' && x.score >= threshold,
        )
        .sort((a, b) => b.score - a.score);
      if (tps.length === 0) {
        progress.stop();
        throw cliError(
          'CLI_NO_TRUE_POSITIVE',
          `no true positive in split ${flags.split} at threshold ${threshold.toFixed(3)}`,
          {
            received: { rows: rows.length, scored: pred.outputs.filter(Boolean).length },
            fix: 'explain another split (--split), or check the --label column',
          },
        );
      }
      const chosen = tps.slice(0, flags.max);
      const spec = await findCardCache(cacheRoot, card);
      const { inputSize: size, channels, inputName } = card.architecture;
      await mkdir(join(out, 'overlays'), { recursive: true });
      const cases: AtlasCase[] = [];
      const written: { file: string; sopInstanceUid: string; score: number }[] = [];
      for (let k = 0; k < chosen.length; k++) {
        const { r, score } = chosen[k]!;
        const { inputs } = await manifestRowInputs(r, card, cacheRoot, spec);
        const display: GrayImage = preprocessRadiograph((await readDicom(r.path)).grayscale(0), {
          size,
          normalize: 'percentile',
        });
        const tensors: Record<string, TF.Tensor> = {};
        for (const [name, data] of Object.entries(inputs)) {
          tensors[name] = tf.tensor(data, name === inputName ? [1, size, size, channels] : [1, data.length]);
        }
        const [cam] = gradCam(model!, card.fusion.length ? tensors : tensors[inputName]!, {
          layers,
          target: 'positive',
        });
        for (const t of Object.values(tensors)) t.dispose();
        const file = `overlays/tp-${String(k + 1).padStart(3, '0')}.png`;
        const v = flags.viewSize;
        await writePng(
          join(out, file),
          overlayHeatmap(resizeBicubic(display, { width: v, height: v }), resizeBilinear(cam!, v, v), {
            colormap: 'jet',
          }),
        );
        cases.push({ image: display, cam: cam!, prediction: score, label: 1, id: String(k + 1) });
        written.push({ file, sopInstanceUid: r.sopInstanceUid, score });
        progress.update('explain', k + 1, chosen.length);
      }
      progress.stop();
      const atlas = buildCamAtlas(cases);
      await writePng(join(out, 'atlas.png'), atlas.image8);
      await writePng(join(out, 'atlas-overlay.png'), atlas.overlay);
      await loaded.predictor.dispose();
      const report = {
        model: { name: card.name, cardId: card.id ?? null },
        manifest: manifestFile,
        split: flags.split,
        layers,
        threshold,
        truePositives: tps.length,
        explained: chosen.length,
        atlas: {
          count: atlas.count,
          files: ['atlas.png', 'atlas-overlay.png'],
          leftOut: atlas.cases.filter((c) => !c.used).map((c) => ({ case: c.index + 1, reason: c.reason ?? '' })),
        },
        cases: written,
      };
      await writeFile(join(out, 'explain.json'), `${JSON.stringify(report, null, 2)}\n`);
      ctx.io.stdout(
        flags.json
          ? `${JSON.stringify(report, null, 2)}\n`
          : `explained ${chosen.length} of ${tps.length} true positive(s) with ${layers.length} layer(s); atlas of ${atlas.count}; wrote ${flags.out}/overlays/, atlas.png, atlas-overlay.png, explain.json\n`,
      );
    });
}
