// The images and labels of a study, from either source the file can name: a synthetic cohort (rendered
// lazily, split by patient) or a `cxrkit dataset scan` folder (manifest.csv with its split column). Data
// flow: source → StudyRecord[] (labels, split) → `prepared(record, size)` (the model's input pixels,
// preprocessed exactly as the model card will say) → training samples.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  type GrayImage,
  type WhoCategory,
  loadGrayImage,
  splitByPatient,
  synthesizeDataset,
  whoCategory,
} from '@cxrkit/core';
import { cardImagePixels } from '@cxrkit/models/card';
import { parse } from 'csv-parse/sync';
import { experimentsError } from '../errors.js';
import type { SyntheticCohortSpec, TaskSpec } from '../schema/experiment-schema.js';

/** Split names a study uses. */
export type SplitName = 'train' | 'tune' | 'test';

/** One image of a study with its labels. */
export interface StudyRecord {
  id: string;
  patientId: string;
  split: SplitName;
  age?: number;
  sex?: 'M' | 'F';
  who?: WhoCategory;
  tScore?: number;
  osteoporosis?: 0 | 1;
  /** Every label column as text (manifest), or the synthetic labels. */
  cells: Record<string, string>;
}

/** A study's data: records and how to get their pixels. */
export interface StudyData {
  records: StudyRecord[];
  /** One line for the report: where the data came from. */
  source: string;
  synthetic: boolean;
  /** The model input of a record at `size` (z-score after a 0.5 % clip: the thesis's Part 2 preprocessing). */
  prepared(record: StudyRecord, size: number): Promise<GrayImage>;
  /** The raw gray radiograph (for CAM overlays). */
  gray(record: StudyRecord): Promise<GrayImage>;
  /** The lung mask at the raw image's size, where the source knows it (synthetic). */
  lungMask?(record: StudyRecord): Promise<Uint8Array>;
}

/** Preprocessing every study model uses (written into each run's model card). */
export const STUDY_PREPROCESSING = { normalize: 'zscore', clipPercent: 0.5 } as const;

function preparedPixels(image: GrayImage, size: number): GrayImage {
  const data = cardImagePixels(image, {
    architecture: { inputSize: size, channels: 1 },
    preprocessing: STUDY_PREPROCESSING,
  });
  return { data, width: size, height: size };
}

/** A per-size cache of prepared images (kept in memory: a study reads each image once per epoch). */
function cached(load: (r: StudyRecord) => Promise<GrayImage>) {
  const bySize = new Map<number, Map<string, GrayImage>>();
  return async (r: StudyRecord, size: number): Promise<GrayImage> => {
    let m = bySize.get(size);
    if (!m) {
      m = new Map();
      bySize.set(size, m);
    }
    let img = m.get(r.id);
    if (!img) {
      img = preparedPixels(await load(r), size);
      m.set(r.id, img);
    }
    return img;
  };
}

/** A synthetic cohort, split 70/10/20 by patient (stratified by class and sex). */
export function syntheticStudyData(spec: SyntheticCohortSpec): StudyData {
  const ageSexBmdEffect = spec.boneDensity === 'age-sex' ? 2 : spec.boneDensity === 'independent' ? 0 : 1;
  const synth = synthesizeDataset({
    n: spec.n,
    seed: spec.seed,
    size: spec.size,
    imagesPerPatient: spec.imagesPerPatient,
    osteoporosisFraction: spec.osteoporosisFraction,
    femaleFraction: spec.femaleFraction,
    ageRange: spec.ageRange,
    signalRegion: spec.signalRegion,
    difficulty: spec.difficulty,
    ageSexBmdEffect,
    render: false,
  });
  const rows = synth.map((r) => ({ ...r, sex: r.labels.sex }));
  const { splits } = splitByPatient(rows, {
    seed: String(spec.seed),
    fractions: spec.split,
    stratifyBy: (r) => r.labels.osteoporosis,
    bySex: true,
  });
  const split = new Map<string, SplitName>();
  for (const name of ['train', 'tune', 'test'] as const) for (const r of splits[name] ?? []) split.set(r.id, name);
  const byId = new Map(synth.map((r) => [r.id, r]));
  const records: StudyRecord[] = synth.map((r) => ({
    id: r.id,
    patientId: r.patientId,
    split: split.get(r.id)!,
    age: r.labels.age,
    sex: r.labels.sex,
    who: r.labels.who,
    tScore: r.labels.tScore,
    osteoporosis: r.labels.osteoporosis,
    cells: {
      age: String(r.labels.age),
      sex: r.labels.sex,
      who: r.labels.who,
      tscore_min: String(r.labels.tScore),
      osteoporosis: String(r.labels.osteoporosis),
    },
  }));
  const rendered = new Map<string, ReturnType<(typeof synth)[number]['render']>>();
  const render = (r: StudyRecord) => {
    let x = rendered.get(r.id);
    if (!x) {
      x = byId.get(r.id)!.render();
      rendered.set(r.id, x);
    }
    return x;
  };
  const boneDensity =
    spec.boneDensity === 'age-sex'
      ? 'depends on age and sex (twice the default slope)'
      : spec.boneDensity === 'independent'
        ? 'independent of age and sex'
        : 'mildly age/sex dependent (generator default)';
  return {
    records,
    source: `synthetic cohort: ${spec.n} images at ${spec.size} px, seed '${spec.seed}', difficulty ${spec.difficulty}, bone density ${boneDensity}, signal in ${spec.signalRegion}`,
    synthetic: true,
    prepared: cached(async (r) => render(r).image),
    gray: async (r) => render(r).image,
    lungMask: async (r) => render(r).lungMask,
  };
}

