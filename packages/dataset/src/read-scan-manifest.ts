// Reads a scan's manifest.csv back (for evaluate, explain, training): rows with absolute paths, numbers
// parsed, the labels columns kept as strings. Data flow: manifest.csv → ScanManifestRow[] → a split.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type WhoCategory, didYouMean } from '@cxrkit/core/tfjs-free';
import { parse } from 'csv-parse/sync';
import { datasetError } from './errors.js';
import { MANIFEST_COLUMNS } from './output/write-scan-outputs.js';

/** One manifest row. */
export interface ScanManifestRow {
  sopInstanceUid: string;
  /** Absolute path of the DICOM (manifest paths are relative to the manifest's folder). */
  path: string;
  patientId: string;
  age?: number;
  sex?: 'M' | 'F' | 'O';
  view?: string;
  modality?: string;
  split: string;
  who?: WhoCategory;
  tScoreMin?: number;
  osteoporosis?: 0 | 1;
  /** Every column of the row as written (manifest and labels columns). */
  cells: Record<string, string>;
}

const REQUIRED = ['sop_instance_uid', 'path', 'patient_id', 'split'] as const;

/**
 * Reads `manifest.csv` (or a scan folder holding one); `split` keeps only that split's rows.
 * @throws CxrkitError `MANIFEST_NOT_FOUND`, `MANIFEST_MISSING_COLUMN`, `MANIFEST_UNKNOWN_SPLIT` (with the
 *   splits it has, and "did you mean").
 */
export async function readScanManifest(path: string, split?: string): Promise<ScanManifestRow[]> {
  const file = path.toLowerCase().endsWith('.csv') ? path : resolve(path, 'manifest.csv');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw datasetError('MANIFEST_NOT_FOUND', 'cannot read the manifest', {
      received: file,
      fix: 'pass the manifest.csv written by cxrkit dataset scan (or its folder)',
      cause,
    });
  }
  const records = parse(text, { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[];
  const header = records.length ? Object.keys(records[0]!) : text.split(/\r?\n/, 1)[0]!.split(',');
  for (const c of REQUIRED) {
    if (!header.includes(c)) {
      throw datasetError('MANIFEST_MISSING_COLUMN', `the manifest has no ${c} column`, {
        received: file,
        fix: `use a manifest written by cxrkit dataset scan (columns ${MANIFEST_COLUMNS.slice(0, 4).join(', ')}, …)`,
      });
    }
  }
  const base = dirname(resolve(file));
  const rows = records.map((r) => {
    const n = (c: string) => (r[c] === undefined || r[c] === '' ? undefined : Number(r[c]));
    const row: ScanManifestRow = {
      sopInstanceUid: r.sop_instance_uid!,
      path: isAbsolute(r.path!) ? r.path! : resolve(base, r.path!),
      patientId: r.patient_id!,
      split: r.split!,
      cells: r,
    };
    const age = n('age');
    if (age !== undefined) row.age = age;
    if (r.sex === 'M' || r.sex === 'F' || r.sex === 'O') row.sex = r.sex;
    if (r.view) row.view = r.view;
    if (r.modality) row.modality = r.modality;
    if (r.who === 'normal' || r.who === 'osteopenia' || r.who === 'osteoporosis') row.who = r.who;
    const t = n('tscore_min');
    if (t !== undefined) row.tScoreMin = t;
    if (r.osteoporosis === '0' || r.osteoporosis === '1') row.osteoporosis = Number(r.osteoporosis) as 0 | 1;
    return row;
  });
  if (split === undefined) return rows;
  const splits = [...new Set(rows.map((r) => r.split))];
  if (!splits.includes(split)) {
    const guess = didYouMean(split, splits);
    throw datasetError(
      'MANIFEST_UNKNOWN_SPLIT',
      `the manifest has no split ${JSON.stringify(split)}${guess ? ` — did you mean ${JSON.stringify(guess)}?` : ''}`,
      {
        received: split,
        fix: `pass one of ${splits.join(', ')}`,
      },
    );
  }
  return rows.filter((r) => r.split === split);
}
