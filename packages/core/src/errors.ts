/**
 * The one error class of the SDK. Every error cxrkit throws on purpose is a `CxrkitError` with a
 * stable machine-readable `code`, the value it received, and the fix in its message:
 *
 *   [cxrkit/core] DICOM_TRUNCATED: pixel data ends at byte 812 but 2097152 bytes are declared
 *   (received: 812 bytes). Fix: re-export the file from the PACS; it was cut short in transfer.
 */
export interface CxrkitErrorOptions {
  /** The value that was rejected; shown in the message (shortened) and kept on the error. */
  received?: unknown;
  /** What the caller should do about it; shown after "Fix:". */
  fix?: string;
  /** The package that raised it, for the message prefix. Default `core`. */
  pkg?: 'core' | 'models' | 'metrics' | 'gradcam' | 'cli' | (string & {});
  /** The underlying error, if one was caught. */
  cause?: unknown;
}

export class CxrkitError extends Error {
  /** Stable, SCREAMING_SNAKE code, e.g. `DICOM_NOT_DICOM`, `BACKEND_NOT_INSTALLED`. */
  readonly code: string;
  /** The rejected value (not stringified). */
  readonly received: unknown;
  /** The suggested fix, without the "Fix:" prefix. */
  readonly fix: string | undefined;
  /** Which cxrkit package raised it. */
  readonly pkg: string;

  constructor(code: string, message: string, options: CxrkitErrorOptions = {}) {
    const pkg = options.pkg ?? 'core';
    const parts = [`[cxrkit/${pkg}] ${code}: ${message}`];
    if ('received' in options) parts.push(`(received: ${describeValue(options.received)})`);
    if (options.fix) parts.push(`Fix: ${options.fix}`);
    super(parts.join(' '), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CxrkitError';
    this.code = code;
    this.received = options.received;
    this.fix = options.fix;
    this.pkg = pkg;
  }
}

/** True when `e` is a CxrkitError (optionally with the given code), also across package copies. */
export function isCxrkitError(e: unknown, code?: string): e is CxrkitError {
  if (!(e instanceof Error) || e.name !== 'CxrkitError') return false;
  return code === undefined || (e as CxrkitError).code === code;
}

/** A short, human-readable rendering of any value for error messages (never throws). */
export function describeValue(v: unknown, maxLength = 120): string {
  let s: string;
  try {
    if (v === undefined) s = 'undefined';
    else if (typeof v === 'string') s = JSON.stringify(v);
    else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null) s = String(v);
    else if (typeof v === 'function') s = `function ${v.name || '(anonymous)'}`;
    else if (ArrayBuffer.isView(v))
      s = `${v.constructor.name}(${(v as unknown as { length?: number }).length ?? v.byteLength})`;
    else if (v instanceof ArrayBuffer) s = `ArrayBuffer(${v.byteLength})`;
    else if (Array.isArray(v)) s = JSON.stringify(v);
    else s = JSON.stringify(v) ?? String(v);
  } catch {
    s = Object.prototype.toString.call(v);
  }
  return s.length > maxLength ? `${s.slice(0, maxLength - 1)}…` : s;
}

/**
 * "did you mean …?" for a mistyped option or name: the closest candidate by edit distance, if any is
 * close enough (distance ≤ max(2, a third of its length)).
 */
export function didYouMean(received: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(received.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  return bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/** How {@link assertKnownKeys} words its error. */
export interface KnownKeysOptions {
  /** Error code, e.g. `LOADER_BAD_OPTION`. */
  code: string;
  /** Package for the message prefix. Default `core`. */
  pkg?: CxrkitErrorOptions['pkg'];
  /** What a key is, for the message: "unknown <what> 'x'". Default `option`. */
  what?: string;
  /** Words after the key, e.g. `for 'inception_v3'`. */
  where?: string;
  /** The fix. Default `use one of <allowed, comma-separated>`. */
  fix?: string;
}

/**
 * Throws `options.code` for the first own key of `obj` that is not in `allowed`, with "did you mean …?"
 * when a known key is close ({@link didYouMean}):
 *
 *   [cxrkit/core] LOADER_BAD_OPTION: unknown option 'prefech' — did you mean 'prefetch'? (received: "prefech")
 *
 * The one check every options object, config file and input map of cxrkit runs on its keys. A `null`
 * or non-object `obj` has no keys and passes (check its type first where that matters).
 */
export function assertKnownKeys(obj: unknown, allowed: readonly string[], options: KnownKeysOptions): void {
  if (obj === null || typeof obj !== 'object') return;
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    const guess = didYouMean(key, allowed);
    const where = options.where ? ` ${options.where}` : '';
    const hint = guess ? ` — did you mean '${guess}'?` : '';
    throw new CxrkitError(options.code, `unknown ${options.what ?? 'option'} '${key}'${where}${hint}`, {
      received: key,
      fix: options.fix ?? `use one of ${allowed.join(', ')}`,
      pkg: options.pkg,
    });
  }
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
