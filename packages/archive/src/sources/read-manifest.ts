// A manifest: a list of instances to screen, as CSV/TSV (a `path`, `file` or `url` column; else the first
// column), JSONL (`{"path": …}` or `{"url": …}` per line) or plain text (one path or URL per line, `#`
// comments). Streamed line by line. Relative paths are resolved against the manifest's folder.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, extname, resolve } from 'node:path';
import { parse } from 'csv-parse';
import { archiveFail } from '../errors.js';
import { isUrl } from './wado-rs.js';

/** Extensions read as manifests (any other file is an instance itself). */
export const MANIFEST_EXTENSIONS = ['.csv', '.tsv', '.jsonl', '.ndjson', '.txt'] as const;

const PATH_COLUMNS = ['path', 'file', 'filename', 'url'];

/** True when `file` is read as a manifest (by its extension). */
export function isManifest(file: string): boolean {
  return (MANIFEST_EXTENSIONS as readonly string[]).includes(extname(file).toLowerCase());
}

function absolute(entry: string, base: string): string {
  return isUrl(entry) ? entry : resolve(base, entry);
}

/**
 * Yields the instances a manifest lists (absolute paths or URLs).
 * @throws CxrkitError `ARCHIVE_BAD_MANIFEST` for a JSONL line without `path`/`url`, or an empty CSV column.
 */
export async function* readManifest(file: string): AsyncGenerator<string> {
  const base = dirname(resolve(file));
  const ext = extname(file).toLowerCase();
  if (ext === '.csv' || ext === '.tsv') {
    const parser = createReadStream(file).pipe(
      parse({ delimiter: ext === '.tsv' ? '\t' : ',', bom: true, skip_empty_lines: true, trim: true }),
    );
    let column = -1;
    let row = 0;
    for await (const fields of parser as AsyncIterable<string[]>) {
      row++;
      if (column < 0) {
        const lower = fields.map((f) => f.toLowerCase());
        column = PATH_COLUMNS.map((c) => lower.indexOf(c)).find((i) => i >= 0) ?? -2;
        if (column >= 0) continue; // a header row
        column = 0; // no header: the first column holds the paths
      }
      const entry = fields[column];
      if (!entry) {
        archiveFail('ARCHIVE_BAD_MANIFEST', `row ${row} of ${file} has no path`, fields, 'give every row a path');
      }
      yield absolute(entry!, base);
    }
    return;
  }
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let n = 0;
  for await (const raw of lines) {
    n++;
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (ext === '.txt') {
      yield absolute(line, base);
      continue;
    }
    let entry: unknown;
    try {
      const o = JSON.parse(line) as { path?: unknown; url?: unknown };
      entry = o.path ?? o.url;
    } catch {
      entry = undefined;
    }
    if (typeof entry !== 'string' || !entry) {
      archiveFail(
        'ARCHIVE_BAD_MANIFEST',
        `line ${n} of ${file} is not a JSON object with a "path" (or "url")`,
        line,
        'write one {"path": "…"} per line',
      );
    }
    yield absolute(entry as string, base);
  }
}
