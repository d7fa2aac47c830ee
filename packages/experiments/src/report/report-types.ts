// The shape of report.json: every number the HTML report shows, and nothing it does not.

/** A proportion with its Wilson interval (k of n). */
export interface ReportProportion {
  value: number;
  ci: [number, number];
  k: number;
  n: number;
}

/** AUC with its DeLong interval. */
export interface ReportAuc {
  value: number;
  lower: number;
  upper: number;
  se: number;
}

/** A binary run on one set of cases at the run's threshold. */
export interface BinarySummary {
  n: number;
  positives: number;
  auc: ReportAuc;
  accuracy: ReportProportion;
  sensitivity: ReportProportion;
  specificity: ReportProportion;
  ppv: ReportProportion;
  npv: ReportProportion;
  f1: number;
  confusion: { tp: number; fn: number; fp: number; tn: number };
}

/** A regression run on one set of cases. */
export interface RegressionSummary {
  n: number;
  r2: number;
  mae: number;
  rmse: number;
  within4: number;
  within9: number;
}

/** One stratum (sex or age band) of a run's test set. */
export interface StratumRow {
  by: 'sex' | 'age';
  stratum: string;
  binary?: BinarySummary;
  regression?: RegressionSummary;
}

/** One run in the report. */
export interface ReportRun {
  id: string;
  status: 'done' | 'skipped';
  reason?: string;
  task: string;
  kind: 'binary' | 'regression' | 'multiclass';
  backbone: string;
  inputSize: number;
  width: number;
  transfer: string;
  freeze: string;
  fusion: string;
  trainSample?: { perClass: number; tunePerClass?: number };
  counts: { train: number; tune: number; test: number; trainPositives?: number };
  seed: number;
  seconds: { train: number; predict: number; total: number };
  resumed: boolean;
  epochs?: number;
  bestEpoch?: number;
  threshold?: { value: number; rule: unknown; tuneSensitivity: number; tuneSpecificity: number };
  tuneAuc?: number;
  test?: BinarySummary;
  regression?: RegressionSummary;
  strata: StratumRow[];
  cardId?: string;
}

/** DeLong's test between two runs on the same test cases. */
export interface ReportComparison {
  a: string;
  b: string;
  n: number;
  aucA: number;
  aucB: number;
  difference: number;
  ci: [number, number];
  z: number;
  p: number;
}

/** The biological-age-gap tables (thesis Tables 3.4–3.6). */
export interface ReportBioAge {
  run: string;
  threshold: number;
  sizes: Record<string, number>;
  accuracy: RegressionSummary;
  categorical: Record<
    string,
    {
      categories: string[];
      counts: Record<string, Record<string, number>>;
      percents: Record<string, Record<string, number>>;
      chiSquare: { statistic: number; dof: number; p: number };
    }
  >;
  continuous: Record<
    string,
    {
      summary: Record<string, { n: number; mean: number; sd: number; median: number; q1: number; q3: number }>;
      kruskal: { statistic: number; dof: number; p: number };
    }
  >;
}

/** report.json. */
export interface ReportJson {
  format: 'cxrkit-experiment-report/1';
  experiment: { name: string; description?: string; file: string; quick: boolean; source: string };
  generatedAt: string;
  baseline: { columns: string[]; rows: Array<{ label: string; values: string[] }> };
  runs: ReportRun[];
  comparisons: ReportComparison[];
  bioAge?: ReportBioAge;
  atlas: Array<{
    run: string;
    layers: string[];
    /** Side of the CAM grid. */
    grid?: number;
    truePositives: number;
    averaged: number;
    files: { overlay: string; mean: string };
  }>;
  /** Plots drawn in the HTML (name → title). */
  plots: Array<{ id: string; title: string }>;
}
