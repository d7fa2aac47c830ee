/**
 * The error class of @cxrkit/metrics. Kept deliberately small: metrics depends on nothing of ours, so it
 * cannot import `CxrkitError` from @cxrkit/core, and carries its own copy with the same shape (`code`,
 * `received`, `fix`, `pkg`), the same `name` ('CxrkitError') and the same message format:
 *
 *   [cxrkit/metrics] METRICS_ONE_CLASS: yTrue holds only one class, so ROC AUC is undefined (received: …). Fix: …
 *
 * so `isCxrkitError(e)` from @cxrkit/core (which checks `name`, not the class) recognises it, and vice versa.
 */
export interface MetricsErrorOptions {
  /** The value that was rejected; shown in the message (shortened) and kept on the error. */
  received?: unknown;
  /** What the caller should do about it; shown after "Fix:". */
  fix?: string;
  /** The underlying error, if one was caught. */
  cause?: unknown;
}

export class MetricsError extends Error {
  /** Stable SCREAMING_SNAKE code, e.g. `METRICS_LENGTH_MISMATCH`. */
  readonly code: string;
  /** The rejected value (not stringified). */
  readonly received: unknown;
  /** The suggested fix, without the "Fix:" prefix. */
  readonly fix: string | undefined;
  /** Always `metrics`. */
  readonly pkg = 'metrics';

  constructor(code: string, message: string, options: MetricsErrorOptions = {}) {
    const parts = [`[cxrkit/metrics] ${code}: ${message}`];
    if ('received' in options) parts.push(`(received: ${describeValue(options.received)})`);
    if (options.fix) parts.push(`Fix: ${options.fix}`);
    super(parts.join(' '), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CxrkitError';
    this.code = code;
    this.received = options.received;
    this.fix = options.fix;
  }
}

/** True when `e` is a cxrkit error (from any cxrkit package), optionally with the given code. */
export function isCxrkitError(e: unknown, code?: string): e is MetricsError {
  if (!(e instanceof Error) || e.name !== 'CxrkitError') return false;
  return code === undefined || (e as MetricsError).code === code;
}

/** A short rendering of any value for error messages (never throws). Same rules as @cxrkit/core's. */
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
