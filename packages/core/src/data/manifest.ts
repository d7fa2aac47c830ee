/**
 * Dataset manifests: one row per image with its path (DICOM, PNG or JPEG), patient id, age, sex,
 * optional DXA T-scores (lumbar spine, femoral neck, total hip) and any extra columns. CSV (RFC 4180)
 * or JSON. Every row is validated; a bad row is REPORTED in `issues` (row number, column, reason),
 * never silently dropped. Pass `strict: true` to throw instead.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { dirname, isAbsolute, resolve } from 'node:path';
import { CxrkitError } from '../errors.js';
import { whoCategory, osteoporosisLabel, type TScores, type WhoCategory } from './labels.js';

/** One validated manifest row. */
export interface ManifestRecord {
  /** Unique image id (the `id` column, else the path). */
  id: string;
  /** Image path, resolved against the manifest's folder (or `baseDir`). */
  path: string;
  /** Patient id: the unit of splitting (no patient in two splits). */
  patientId: string;
  /** Age in years at the examination, when known. */
  age?: number;
  sex?: 'M' | 'F';
  /** DXA T-scores, when any is given. */
  tScores?: TScores;
  /** WHO class from the lowest T-score (when any is given). */
  who?: WhoCategory;
  /** 1 osteoporosis, 0 normal/osteopenia (when any T-score is given). */
  osteoporosis?: 0 | 1;
  /** The 1-based data row this record came from (CSV: header is row 0). */
  row: number;
  /** All other columns, as strings. */
  extra: Record<string, string>;
}

/** A problem with one row (or the whole file when `row` is 0). */
export interface ManifestIssue {
  row: number;
  column?: string;
  code: 'MISSING_VALUE' | 'BAD_NUMBER' | 'OUT_OF_RANGE' | 'BAD_SEX' | 'DUPLICATE_ID' | 'MISSING_COLUMN' | 'BAD_ROW';
  message: string;
  value?: unknown;
}

export interface Manifest {
  /** Valid rows, in file order. */
  records: ManifestRecord[];
  /** One entry per problem; rows with an error are not in `records` but are listed here. */
  issues: ManifestIssue[];
}

/** Which columns hold which field; each entry lists accepted header names (case-insensitive). */
export interface ManifestColumns {
  id: string[];
  path: string[];
  patientId: string[];
  age: string[];
  sex: string[];
  lumbarSpine: string[];
  femoralNeck: string[];
  totalHip: string[];
}

export const DEFAULT_MANIFEST_COLUMNS: ManifestColumns = {
  id: ['id', 'image_id', 'image_index'],
  path: ['path', 'file', 'filename', 'image', 'image_path'],
  patientId: ['patient_id', 'patientid', 'patient', 'subject_id'],
  age: ['age', 'patient_age', 'age_years'],
  sex: ['sex', 'gender', 'patient_sex'],
  lumbarSpine: ['t_lumbar_spine', 'lumbar_spine_t', 'tscore_lumbar_spine', 'lumbar_spine', 't_ls', 'lumbarspine'],
  femoralNeck: ['t_femoral_neck', 'femoral_neck_t', 'tscore_femoral_neck', 'femoral_neck', 't_fn', 'femoralneck'],
  totalHip: ['t_total_hip', 'total_hip_t', 'tscore_total_hip', 'total_hip', 't_th', 'totalhip'],
};

export interface ManifestOptions {
  /** Folder that relative paths are resolved against. Default: the manifest file's folder (or cwd). */
  baseDir?: string;
  /** Override or extend the accepted column names per field. */
  columns?: Partial<ManifestColumns>;
  /** Throw `MANIFEST_INVALID` (listing the issues) instead of returning them. Default false. */
  strict?: boolean;
  /** Accepted age range in years. Default [0, 130]. */
  ageRange?: readonly [number, number];
}

/**
 * Parses CSV text (RFC 4180: quoted fields, doubled quotes, CRLF, LF or CR line ends, even mixed; a BOM
 * is dropped) into rows of strings, with csv-parse. Rows may differ in length (the manifest reader
 * reports them); blank lines are skipped; fields are not trimmed. A quote inside an unquoted field, or
 * text after a closing quote, is kept as written.
 * @throws CxrkitError `CSV_UNTERMINATED_QUOTE` (a quoted field never closed), `CSV_MALFORMED` (anything
 *   else csv-parse rejects).
 */
