// `scanDataset`: a folder of DICOMs + a labels spreadsheet → manifest entries (one per included image),
// exclusions (one per excluded file or unmatched labels row, with its code), a patient-level split.
// Data flow: labels file → LabelIndex (checked first: a bad option fails before any DICOM is read) →
// every file read in parallel (read-image-facts.ts) → rules in order (unreadable, unidentifiable,
// duplicate, view, age, label) → WHO class from the lowest T-score → splitByPatient (seeded, stratified).
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { assertKnownKeys, lowestTScore, splitByPatient, whoCategory, type WhoCategory } from '@cxrkit/core/tfjs-free';
import {
  type PixelCacheOptions,
  type PixelCacheSpec,
  pixelCachePath,
  pixelCacheSpec,
  writePixelCacheIndex,
} from '../cache/pixel-cache.js';
import { datasetError } from '../errors.js';
import { indexLabels, type LabelIndex, type LabelKey, parseLabelKey } from '../labels/label-index.js';
import { readLabelsTable } from '../labels/read-labels-table.js';
import type { ExclusionCode } from './exclusion-codes.js';
import { listFiles } from './list-files.js';
import type { ImageFacts, ImageReadResult } from './read-image-facts.js';
import { readAllImages } from './worker-pool.js';

/** Default youngest age included, years (the thesis's screen is for adults ≥ 50; `minAge: 0` keeps all). */
export const DEFAULT_MIN_AGE = 50;
/** Default accepted views. */
export const DEFAULT_VIEWS: readonly string[] = ['PA'];
/** Default split: train / tune / test by patient (thesis: 70/10/20). */
export const DEFAULT_SPLIT = { names: ['train', 'tune', 'test'], fractions: [0.7, 0.1, 0.2] } as const;

/** Progress of a scan, for a bar or a log line (no identifiers, no paths). */
export interface ScanProgress {
  stage: 'labels' | 'list' | 'read' | 'join';
  done: number;
  total: number;
}

/** Options of {@link scanDataset}. */
export interface ScanOptions {
  /** Folder of DICOM files (subfolders included). */
  dir: string;
  /** Labels file: CSV, or TSV (`.tsv`/`.tab`, or tabs in the header line). */
  labels: string;
  /** `column=Keyword` (e.g. `mrn=PatientID`) or its parsed form. Keywords: PatientID, AccessionNumber, SOPInstanceUID. */
  key: string | LabelKey;
  /** Labels columns holding DXA T-scores; the WHO class follows the lowest (thesis). Optional. */
  tScoreColumns?: readonly string[];
  /** Youngest age included, years. Default {@link DEFAULT_MIN_AGE}; 0 keeps every age, and images without one. */
  minAge?: number;
  /** Accepted View Position values (upper case). Default ['PA']; `null` accepts any view, or none. */
  views?: readonly string[] | null;
  /** Split fractions (sum 1) and names, and the seed. Default 70/10/20 train/tune/test, seed 0. */
  split?: { fractions?: readonly number[]; names?: readonly string[]; seed?: number | string };
  /** Worker threads reading DICOMs; 0 reads in this thread. Default min(4, cores). */
  workers?: number;
  /** Write each included image's preprocessed pixels under `root` (see pixel-cache.ts). */
  cache?: PixelCacheOptions & { root: string };
  /** Progress callback (the library never prints). */
  onProgress?: (p: ScanProgress) => void;
  /**
   * Called once the options and the labels are checked and the files listed, before anything is read or
   * written (e.g. to prepare the output folder only when the scan will run).
   */
  beforeRead?: () => Promise<void> | void;
}

const SCAN_OPTION_KEYS = [
  'dir',
  'labels',
  'key',
  'tScoreColumns',
  'minAge',
  'views',
  'split',
  'workers',
  'cache',
  'onProgress',
  'beforeRead',
];

/** One included image: a manifest row. */
export interface ScanEntry {
  sopInstanceUid: string;
  /** Absolute path of the file. */
  path: string;
  patientId: string;
  accessionNumber?: string;
  age?: number;
  ageSource?: 'dates' | 'PatientAge';
  sex?: 'M' | 'F' | 'O';
  view?: string;
  modality?: string;
  manufacturer?: string;
  /** Split name (train / tune / test by default). */
  split: string;
  /** Lowest of the given T-scores, and its WHO class (when T-score columns were given). */
  tScoreMin?: number;
  who?: WhoCategory;
  /** 1 osteoporosis, 0 otherwise (when T-score columns were given). */
  osteoporosis?: 0 | 1;
  /** The matched labels row number (1-based data row) and its cells. */
  labelRow: number;
  labels: Record<string, string>;
  /** True when its pixels are in the cache. */
  cached: boolean;
}

