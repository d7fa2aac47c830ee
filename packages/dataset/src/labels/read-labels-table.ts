// A labels spreadsheet (CSV or TSV) → header + rows of strings. Data flow: the user's labels file → this
// table → label index (label-index.ts) → joined with each DICOM's key in the scan.
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { datasetError } from '../errors.js';

/** A labels file as read: its column names and its data rows (each as long as the header). */
export interface LabelsTable {
  /** Column names, trimmed, in file order. */
  header: string[];
  /** Data rows, cells trimmed; row `i` is line `i + 2` of the file when no cell spans lines. */
  rows: string[][];
  /** The delimiter used: `,` or a tab. */
  delimiter: ',' | '\t';
}

/**
 * The delimiter of a labels file: a tab for `.tsv`/`.tab`, a comma for `.csv`; otherwise whichever of the
 * two the header line holds more of.
 */
export function labelsDelimiter(path: string, text: string): ',' | '\t' {
  const lower = path.toLowerCase();
  if (lower.endsWith('.tsv') || lower.endsWith('.tab')) return '\t';
  if (lower.endsWith('.csv')) return ',';
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  return (first.match(/\t/g)?.length ?? 0) > (first.match(/,/g)?.length ?? 0) ? '\t' : ',';
}

/**
 * Parses labels text (RFC 4180 CSV, or TSV) with csv-parse. Cells are trimmed; blank lines are skipped.
 * @throws CxrkitError `LABELS_EMPTY` (no header), `LABELS_DUPLICATE_COLUMN`, `LABELS_BAD_ROW` (a row with
 *   more or fewer cells than the header), `LABELS_MALFORMED` (anything csv-parse rejects).
 */
export function parseLabelsTable(text: string, delimiter: ',' | '\t', source = 'the labels file'): LabelsTable {
  let records: string[][];
  try {
    records = (
      parse(text, { bom: true, delimiter, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][]
    )
      // trim quoted cells too (csv-parse's trim leaves what is inside quotes)
      .map((r) => r.map((c) => c.trim()));
  } catch (cause) {
    throw datasetError('LABELS_MALFORMED', `${source} cannot be parsed: ${(cause as Error).message}`, {
      received: source,
      fix: `save it as ${delimiter === ',' ? 'comma-separated CSV (RFC 4180)' : 'tab-separated TSV'} with one header row`,
      cause,
    });
  }
  const [header, ...rows] = records;
  if (!header || header.every((h) => h === '')) {
    throw datasetError('LABELS_EMPTY', `${source} has no header row`, {
      received: source,
      fix: 'put the column names on the first line, e.g. mrn,ls_t,fn_t,th_t',
    });
  }
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) {
      throw datasetError('LABELS_DUPLICATE_COLUMN', `${source} has two columns named ${JSON.stringify(h)}`, {
        received: h,
        fix: 'give every column a different name',
      });
    }
    seen.add(h);
  }
  const bad = rows.findIndex((r) => r.length !== header.length);
  if (bad >= 0) {
    throw datasetError(
      'LABELS_BAD_ROW',
      `data row ${bad + 1} of ${source} has ${rows[bad]!.length} cells, the header has ${header.length}`,
      {
        received: `row ${bad + 1}`,
        fix: `check the row for a stray ${delimiter === ',' ? 'comma (quote cells that hold commas)' : 'tab'}`,
      },
    );
  }
  return { header, rows, delimiter };
}

/**
 * Reads a labels file (CSV or TSV, see {@link labelsDelimiter}).
 * @throws CxrkitError `LABELS_NOT_FOUND` when the file cannot be read, and those of {@link parseLabelsTable}.
 */
export async function readLabelsTable(path: string): Promise<LabelsTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw datasetError('LABELS_NOT_FOUND', `cannot read the labels file (${(cause as NodeJS.ErrnoException).code})`, {
      received: path,
      fix: 'pass the path of a CSV or TSV file with one row per patient, accession or image',
      cause,
    });
  }
  return parseLabelsTable(text, labelsDelimiter(path, text), path);
}
