// The Grad-CAM atlas of one run (thesis Part 3): Grad-CAM averaged over the last block's convolutions
// (InceptionV3: mixed10's nine, `conv2d_86` … `conv2d_94`), on the test set's true positives, each CAM
// registered to a reference lung field and averaged. Written as PNGs for the report.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodePng, imagesToTensor, resize } from '@cxrkit/core';
import { type AtlasCase, buildCamAtlas, gradCam } from '@cxrkit/gradcam';
import { loadModel } from '@cxrkit/models';
import type { StudyData } from '../dataset/study-data.js';
import type { RunSpec } from '../schema/load-experiment.js';
import { type RunPredictions, type RunRecord, runDirOf } from './train-run.js';

/** What the atlas step recorded for a run (atlas/<run>.json). */
export interface AtlasRecord {
  run: string;
  layers: string[];
  /** Side of the CAM grid (the first layer's feature map: 1 at 96 px for InceptionV3, 14 at the thesis's 512). */
  grid: number;
  truePositives: number;
  averaged: number;
  files: { overlay: string; mean: string };
}

/** The CAM layers of a backbone: the convolutions of its last block, or its feature layer. */
export function camLayers(backbone: string): string[] {
  if (backbone === 'inception_v3') return Array.from({ length: 9 }, (_, i) => `conv2d_${86 + i}`);
  return [backbone === 'resnet50' ? 'conv5_block3_out' : 'relu'];
}

/** Builds (or keeps) the atlas of `run` under `outDir/atlas/`. */
export async function buildRunAtlas(
  run: RunSpec,
  record: RunRecord,
  predictions: RunPredictions,
  data: StudyData,
  runsDir: string,
  outDir: string,
  maxCases: number,
): Promise<AtlasRecord | undefined> {
  const dir = join(outDir, 'atlas');
  const jsonPath = join(dir, `${run.id}.json`);
  if (existsSync(jsonPath))
    return JSON.parse(await (await import('node:fs/promises')).readFile(jsonPath, 'utf8')) as AtlasRecord;
  if (record.status !== 'done' || !record.threshold || run.fusion !== 'none') return undefined;
  const byId = new Map(data.records.map((r) => [r.id, r]));
  const tp = predictions.ids
    .map((id, i) => ({ id, i }))
    .filter(
      ({ i }) =>
        predictions.split[i] === 'test' &&
        predictions.target[i] === 1 &&
        predictions.score[i]! >= record.threshold!.value,
    );
  const picked = tp.slice(0, maxCases);
  const model = await loadModel(join(runDirOf(runsDir, run.id), 'model'));
  const layers = camLayers(run.backbone);
  const grid = (model.getLayer(layers[0]!).outputShape as number[])[1] ?? 0;
  const cases: AtlasCase[] = [];
  try {
    for (let start = 0; start < picked.length; start += 8) {
      const chunk = picked.slice(start, start + 8);
      const imgs = await Promise.all(chunk.map(({ id }) => data.prepared(byId.get(id)!, run.inputSize)));
      const x = imagesToTensor(imgs, { channels: 1 });
      const maps = await gradCam(model, x, { layers, target: 'positive' });
      x.dispose();
      for (const [k, { id, i }] of chunk.entries()) {
        const r = byId.get(id)!;
        const image = await data.gray(r);
        const mask = data.lungMask ? await data.lungMask(r) : undefined;
        cases.push({
          image,
          cam: resize(maps[k]!, { width: image.width, height: image.height, filter: 'bilinear', antialias: false }),
          ...(mask ? { lungMask: { data: mask, width: image.width, height: image.height } } : {}),
          prediction: predictions.score[i]!,
          label: 1,
          id,
        });
      }
    }
  } finally {
    model.dispose();
  }
  if (cases.length === 0) return undefined;
  const atlas = buildCamAtlas(cases);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${run.id}-overlay.png`), encodePng(atlas.overlay));
  await writeFile(join(dir, `${run.id}-mean.png`), encodePng(atlas.image8));
  const rec: AtlasRecord = {
    run: run.id,
    layers,
    grid,
    truePositives: tp.length,
    averaged: atlas.count,
    files: { overlay: `atlas/${run.id}-overlay.png`, mean: `atlas/${run.id}-mean.png` },
  };
  await writeFile(jsonPath, `${JSON.stringify(rec, null, 1)}\n`);
  return rec;
}