/** One excluded file (or labels row: `path` empty and `row` set). */
export interface ScanExclusion {
  /** Absolute path of the file; '' for a labels row. */
  path: string;
  /** A reader code (DICOM_*, READ_*) or an {@link ExclusionCode}. */
  code: string;
  /** Why, in words. */
  reason: string;
  /** The labels row (1-based data row) concerned, when there is one. */
  row?: number;
}

/** What {@link scanDataset} found. */
export interface ScanResult {
  entries: ScanEntry[];
  /** Files first (in path order), then labels rows without an image (in row order). */
  exclusions: ScanExclusion[];
  /** Files found under the folder. */
  files: number;
  /** Files that parsed as DICOM (readable). */
  readable: number;
  /** Data rows of the labels file. */
  labelRows: number;
  /** The options in force (defaults filled), for the summary. */
  settings: {
    key: LabelKey;
    tScoreColumns: string[];
    labelColumns: string[];
    minAge: number;
    views: string[] | null;
    split: { names: string[]; fractions: number[]; seed: number | string };
    workers: number | undefined;
    cache?: PixelCacheSpec;
  };
  /** Seconds spent reading the files, and in all. */
  seconds: { read: number; total: number };
}

const has = <T>(v: T | undefined): v is T => v !== undefined;

/**
 * Scans a DICOM folder against a labels file. One bad file never stops it: it becomes an exclusion with
 * its reason. Options and the labels file are checked before any DICOM is read.
 * @throws CxrkitError for bad options or labels (`SCAN_BAD_KEY`, `LABELS_UNKNOWN_COLUMN`, `LABELS_BAD_TSCORE`,
 *   `LABELS_DUPLICATE_KEY`, `SCAN_BAD_OPTION`, …), `SCAN_NOT_A_FOLDER`, `SCAN_NO_DICOM` (nothing under the
 *   folder parses as DICOM).
 */
