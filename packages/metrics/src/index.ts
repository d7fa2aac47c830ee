// @cxrkit/metrics — screening and regression metrics, confidence intervals and statistical tests.
// Plain numbers in, plain numbers out: no tfjs, and nothing of the other cxrkit packages. Plots live
// behind the subpath `@cxrkit/metrics/plots`, whose renderers (vega, resvg) are optional peers: this
// entry neither loads nor needs them.
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
export {
  confusionMatrix,
  binaryMetrics,
  metricsFromCounts,
  chooseThreshold,
  evaluateWithTunedThreshold,
  type ConfusionMatrix,
  type Proportion,
  type BinaryMetrics,
  type BinaryMetricsOptions,
  type ThresholdRule,
  type ChosenThreshold,
  type ScoredSet,
  type TunedEvaluation,
} from './binary.js';
export { wilsonInterval, delongCi, delongTest, type AucInterval, type DelongTestResult } from './intervals.js';
export {
  chiSquareTest,
  kruskalWallis,
  type ChiSquareResult,
  type ChiSquareOptions,
  type KruskalResult,
} from './stats.js';
export { ksTwoSample, type KsResult } from './ks-two-sample.js';
export { chiSquareSf, normalCdf, normalQuantile, normalTwoSidedP } from './distributions.js';
export {
  bootstrapCi,
  seededRandom,
  quantileSorted,
  type BootstrapOptions,
  type BootstrapInterval,
} from './bootstrap.js';
export {
  bySubgroup,
  groupIndices,
  screeningSummary,
  screeningBySubgroup,
  regressionBySubgroup,
  type GroupLabels,
  type BySubgroup,
  type ScreeningSummary,
} from './subgroups.js';
export {
  ageGap,
  ageGapGroups,
  biologicalAgeAnalysis,
  AGE_GAP_GROUPS,
  type AgeGapGroup,
  type BiologicalAgeInput,
  type BiologicalAgeAnalysis,
  type CategoricalComparison,
  type ContinuousComparison,
  type ContinuousSummary,
} from './bio-age.js';
export { ScreeningAccumulator, RegressionAccumulator } from './accumulators.js';
