// The labels table made joinable: which column keys which DICOM attribute, the T-score columns checked
// and parsed, and one row per key value. Data flow: LabelsTable → LabelIndex → scan (join by key).
import { didYouMean } from '@cxrkit/core/tfjs-free';
import { datasetError } from '../errors.js';
import type { LabelsTable } from './read-labels-table.js';

/** DICOM attributes a labels row can be joined by (DICOM keywords). */
export const LABEL_KEY_KEYWORDS = ['PatientID', 'AccessionNumber', 'SOPInstanceUID'] as const;
/** One of {@link LABEL_KEY_KEYWORDS}. */
export type LabelKeyKeyword = (typeof LABEL_KEY_KEYWORDS)[number];

/** How labels rows join images: `column` of the labels file equals the DICOM attribute `keyword`. */
export interface LabelKey {
  column: string;
  keyword: LabelKeyKeyword;
}

/** One labels row, ready to join. */
export interface LabelRow {
  /** 1-based data row number (the header is row 0). */
  row: number;
  /** The row's cells by column name. */
  cells: Record<string, string>;
  /** The T-scores of the T-score columns, in their order; `undefined` where the cell is empty or NA. */
  tScores: (number | undefined)[];
}

/** A labels table indexed by its key column. */
export interface LabelIndex {
  key: LabelKey;
  /** Column names of the table, in file order. */
  columns: string[];
  /** The T-score columns, in the order given. */
  tScoreColumns: string[];
  /** Rows by key value (trimmed). */
  byKey: Map<string, LabelRow>;
  /** Rows whose key cell is empty: they can match no image. */
  emptyKeyRows: number[];
  /** Number of data rows. */
  rowCount: number;
}

/** Values a T-score cell may hold to say "not measured". */
const MISSING = /^(|na|n\/a|nan|null|none|-|\.)$/i;

/**
 * Parses `column=Keyword` (e.g. `mrn=PatientID`).
 * @throws CxrkitError `SCAN_BAD_KEY` naming the value and the accepted keywords (with "did you mean").
 */
export function parseLabelKey(spec: string): LabelKey {
  const eq = spec.indexOf('=');
  const column = eq > 0 ? spec.slice(0, eq).trim() : '';
  const keyword = eq > 0 ? spec.slice(eq + 1).trim() : '';
  if (!column || !keyword) {
    throw datasetError('SCAN_BAD_KEY', '--key must be <labels column>=<DICOM keyword>', {
      received: spec,
      fix: `write e.g. --key mrn=PatientID (keywords: ${LABEL_KEY_KEYWORDS.join(', ')})`,
    });
  }
  if (!(LABEL_KEY_KEYWORDS as readonly string[]).includes(keyword)) {
    const guess = didYouMean(keyword, LABEL_KEY_KEYWORDS);
    throw datasetError(
      'SCAN_BAD_KEY',
      `${JSON.stringify(keyword)} is not a DICOM keyword labels can be joined by${guess ? ` — did you mean ${guess}?` : ''}`,
      {
        received: spec,
        fix: `use one of ${LABEL_KEY_KEYWORDS.join(', ')} (exact spelling), e.g. --key ${column}=${guess ?? 'PatientID'}`,
      },
    );
  }
  return { column, keyword: keyword as LabelKeyKeyword };
}

function checkColumn(table: LabelsTable, column: string, option: string, source: string): void {
  if (table.header.includes(column)) return;
  const guess = didYouMean(column, table.header);
  throw datasetError(
    'LABELS_UNKNOWN_COLUMN',
    `${option} names the column ${JSON.stringify(column)}, which ${source} does not have${guess ? ` — did you mean ${JSON.stringify(guess)}?` : ''}`,
    { received: column, fix: `use one of its columns: ${table.header.join(', ')}` },
  );
}

/**
 * Checks the key and T-score columns against the table and indexes its rows by key.
 * T-score cells must be numbers in −10…10 (a dot as decimal separator) or empty/NA.
 * @throws CxrkitError `LABELS_UNKNOWN_COLUMN` (with "did you mean"), `LABELS_BAD_TSCORE` (listing the
 *   rows, columns and values), `LABELS_DUPLICATE_KEY` (two rows with the same key; row numbers only, no
 *   key values, since those are patient identifiers).
 */
export function indexLabels(
  table: LabelsTable,
  key: LabelKey,
  tScoreColumns: readonly string[] = [],
  source = 'the labels file',
): LabelIndex {
  checkColumn(table, key.column, '--key', source);
  for (const c of tScoreColumns) checkColumn(table, c, '--tscore', source);
  const keyAt = table.header.indexOf(key.column);
  const tAt = tScoreColumns.map((c) => table.header.indexOf(c));
  const bad: string[] = [];
  const byKey = new Map<string, LabelRow>();
  const firstRow = new Map<string, number>();
  const duplicates: [number, number][] = [];
  const emptyKeyRows: number[] = [];
  table.rows.forEach((cells, i) => {
    const row = i + 1;
    const tScores = tAt.map((j, k) => {
      const raw = cells[j]!;
      if (MISSING.test(raw)) return undefined;
      const v = Number(raw);
      if (!Number.isFinite(v) || v < -10 || v > 10) {
        bad.push(`row ${row} ${tScoreColumns[k]}=${JSON.stringify(raw)}`);
        return undefined;
      }
      return v;
    });
    const value = cells[keyAt]!;
    if (value === '') {
      emptyKeyRows.push(row);
      return;
    }
    const seen = firstRow.get(value);
    if (seen !== undefined) {
      duplicates.push([seen, row]);
      return;
    }
    firstRow.set(value, row);
    byKey.set(value, { row, cells: Object.fromEntries(table.header.map((h, j) => [h, cells[j]!])), tScores });
  });
  if (bad.length) {
    throw datasetError(
      'LABELS_BAD_TSCORE',
      `${bad.length} T-score cell(s) in ${source} are not numbers in −10…10: ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}`,
      {
        received: bad[0],
        fix: 'write T-scores as numbers with a dot (e.g. -2.7); leave the cell empty or NA when not measured',
      },
    );
  }
  if (duplicates.length) {
    const list = duplicates.slice(0, 5).map(([a, b]) => `rows ${a} and ${b}`);
    throw datasetError(
      'LABELS_DUPLICATE_KEY',
      `${duplicates.length} row(s) of ${source} repeat a ${key.column} value (${list.join('; ')}${duplicates.length > 5 ? '; …' : ''})`,
      {
        received: `${duplicates.length} duplicate(s)`,
        fix: `keep one row per ${key.column}, or key by a finer attribute (--key <column>=AccessionNumber or SOPInstanceUID)`,
      },
    );
  }
  return {
    key,
    columns: [...table.header],
    tScoreColumns: [...tScoreColumns],
    byKey,
    emptyKeyRows,
    rowCount: table.rows.length,
  };
}