export async function scanDataset(options: ScanOptions): Promise<ScanResult> {
  const t0 = performance.now();
  assertKnownKeys(options, SCAN_OPTION_KEYS, { code: 'SCAN_BAD_OPTION', pkg: 'dataset', where: 'of scanDataset' });
  assertKnownKeys(options.split, ['fractions', 'names', 'seed'], {
    code: 'SCAN_BAD_OPTION',
    pkg: 'dataset',
    where: 'in split',
  });
  const progress = options.onProgress ?? (() => {});
  const key = typeof options.key === 'string' ? parseLabelKey(options.key) : options.key;
  const minAge = options.minAge ?? DEFAULT_MIN_AGE;
  if (!(Number.isFinite(minAge) && minAge >= 0 && minAge <= 130)) {
    throw datasetError('SCAN_BAD_OPTION', 'the minimum age must be a number of years in 0–130', {
      received: minAge,
      fix: 'pass e.g. --min-age 50 (0 keeps every age)',
    });
  }
  const views = options.views === null ? null : (options.views ?? DEFAULT_VIEWS).map((v) => v.trim().toUpperCase());
  if (views?.some((v) => v === '')) {
    throw datasetError('SCAN_BAD_OPTION', 'a view is empty', {
      received: options.views,
      fix: 'pass e.g. --views PA or --views PA,AP',
    });
  }
  const split = {
    names: [...(options.split?.names ?? DEFAULT_SPLIT.names)],
    fractions: [...(options.split?.fractions ?? DEFAULT_SPLIT.fractions)],
    seed: options.split?.seed ?? 0,
  };
  const sum = split.fractions.reduce((a, b) => a + b, 0);
  if (
    split.fractions.length !== split.names.length ||
    split.fractions.some((f) => !(f >= 0)) ||
    Math.abs(sum - 1) > 1e-6
  ) {
    throw datasetError('SCAN_BAD_OPTION', 'split fractions must be ≥ 0, one per split name, and sum to 1', {
      received: split,
      fix: 'pass e.g. --split 70/10/20 (percent, or fractions summing to 1)',
    });
  }
  const cacheSpec = options.cache ? pixelCacheSpec(options.cache) : undefined;

  progress({ stage: 'labels', done: 0, total: 1 });
  const table = await readLabelsTable(options.labels);
  const index = indexLabels(table, key, options.tScoreColumns ?? [], options.labels);
  progress({ stage: 'labels', done: 1, total: 1 });

  progress({ stage: 'list', done: 0, total: 1 });
  const files = await listFiles(resolve(options.dir));
  progress({ stage: 'list', done: 1, total: 1 });
  if (files.length === 0) {
    throw datasetError('SCAN_NO_DICOM', 'the folder holds no files', {
      received: options.dir,
      fix: 'pass the folder that holds the DICOM files',
    });
  }

  await options.beforeRead?.();
  const cacheRoot = options.cache ? resolve(options.cache.root) : undefined;
  if (cacheSpec && cacheRoot) await writePixelCacheIndex(cacheRoot, cacheSpec);
  const tRead = performance.now();
  const results = await readAllImages(files, {
    workers: options.workers,
    cache: cacheSpec && cacheRoot ? { root: cacheRoot, spec: cacheSpec, views, minAge } : undefined,
    onFile: (done, total) => progress({ stage: 'read', done, total }),
  });
  const readSeconds = (performance.now() - tRead) / 1000;
  const readable = results.filter((r) => r.ok).length;
  if (readable === 0) {
    const codes = [...new Set(results.map((r) => (r.ok ? '' : r.code)))].slice(0, 4).join(', ');
    throw datasetError(
      'SCAN_NO_DICOM',
      `none of the ${files.length} file(s) under the folder is a readable DICOM (${codes})`,
      {
        received: options.dir,
        fix: 'pass the folder that holds the DICOM files (.dcm or extensionless Part 10 files)',
      },
    );
  }

  progress({ stage: 'join', done: 0, total: 1 });
  const { entries, exclusions } = applyRules(results, index, { minAge, views });
  const { splits } = splitByPatient(entries, {
    fractions: split.fractions,
    names: split.names,
    seed: split.seed,
    stratifyBy: index.tScoreColumns.length ? (e) => e.who : undefined,
    bySex: true,
  });
  for (const [name, list] of Object.entries(splits)) for (const e of list) e.split = name;
  if (cacheSpec && cacheRoot) await dropUnusedCacheFiles(results, entries, cacheRoot, cacheSpec);
  progress({ stage: 'join', done: 1, total: 1 });
  return {
    entries,
    exclusions,
    files: files.length,
    readable,
    labelRows: index.rowCount,
    settings: {
      key,
      tScoreColumns: index.tScoreColumns,
      labelColumns: index.columns,
      minAge,
      views,
      split,
      workers: options.workers,
      ...(cacheSpec ? { cache: cacheSpec } : {}),
    },
    seconds: { read: readSeconds, total: (performance.now() - t0) / 1000 },
  };
}

/** Deletes the cached pixels of images the rules excluded, so the cache holds exactly the manifest. */
async function dropUnusedCacheFiles(
  results: readonly ImageReadResult[],
  entries: readonly ScanEntry[],
  root: string,
  spec: PixelCacheSpec,
): Promise<void> {
  const keep = new Set(entries.map((e) => pixelCachePath(root, spec, e.sopInstanceUid)));
  for (const r of results) {
    if (!r.ok || !r.cached || !r.sopInstanceUid) continue;
    const p = pixelCachePath(root, spec, r.sopInstanceUid);
    if (!keep.has(p)) await rm(p, { force: true });
  }
}

function keyValue(f: ImageFacts, key: LabelKey): string | undefined {
  if (key.keyword === 'PatientID') return f.patientId;
  if (key.keyword === 'AccessionNumber') return f.accessionNumber;
  return f.sopInstanceUid;
}

