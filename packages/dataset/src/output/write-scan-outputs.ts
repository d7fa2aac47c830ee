// A scan's results on disk: manifest.csv (one row per included image), exclusions.csv (one row per
// excluded file or unmatched labels row), summary.json (counts, settings, timings; no identifiers) and the
// baseline table (baseline.csv / .md / .html). Paths in the CSVs are relative to the output folder.
import { writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { CXRKIT_VERSION } from '@cxrkit/models/card';
import { exclusionGroup } from '../scan/exclusion-codes.js';
import type { ScanResult } from '../scan/scan-dataset.js';
import {
  type BaselineColumn,
  baselineCharacteristics,
  baselineHtml,
  baselineMarkdown,
  baselineRows,
} from './baseline-table.js';

/** The manifest's own columns, in order; the labels file's columns follow. */
export const MANIFEST_COLUMNS = [
  'sop_instance_uid',
  'path',
  'patient_id',
  'accession_number',
  'age',
  'age_source',
  'sex',
  'view',
  'modality',
  'manufacturer',
  'split',
  'who',
  'tscore_min',
  'osteoporosis',
  'label_row',
] as const;

/** Columns of exclusions.csv. */
export const EXCLUSION_COLUMNS = ['path', 'code', 'reason', 'row'] as const;

/** What {@link writeScanOutputs} wrote, and the summary it wrote. */
export interface WrittenScan {
  files: string[];
  summary: ScanSummary;
}

/** summary.json: counts, settings and timings of a scan (no identifiers, no per-file paths). */
export interface ScanSummary {
  tool: 'cxrkit dataset scan';
  cxrkitVersion: string;
  createdAt: string;
  counts: {
    files: number;
    readable: number;
    included: number;
    excludedFiles: number;
    labelRows: number;
    labelRowsWithoutImage: number;
    patients: number;
    /** Exclusions by code (files and labels rows). */
    byCode: Record<string, number>;
    /** Exclusions by the groups (unreadable, duplicate image, not PA, under min age, …). */
    byGroup: Record<string, number>;
  };
  splits: Record<string, { images: number; patients: number }>;
  baseline: BaselineColumn[];
  settings: ScanResult['settings'];
  seconds: ScanResult['seconds'] & { filesPerSecond: number };
}

/** A path as the manifest writes it: relative to the output folder when the data sits beside it, else absolute. */
const rel = (out: string, p: string) => {
  if (!p) return '';
  const r = relative(out, p);
  return r.startsWith(`..${sep}..${sep}`) ? p : r.split(sep).join('/');
};
const num = (v: number | undefined) => (v === undefined ? '' : String(v));

/** The manifest's header: own columns, then the labels columns (prefixed `label_` where a name clashes). */
export function manifestHeader(labelColumns: readonly string[]): { header: string[]; labelNames: string[] } {
  const own = new Set<string>(MANIFEST_COLUMNS);
  const labelNames = labelColumns.map((c) => (own.has(c) ? `label_${c}` : c));
  return { header: [...MANIFEST_COLUMNS, ...labelNames], labelNames };
}

/** Writes the scan's files into `out` (which {@link prepareOutputFolder} made ready). */
export async function writeScanOutputs(out: string, result: ScanResult): Promise<WrittenScan> {
  const { header } = manifestHeader(result.settings.labelColumns);
  const manifestRows = result.entries.map((e) => [
    e.sopInstanceUid,
    rel(out, e.path),
    e.patientId,
    e.accessionNumber ?? '',
    num(e.age),
    e.ageSource ?? '',
    e.sex ?? '',
    e.view ?? '',
    e.modality ?? '',
    e.manufacturer ?? '',
    e.split,
    e.who ?? '',
    num(e.tScoreMin),
    num(e.osteoporosis),
    String(e.labelRow),
    ...result.settings.labelColumns.map((c) => e.labels[c] ?? ''),
  ]);
  const exclusionRows = result.exclusions.map((x) => [rel(out, x.path), x.code, x.reason, num(x.row)]);
  const splitNames = result.settings.split.names;
  const baseline = baselineCharacteristics(result.entries, splitNames);
  const byCode: Record<string, number> = {};
  const byGroup: Record<string, number> = {};
  for (const x of result.exclusions) {
    byCode[x.code] = (byCode[x.code] ?? 0) + 1;
    const g = exclusionGroup(x.code);
    byGroup[g] = (byGroup[g] ?? 0) + 1;
  }
  const summary: ScanSummary = {
    tool: 'cxrkit dataset scan',
    cxrkitVersion: CXRKIT_VERSION,
    createdAt: new Date().toISOString(),
    counts: {
      files: result.files,
      readable: result.readable,
      included: result.entries.length,
      excludedFiles: result.exclusions.filter((x) => x.path !== '').length,
      labelRows: result.labelRows,
      labelRowsWithoutImage: result.exclusions.filter((x) => x.code === 'LABEL_WITHOUT_IMAGE').length,
      patients: new Set(result.entries.map((e) => e.patientId)).size,
      byCode,
      byGroup,
    },
    splits: Object.fromEntries(baseline.slice(0, -1).map((c) => [c.name, { images: c.images, patients: c.patients }])),
    baseline,
    settings: result.settings,
    seconds: { ...result.seconds, filesPerSecond: result.files / Math.max(result.seconds.read, 1e-9) },
  };
  const files: Array<[string, string]> = [
    ['manifest.csv', stringify([header, ...manifestRows])],
    ['exclusions.csv', stringify([[...EXCLUSION_COLUMNS], ...exclusionRows])],
    ['summary.json', `${JSON.stringify(summary, null, 2)}\n`],
    ['baseline.csv', stringify(baselineRows(baseline))],
    ['baseline.md', baselineMarkdown(baseline)],
    ['baseline.html', baselineHtml(baseline)],
  ];
  for (const [name, text] of files) await writeFile(join(out, name), text);
  return { files: files.map(([n]) => join(out, n)), summary };
}
