// Accumulators for metrics gathered batch by batch (MONAI's `Cumulative` pattern): `update()` per batch,
// `compute()` at the end of an epoch or evaluation, `reset()` before the next. They keep every case, so
// AUC and R² are exact (not averaged over batches).
import { screeningSummary, type ScreeningSummary } from './subgroups.js';
import { regressionMetrics, type RegressionMetrics } from './regression.js';
import type { BinaryMetricsOptions } from './binary.js';
import { checkLengths, toBinaryLabels, toFiniteNumbers, type BinaryLabels, type NumericArray } from './validate.js';

class Growable {
  data = new Float64Array(256);
  length = 0;
  push(values: ArrayLike<number>): void {
    if (this.length + values.length > this.data.length) {
      const next = new Float64Array(Math.max(this.data.length * 2, this.length + values.length));
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    for (let i = 0; i < values.length; i++) this.data[this.length++] = values[i]!;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * Collects (label, score) batches of a binary screening model and computes AUC with DeLong CI and the
 * metrics at a threshold over everything seen.
 *
 * ```ts
 * const acc = new ScreeningAccumulator();
 * for (const batch of batches) acc.update(batch.labels, batch.probabilities);
 * const { auc, metrics } = acc.compute({ threshold: 0.5 });
 * ```
 */
export class ScreeningAccumulator {
  private labels = new Growable();
  private scores = new Growable();

  /** Adds a batch: 0/1 labels and scores of the same length (validated: no NaN, binary labels). */
  update(yTrue: BinaryLabels, yScore: NumericArray): this {
    const y = toBinaryLabels(yTrue, 'yTrue');
    const s = toFiniteNumbers(yScore, 'yScore');
    checkLengths({ yTrue: y, yScore: s }, true);
    this.labels.push(y);
    this.scores.push(s);
    return this;
  }

  /** Cases collected so far. */
  get count(): number {
    return this.labels.length;
  }

  /** AUC + DeLong CI and metrics at the threshold over all cases so far. */
  compute(options: BinaryMetricsOptions = {}): ScreeningSummary {
    return screeningSummary(this.labels.view(), this.scores.view(), options);
  }

  /** The collected labels and scores (copies). */
  values(): { yTrue: Float64Array; yScore: Float64Array } {
    return { yTrue: this.labels.view().slice(), yScore: this.scores.view().slice() };
  }

  /** Forgets every case. */
  reset(): this {
    this.labels = new Growable();
    this.scores = new Growable();
    return this;
  }
}

/** Collects (true, predicted) batches of a regression model (e.g. age in years) and computes R², MAE, RMSE, ±k. */
export class RegressionAccumulator {
  private truth = new Growable();
  private pred = new Growable();

  /** Adds a batch of true and predicted values of the same length. */
  update(yTrue: NumericArray, yPred: NumericArray): this {
    const t = toFiniteNumbers(yTrue, 'yTrue');
    const p = toFiniteNumbers(yPred, 'yPred');
    checkLengths({ yTrue: t, yPred: p }, true);
    this.truth.push(t);
    this.pred.push(p);
    return this;
  }

  get count(): number {
    return this.truth.length;
  }

  /** R², MAE, RMSE and within ±k (default k = 4, 9 years) over all cases so far. */
  compute(ks: readonly number[] = [4, 9]): RegressionMetrics {
    return regressionMetrics(this.truth.view(), this.pred.view(), ks);
  }

  values(): { yTrue: Float64Array; yPred: Float64Array } {
    return { yTrue: this.truth.view().slice(), yPred: this.pred.view().slice() };
  }

  reset(): this {
    this.truth = new Growable();
    this.pred = new Growable();
    return this;
  }
}
