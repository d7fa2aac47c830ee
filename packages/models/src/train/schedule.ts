// Stage 4 of train(): after each epoch's evaluation — did the monitored metric improve (keep-best),
// reduce the learning rate on a plateau, stop early (Keras's semantics for all three).
import type { TrainerState } from './state.js';
import type { TrainOptions } from './types.js';

/** What the schedule decided after an epoch. */
export interface ScheduleDecision {
  /** The epoch set a new best value of the monitored metric (keep its weights). */
  improved: boolean;
  /** Learning rate for the next epoch (lower after a plateau). */
  learningRate: number;
  /** What changed, for the progress notes (a learning-rate reduction). */
  notes: string[];
}

/**
 * Updates the schedule fields of `st` (best, bestEpoch, wait, plateauWait, cooldown, stoppedEarly,
 * learningRate) for an epoch whose monitored value is `value` and whose learning rate was `learningRate`.
 * `mode` 'max' when larger is better. A non-finite value never improves.
 */
export function updateSchedule(
  st: TrainerState,
  value: number,
  learningRate: number,
  run: {
    mode: 'max' | 'min';
    monitor: string;
    epoch: number;
    earlyStopping?: TrainOptions['earlyStopping'];
    reduceLrOnPlateau?: TrainOptions['reduceLrOnPlateau'];
  },
): ScheduleDecision {
  const minDelta = (run.earlyStopping && run.earlyStopping.minDelta) || 0;
  const improved =
    Number.isFinite(value) &&
    (st.best === null || (run.mode === 'max' ? value > st.best + minDelta : value < st.best - minDelta));
  if (improved) {
    st.best = value;
    st.bestEpoch = run.epoch + 1;
    st.wait = 0;
    st.plateauWait = 0;
  } else {
    st.wait++;
    if (st.cooldown > 0) st.cooldown--;
    else st.plateauWait++;
  }
  const notes: string[] = [];
  let lr = learningRate;
  const rp = run.reduceLrOnPlateau;
  if (rp && !improved && st.plateauWait >= rp.patience) {
    const lower = Math.max(rp.minLr ?? 0, lr * (rp.factor ?? 0.1));
    if (lower < lr) {
      notes.push(
        `no improvement of ${run.monitor} for ${st.plateauWait} epochs: ` +
          `learning rate ${lr.toExponential(2)} → ${lower.toExponential(2)} from epoch ${run.epoch + 2}`,
      );
      lr = lower;
      st.learningRate = lower;
    }
    st.plateauWait = 0;
    st.cooldown = rp.cooldown ?? 0;
  }
  if (run.earlyStopping && st.wait >= run.earlyStopping.patience) st.stoppedEarly = true;
  return { improved, learningRate: lr, notes };
}
