/**
 * `@cxrkit/models/progress-bar` — `train()`'s progress callbacks rendered for a terminal with
 * cli-progress: a live bar per epoch (samples, running loss, ETA) on a TTY, one line per epoch and per
 * note otherwise. For CLIs and scripts; the library itself writes nothing (a separate entry, so that
 * browser bundles of `@cxrkit/models` do not pull in cli-progress).
 *
 * ```ts
 * const bar = createProgressBar();
 * try {
 *   await train(model, data, { epochs: 10, callbacks: bar });
 * } finally {
 *   bar.stop(); // restores the cursor if train() threw mid-epoch
 * }
 * ```
 */
import { Presets, SingleBar } from 'cli-progress';
import { describeEpoch } from './train/progress.js';
import type { TrainCallbacks } from './train/types.js';

/** Where and how the bar is drawn. */
export interface ProgressBarOptions {
  /** Default process.stderr. A stream that is not a TTY gets plain lines (one per epoch and note). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Bar width in characters. Default 30. */
  barSize?: number;
}

/** Callbacks for `train({ callbacks })` that draw its progress, plus `stop()` for a run that threw. */
export interface ProgressBar extends TrainCallbacks {
  /** Stops a bar still drawn (idempotent); `onTrainEnd` calls it. */
  stop(): void;
}

/**
 * A progress bar for `train()` (cli-progress): compose with your own callbacks by calling both, or pass
 * it as `callbacks`. On a TTY each epoch gets a live bar that is replaced by the epoch's summary line
 * (loss, tuning metrics, learning rate, seconds, `*best*`); elsewhere only the lines are written.
 */
export function createProgressBar(options: ProgressBarOptions = {}): ProgressBar {
  const stream = options.stream ?? process.stderr;
  const tty = (stream as { isTTY?: boolean }).isTTY === true;
  let epochs = 0;
  let bar: SingleBar | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  const line = (text: string) => {
    stop();
    stream.write(`${text}\n`);
  };
  return {
    stop,
    onTrainBegin: (info) => {
      epochs = info.epochs;
    },
    onEpochBegin: (info) => {
      if (!tty) return;
      stop();
      bar = new SingleBar(
        {
          stream,
          format: 'epoch {epoch}/{epochs} |{bar}| {value}/{total} samples | loss {loss} | ETA {eta_formatted}',
          barsize: options.barSize ?? 30,
          hideCursor: true,
          clearOnComplete: true,
        },
        Presets.shades_classic,
      );
      bar.start(info.samplesPerEpoch, info.samplesSeen, { epoch: info.epoch, epochs, loss: '-' });
    },
    onBatchEnd: (b) => {
      bar?.update(b.samplesSeen, { epoch: b.epoch, epochs, loss: b.runningLoss.toFixed(4) });
    },
    onEpochEnd: (record) => line(describeEpoch(record, epochs)),
    onNote: (message) => line(`[cxrkit/train] ${message}`),
    onTrainEnd: () => stop(),
  };
}
