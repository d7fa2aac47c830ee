// Warnings for results that are defined by convention (NaN) rather than by data, e.g. specificity with no
// negatives. They go through `process.emitWarning` (type 'CxrkitMetricsWarning', with a code) where Node
// is present, so a caller can listen for them or silence them with --no-warnings; elsewhere console.warn.

/** The `type` of every warning @cxrkit/metrics emits. */
export const METRICS_WARNING = 'CxrkitMetricsWarning';

/** Emits a metrics warning with a stable code, e.g. `METRICS_UNDEFINED_SPECIFICITY`. */
export function warnMetrics(code: string, message: string): void {
  const text = `[cxrkit/metrics] ${code}: ${message}`;
  const proc = (globalThis as { process?: { emitWarning?: (m: string, o: object) => void } }).process;
  if (proc?.emitWarning) proc.emitWarning(text, { type: METRICS_WARNING, code });
  else console.warn(text);
}
