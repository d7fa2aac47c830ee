// @cxrkit/metrics — screening and regression metrics, confidence intervals, statistical tests and plots.
// Plain numbers in, plain numbers out: no tfjs, and nothing of the other cxrkit packages.
export { MetricsError, isCxrkitError, type MetricsErrorOptions } from './errors.js';
export { METRICS_WARNING } from './warn.js';
export type { NumericArray, BinaryLabels } from './validate.js';
export { rocAuc, rocCurve, type RocCurve, type RocCurveOptions } from './roc.js';
export {
  r2Score,
  meanAbsoluteError,
  rootMeanSquaredError,
  withinYears,
  regressionMetrics,
  type R2Options,
  type RegressionMetrics,
} from './regression.js';
