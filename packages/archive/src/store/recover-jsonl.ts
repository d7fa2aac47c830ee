// Reading back a JSONL file an interrupted run appended to. Every record is written as one line ending in
// '\n'; a kill (or a power cut before the fsync) can leave a torn last line — bytes without the final '\n',
// or a line that does not parse. Such a tail is cut off (truncated) so that the next append starts on a
// clean line; a damaged line with good lines after it is not a torn tail, and is refused.
import { open } from 'node:fs/promises';
import { archiveFail } from '../errors.js';

/** What {@link recoverJsonl} found. */
export interface RecoveredJsonl {
  /** Records read (complete, parsed lines). */
  records: number;
  /** Bytes cut off the end (0 when the file ended cleanly). */
  truncatedBytes: number;
}

const NEWLINE = 0x0a;

/**
 * Streams the records of `path` (created empty when missing) to `onRecord`, and truncates a torn tail.
 * @throws CxrkitError `ARCHIVE_CORRUPT_RESULTS` when a line that does not parse is followed by good lines.
 */
export async function recoverJsonl(path: string, onRecord: (record: unknown) => void): Promise<RecoveredJsonl> {
  const fh = await open(path, 'a+');
  try {
    const { size } = await fh.stat();
    const chunk = Buffer.allocUnsafe(1 << 20);
    let carry: Buffer = Buffer.alloc(0);
    let position = 0; // file offset of carry[0]
    let goodEnd = 0; // offset just past the last good line
    let records = 0;
    let bad: { line: number; at: number } | undefined;
    let line = 0;
    while (position + carry.length < size) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, position + carry.length);
      if (bytesRead === 0) break;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let start = 0;
      for (let nl = buf.indexOf(NEWLINE, start); nl >= 0; nl = buf.indexOf(NEWLINE, start)) {
        line++;
        const text = buf.toString('utf8', start, nl);
        if (text.trim() === '') {
          start = nl + 1;
          continue; // a blank line (written by hand) is neither a record nor damage
        }
        let parsed: unknown;
        let ok: boolean;
        try {
          parsed = JSON.parse(text);
          ok = parsed !== null && typeof parsed === 'object';
        } catch {
          ok = false;
        }
        if (ok) {
          if (bad) {
            archiveFail(
              'ARCHIVE_CORRUPT_RESULTS',
              `line ${bad.line} of ${path} is damaged and good lines follow it`,
              path,
              `inspect the file (e.g. sed -n ${bad.line}p); delete the damaged line, then run again`,
            );
          }
          onRecord(parsed);
          records++;
          goodEnd = position + nl + 1;
        } else {
          bad ??= { line, at: position + start };
        }
        start = nl + 1;
      }
      position += start;
      carry = Buffer.from(buf.subarray(start));
    }
    const truncatedBytes = size - goodEnd;
    if (truncatedBytes > 0) {
      await fh.truncate(goodEnd);
      await fh.sync();
    }
    return { records, truncatedBytes };
  } finally {
    await fh.close();
  }
}