export function parseCsv(text: string): string[][] {
  let rows: string[][];
  try {
    rows = parse(text, {
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_empty_lines: false,
    }) as string[][];
  } catch (cause) {
    const { lines, records } = cause as { lines?: number; records?: number };
    if ((cause as { code?: string }).code === 'CSV_QUOTE_NOT_CLOSED') {
      // csv-parse counts the complete records before the failure (blank lines included)
      const row = (records ?? 0) + 1;
      const message = `a quoted CSV field in row ${row} of the text (header and blank lines counted) is never closed`;
      throw new CxrkitError('CSV_UNTERMINATED_QUOTE', message, {
        received: `row ${row}`,
        fix: 'close the quote, or double quotes inside quoted fields ("")',
        cause,
      });
    }
    throw new CxrkitError('CSV_MALFORMED', `the CSV cannot be parsed: ${(cause as Error).message}`, {
      received: `line ${lines}`,
      fix: 'check the file is comma-separated CSV (RFC 4180)',
      cause,
    });
  }
  // A blank line (or a line holding only "") parses as one empty field: not a row.
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

function pickColumn(headers: string[], names: string[]): number {
  const lower = headers.map((h) => h.trim().toLowerCase());
  for (const n of names) {
    const k = lower.indexOf(n.toLowerCase());
    if (k >= 0) return k;
  }
  return -1;
}

/**
 * Validates rows given as objects (column → raw value). Shared by the CSV and JSON readers.
 * Row numbers are 1-based.
 */
export function validateManifestRows(rows: Array<Record<string, unknown>>, options: ManifestOptions = {}): Manifest {
  const cols: ManifestColumns = { ...DEFAULT_MANIFEST_COLUMNS, ...options.columns } as ManifestColumns;
  const baseDir = options.baseDir ?? process.cwd();
  const [ageLo, ageHi] = options.ageRange ?? [0, 130];
  const headers = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const at = (field: keyof ManifestColumns) => {
    const k = pickColumn(headers, cols[field]);
    return k >= 0 ? headers[k]! : undefined;
  };
  const key = {
    id: at('id'),
    path: at('path'),
    patientId: at('patientId'),
    age: at('age'),
    sex: at('sex'),
    lumbarSpine: at('lumbarSpine'),
    femoralNeck: at('femoralNeck'),
    totalHip: at('totalHip'),
  };
  const issues: ManifestIssue[] = [];
  const records: ManifestRecord[] = [];
  for (const f of ['path', 'patientId'] as const) {
    if (!key[f])
      issues.push({
        row: 0,
        column: f,
        code: 'MISSING_COLUMN',
        message: `no ${f} column (accepted names: ${cols[f].join(', ')})`,
      });
  }
  if (issues.length) return finish({ records, issues }, options);
  const used = new Set(Object.values(key).filter(Boolean) as string[]);
  const seen = new Map<string, number>();
  rows.forEach((raw, k) => {
    const row = k + 1;
    const rowIssues: ManifestIssue[] = [];
    const text = (c: string | undefined) => {
      const v = c === undefined ? undefined : raw[c];
      return v === undefined || v === null ? '' : String(v).trim();
    };
    const num = (field: string, c: string | undefined): number | undefined => {
      const s = text(c);
      if (s === '' || /^(na|nan|null|none)$/i.test(s)) return undefined;
      const v = Number(s);
      if (!Number.isFinite(v)) {
        rowIssues.push({ row, column: c, code: 'BAD_NUMBER', message: `${field} is not a number`, value: s });
        return undefined;
      }
      return v;
    };
    const path = text(key.path);
    const patientId = text(key.patientId);
    if (!path) rowIssues.push({ row, column: key.path, code: 'MISSING_VALUE', message: 'image path is empty' });
    if (!patientId)
      rowIssues.push({
        row,
        column: key.patientId,
        code: 'MISSING_VALUE',
        message: 'patient id is empty (needed to split by patient)',
      });
    const age = num('age', key.age);
    if (age !== undefined && !(age >= ageLo && age <= ageHi))
      rowIssues.push({
        row,
        column: key.age,
        code: 'OUT_OF_RANGE',
        message: `age must be within ${ageLo}–${ageHi} years`,
        value: age,
      });
    const sexRaw = text(key.sex).toUpperCase();
    let sex: 'M' | 'F' | undefined;
    if (sexRaw === 'M' || sexRaw === 'MALE') sex = 'M';
    else if (sexRaw === 'F' || sexRaw === 'FEMALE') sex = 'F';
    else if (sexRaw !== '')
      rowIssues.push({
        row,
        column: key.sex,
        code: 'BAD_SEX',
        message: 'sex must be M or F (or male/female); leave empty when unknown',
        value: text(key.sex),
      });
    const tScores: TScores = {};
    for (const site of ['lumbarSpine', 'femoralNeck', 'totalHip'] as const) {
      const v = num(`${site} T-score`, key[site]);
      if (v !== undefined) {
        if (v < -10 || v > 10)
          rowIssues.push({
            row,
            column: key[site],
            code: 'OUT_OF_RANGE',
            message: `${site} T-score outside −10…10`,
            value: v,
          });
        else tScores[site] = v;
      }
    }
    const id = text(key.id) || path;
    if (id && seen.has(id))
      rowIssues.push({
        row,
        column: key.id ?? key.path,
        code: 'DUPLICATE_ID',
        message: `id also used on row ${seen.get(id)}`,
        value: id,
      });
    if (rowIssues.length) {
      issues.push(...rowIssues);
      return;
    }
    seen.set(id, row);
    const extra: Record<string, string> = {};
    for (const h of headers) if (!used.has(h)) extra[h] = text(h);
    const rec: ManifestRecord = { id, path: isAbsolute(path) ? path : resolve(baseDir, path), patientId, row, extra };
    if (age !== undefined) rec.age = age;
    if (sex) rec.sex = sex;
    if (Object.keys(tScores).length) {
      rec.tScores = tScores;
      rec.who = whoCategory(tScores);
      rec.osteoporosis = osteoporosisLabel(rec.who);
    }
    records.push(rec);
  });
  return finish({ records, issues }, options);
}

function finish(m: Manifest, options: ManifestOptions): Manifest {
  if (options.strict && m.issues.length) {
    const list = m.issues
      .slice(0, 10)
      .map((i) => `row ${i.row}${i.column ? ` [${i.column}]` : ''}: ${i.message}`)
      .join('; ');
    throw new CxrkitError(
      'MANIFEST_INVALID',
      `${m.issues.length} problem(s) in the manifest: ${list}${m.issues.length > 10 ? '; …' : ''}`,
      { received: m.issues.length, fix: 'fix the listed rows, or call without strict and handle manifest.issues' },
    );
  }
  return m;
}

/** Parses and validates a CSV manifest (header row first). See {@link validateManifestRows}. */
export function parseManifestCsv(text: string, options: ManifestOptions = {}): Manifest {
  const rows = parseCsv(text);
  if (rows.length === 0)
    return finish(
      { records: [], issues: [{ row: 0, code: 'MISSING_COLUMN', message: 'the CSV is empty (no header row)' }] },
      options,
    );
  const header = rows[0]!.map((h) => h.trim());
  const issues: ManifestIssue[] = [];
  const objects: Array<Record<string, unknown>> = [];
  rows.slice(1).forEach((r, k) => {
    if (r.length !== header.length)
      issues.push({
        row: k + 1,
        code: 'BAD_ROW',
        message: `row has ${r.length} fields, the header has ${header.length}`,
      });
    const o: Record<string, unknown> = {};
    header.forEach((h, j) => (o[h] = r[j] ?? ''));
    objects.push(o);
  });
  const m = validateManifestRows(objects, { ...options, strict: false });
  const bad = new Set(issues.map((i) => i.row));
  return finish(
    {
      records: m.records.filter((r) => !bad.has(r.row)),
      issues: [...issues, ...m.issues].sort((a, b) => a.row - b.row),
    },
    options,
  );
}

/** Validates a JSON manifest: an array of row objects, or `{ records: [...] }`. */
export function parseManifestJson(json: string | unknown, options: ManifestOptions = {}): Manifest {
  let v: unknown = json;
  if (typeof json === 'string') {
    try {
      v = JSON.parse(json);
    } catch (cause) {
      throw new CxrkitError('MANIFEST_BAD_JSON', 'the manifest is not valid JSON', {
        received: json.slice(0, 60),
        fix: 'check the file is JSON: an array of objects or { "records": [...] }',
        cause,
      });
    }
  }
  const rows = Array.isArray(v) ? v : (v as { records?: unknown })?.records;
  if (!Array.isArray(rows) || rows.some((r) => !r || typeof r !== 'object')) {
    throw new CxrkitError('MANIFEST_BAD_JSON', 'a JSON manifest is an array of row objects or { records: [...] }', {
      received: v,
      fix: 'wrap rows as [{ "path": "...", "patient_id": "..." }, ...]',
    });
  }
  return validateManifestRows(rows as Array<Record<string, unknown>>, options);
}

/** Reads a manifest file (`.json` as JSON, anything else as CSV); relative paths resolve against its folder. */
export async function readManifest(path: string, options: ManifestOptions = {}): Promise<Manifest> {
  const text = await readFile(path, 'utf8');
  const opts = { baseDir: dirname(resolve(path)), ...options };
  return path.toLowerCase().endsWith('.json') ? parseManifestJson(text, opts) : parseManifestCsv(text, opts);
}

/** Age bounds; each optional. `{ gte: 20, lte: 80 }` is 20–80, `{ gt: 40 }` is > 40, `{ gte: 50 }` ≥ 50. */
export interface AgeRange {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

/** Keeps records whose `age` is known and within the range (records without age are left out). */
export function filterByAge<R extends { age?: number }>(records: readonly R[], range: AgeRange): R[] {
  for (const [k, v] of Object.entries(range)) {
    if (!['gt', 'gte', 'lt', 'lte'].includes(k) || typeof v !== 'number' || !Number.isFinite(v)) {
      throw new CxrkitError('DATA_BAD_AGE_RANGE', `age range keys are gt, gte, lt, lte with numbers`, {
        received: range,
        fix: 'pass e.g. { gte: 20, lte: 80 } or { gt: 40 }',
      });
    }
  }
  return records.filter((r) => {
    const a = r.age;
    if (typeof a !== 'number' || !Number.isFinite(a)) return false;
    if (range.gt !== undefined && !(a > range.gt)) return false;
    if (range.gte !== undefined && !(a >= range.gte)) return false;
    if (range.lt !== undefined && !(a < range.lt)) return false;
    if (range.lte !== undefined && !(a <= range.lte)) return false;
    return true;
  });
}