const SPLIT_ALIASES: Record<string, SplitName> = {
  train: 'train',
  tune: 'tune',
  valid: 'tune',
  validation: 'tune',
  val: 'tune',
  test: 'test',
};

/** A `cxrkit dataset scan` folder (or its manifest.csv): one row per image, paths relative to the manifest. */
export async function manifestStudyData(path: string): Promise<StudyData> {
  const file = path.toLowerCase().endsWith('.csv') ? path : resolve(path, 'manifest.csv');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw experimentsError('EXPERIMENT_DATASET_NOT_FOUND', 'cannot read the dataset manifest', {
      received: file,
      fix: 'point dataset.manifest at a folder written by `cxrkit dataset scan` (it holds manifest.csv)',
      cause,
    });
  }
  const rows = parse(text, { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[];
  for (const c of ['path', 'patient_id', 'split']) {
    if (rows.length && !(c in rows[0]!)) {
      throw experimentsError('EXPERIMENT_DATASET_INVALID', `the manifest has no ${c} column`, {
        received: file,
        fix: 'use a manifest written by cxrkit dataset scan (sop_instance_uid, path, patient_id, age, sex, view, split, …)',
      });
    }
  }
  const base = dirname(resolve(file));
  const paths = new Map<string, string>();
  const records: StudyRecord[] = rows.map((r, i) => {
    const split = SPLIT_ALIASES[(r.split ?? '').toLowerCase()];
    if (!split) {
      throw experimentsError(
        'EXPERIMENT_DATASET_INVALID',
        `manifest row ${i + 1}: split ${JSON.stringify(r.split)} is not train, tune or test`,
        {
          received: r.split,
          fix: 'write train, tune (or valid) and test in the split column',
        },
      );
    }
    const id = r.sop_instance_uid || r.id || `row-${i + 1}`;
    paths.set(id, isAbsolute(r.path!) ? r.path! : resolve(base, r.path!));
    const num = (c: string) => (r[c] === undefined || r[c] === '' ? undefined : Number(r[c]));
    const rec: StudyRecord = { id, patientId: r.patient_id!, split, cells: r };
    const age = num('age');
    if (age !== undefined && Number.isFinite(age)) rec.age = age;
    if (r.sex === 'M' || r.sex === 'F') rec.sex = r.sex;
    const t = num('tscore_min');
    if (t !== undefined && Number.isFinite(t)) {
      rec.tScore = t;
      rec.who = whoCategory(t);
    }
    if (r.who === 'normal' || r.who === 'osteopenia' || r.who === 'osteoporosis') rec.who = r.who;
    if (r.osteoporosis === '0' || r.osteoporosis === '1') rec.osteoporosis = Number(r.osteoporosis) as 0 | 1;
    else if (rec.who) rec.osteoporosis = rec.who === 'osteoporosis' ? 1 : 0;
    return rec;
  });
  const gray = (r: StudyRecord) => loadGrayImage(paths.get(r.id)!);
  return {
    records,
    source: `manifest ${file} (${records.length} images)`,
    synthetic: false,
    prepared: cached(gray),
    gray,
  };
}

/** The target of `task` for a record (years for age, 0/1 for binary), or undefined when unlabelled. */
export function taskTarget(task: TaskSpec, r: StudyRecord): number | undefined {
  const raw =
    task.label === 'age'
      ? r.age
      : task.label === 'sex'
        ? r.sex
        : task.label === 'osteoporosis'
          ? r.osteoporosis
          : task.label === 'who'
            ? r.who
            : r.cells[task.label];
  if (raw === undefined || raw === '') return undefined;
  if (task.kind === 'regression') {
    const v = Number(raw);
    return Number.isFinite(v) ? v : undefined;
  }
  if (task.positive !== undefined) return String(raw) === task.positive ? 1 : 0;
  const s = String(raw).toLowerCase();
  if (s === '1' || s === 'true') return 1;
  if (s === '0' || s === 'false') return 0;
  throw experimentsError('EXPERIMENT_LABEL_INVALID', `label ${task.label} holds ${JSON.stringify(raw)}, not 0/1`, {
    received: raw,
    fix: `give the task a positive value, e.g. positive: ${JSON.stringify(String(raw))}`,
  });
}

/** Checks that the task's label exists in the data (typed error with the columns it has). */
export function checkTaskLabel(taskName: string, task: TaskSpec, data: StudyData): void {
  const known = new Set(['age', 'sex', 'osteoporosis', 'who', ...Object.keys(data.records[0]?.cells ?? {})]);
  if (!known.has(task.label)) {
    throw experimentsError('EXPERIMENT_LABEL_INVALID', `task '${taskName}': the data has no label '${task.label}'`, {
      received: task.label,
      fix: `use one of ${[...known].join(', ')}`,
    });
  }
  const n = data.records.filter((r) => taskTarget(task, r) !== undefined).length;
  if (n === 0) {
    throw experimentsError('EXPERIMENT_LABEL_INVALID', `task '${taskName}': no image has a value for '${task.label}'`, {
      received: task.label,
      fix: 'check the label column (a scan without T-scores has no osteoporosis label)',
    });
  }
}