/** The rules, in order; the first that applies excludes the file. Exported for tests. */
export function applyRules(
  results: readonly ImageReadResult[],
  index: LabelIndex,
  rules: { minAge: number; views: readonly string[] | null },
): { entries: ScanEntry[]; exclusions: ScanExclusion[] } {
  const entries: ScanEntry[] = [];
  const exclusions: ScanExclusion[] = [];
  const bySop = new Map<string, string>();
  const byPixels = new Map<string, string>();
  const matchedRows = new Set<number>();
  const exclude = (path: string, code: string, reason: string, row?: number) =>
    exclusions.push({ path, code, reason, ...(row !== undefined ? { row } : {}) });
  const t = (c: ExclusionCode) => c;
  for (const r of results) {
    if (!r.ok) {
      exclude(r.path, r.code, r.message);
      continue;
    }
    const k = keyValue(r, index.key);
    const row = k === undefined ? undefined : index.byKey.get(k);
    if (row) matchedRows.add(row.row);
    if (!r.sopInstanceUid) {
      exclude(r.path, t('NO_SOP_UID'), 'no SOP Instance UID (0008,0018): the image cannot be identified');
      continue;
    }
    if (!r.patientId) {
      exclude(r.path, t('NO_PATIENT_ID'), 'no Patient ID (0010,0020): the image cannot be split by patient');
      continue;
    }
    const sameSop = bySop.get(r.sopInstanceUid);
    const samePixels = byPixels.get(r.pixelHash);
    if (sameSop !== undefined || samePixels !== undefined) {
      const why = sameSop !== undefined ? 'same SOP Instance UID as' : 'identical pixels to';
      exclude(r.path, t('DUPLICATE_IMAGE'), `duplicate image: ${why} ${sameSop ?? samePixels}`);
      continue;
    }
    bySop.set(r.sopInstanceUid, r.path);
    byPixels.set(r.pixelHash, r.path);
    if (rules.views !== null && (r.view === undefined || !rules.views.includes(r.view))) {
      exclude(
        r.path,
        t('VIEW_NOT_ALLOWED'),
        r.view === undefined
          ? `no View Position (0018,5101); accepted: ${rules.views.join(', ')}`
          : `view ${r.view}, accepted: ${rules.views.join(', ')}`,
      );
      continue;
    }
    if (rules.minAge > 0 && r.age === undefined) {
      exclude(r.path, t('AGE_UNKNOWN'), 'no age: neither StudyDate − PatientBirthDate nor PatientAge in the header');
      continue;
    }
    if (r.age !== undefined && r.age < rules.minAge) {
      exclude(r.path, t('UNDER_MIN_AGE'), `age ${r.age} is under the minimum age ${rules.minAge}`);
      continue;
    }
    if (k === undefined) {
      exclude(
        r.path,
        t('MISSING_LABEL'),
        `missing label: the file has no ${index.key.keyword} to join ${index.key.column} by`,
      );
      continue;
    }
    if (!row) {
      exclude(
        r.path,
        t('MISSING_LABEL'),
        `missing label: no labels row has this ${index.key.keyword} in ${index.key.column}`,
      );
      continue;
    }
    const scores = row.tScores.filter(has);
    if (index.tScoreColumns.length && scores.length === 0) {
      exclude(
        r.path,
        t('MISSING_LABEL'),
        `missing label: labels row ${row.row} has no T-score in ${index.tScoreColumns.join(', ')}`,
        row.row,
      );
      continue;
    }
    const entry: ScanEntry = {
      sopInstanceUid: r.sopInstanceUid,
      path: r.path,
      patientId: r.patientId,
      split: '',
      labelRow: row.row,
      labels: row.cells,
      cached: r.cached,
    };
    for (const f of ['accessionNumber', 'age', 'ageSource', 'sex', 'view', 'modality', 'manufacturer'] as const) {
      if (r[f] !== undefined) (entry as unknown as Record<string, unknown>)[f] = r[f];
    }
    if (scores.length) {
      entry.tScoreMin = lowestTScore(scores);
      entry.who = whoCategory(scores);
      entry.osteoporosis = entry.who === 'osteoporosis' ? 1 : 0;
    }
    entries.push(entry);
  }
  for (const rowNo of index.emptyKeyRows) {
    exclude(
      '',
      t('LABEL_WITHOUT_IMAGE'),
      `labels row ${rowNo} has an empty ${index.key.column}: it can match no image`,
      rowNo,
    );
  }
  const unmatched = [...index.byKey.values()].filter((r) => !matchedRows.has(r.row)).sort((a, b) => a.row - b.row);
  for (const r of unmatched) {
    exclude(
      '',
      t('LABEL_WITHOUT_IMAGE'),
      `labels row ${r.row}: no readable DICOM has its ${index.key.column} as ${index.key.keyword}`,
      r.row,
    );
  }
  return { entries, exclusions };
}
