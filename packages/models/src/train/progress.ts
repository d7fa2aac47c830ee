// The built-in progress output that `train({ progress, progressStream })` asks for: a live bar with ETA
// and running loss on a terminal, one plain line per epoch (and a few per long epoch) otherwise — what a
// log file or CI console can hold. It is a set of callbacks like any caller's: the training loop itself
// only calls callbacks. (CLIs: `createProgressBar()` renders the same callbacks with cli-progress.)
import type { EpochRecord, ProgressStream, TrainCallbacks, TrainOptions } from './types.js';

function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0
    ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}`
    : `${m}:${String(r).padStart(2, '0')}`;
}

function fmt(v: number | undefined, digits = 4): string {
  return v === undefined ? '-' : Number.isFinite(v) ? v.toFixed(digits) : String(v);
}

/** Formats the tuning metrics of an epoch record for a log line. */
export function describeEpoch(r: EpochRecord, epochs: number): string {
  const t = r.tune;
  const tune = t
    ? ` tune_loss ${fmt(t.loss)}${t.auc !== undefined ? ` auc ${fmt(t.auc)}` : ''}${t.mae !== undefined ? ` mae ${fmt(t.mae, 3)}` : ''}${t.r2 !== undefined ? ` r2 ${fmt(t.r2)}` : ''}`
    : '';
  return `epoch ${r.epoch}/${epochs} loss ${fmt(r.loss)}${tune} lr ${r.learningRate.toExponential(2)} ${r.seconds.toFixed(1)}s${r.improved ? ' *best*' : ''}`;
}

/** Writes progress to a stream (one per run); {@link progressCallbacks} adapts it to callbacks. */
class ProgressReporter {
  private readonly bar: boolean;
  private readonly quiet: boolean;
  private epochStart = 0;
  private lastLine = 0;
  private lastDraw = 0;

  constructor(
    mode: 'auto' | 'bar' | 'lines' | 'none',
    private readonly stream: ProgressStream | undefined,
    private readonly epochs: number,
  ) {
    this.quiet = mode === 'none' || !stream;
    this.bar = !this.quiet && (mode === 'bar' || (mode === 'auto' && stream?.isTTY === true));
  }

  /** A free-form message (warnings, resume notes). */
  note(message: string): void {
    if (this.quiet) return;
    this.stream!.write(`${this.bar ? '\r\x1b[K' : ''}[cxrkit/train] ${message}\n`);
  }

  epochBegin(): void {
    this.epochStart = Date.now();
    this.lastLine = this.epochStart;
  }

  /** After an optimizer step: `done`/`total` samples of this epoch, running mean loss. */
  step(epoch: number, done: number, total: number, runningLoss: number): void {
    if (this.quiet) return;
    const now = Date.now();
    const elapsed = (now - this.epochStart) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : NaN;
    if (this.bar) {
      if (now - this.lastDraw < 100 && done < total) return;
      this.lastDraw = now;
      const width = Math.max(10, Math.min(30, (this.stream!.columns ?? 80) - 60));
      const filled = Math.round((done / Math.max(1, total)) * width);
      const bar = `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? (done < total ? '>' : '=') : ''}${' '.repeat(width - filled)}`;
      this.stream!.write(
        `\r\x1b[Kepoch ${epoch}/${this.epochs} [${bar}] ${done}/${total} loss ${fmt(runningLoss)} ETA ${clock(eta)}`,
      );
    } else if (now - this.lastLine >= 30_000) {
      // Plain mode: a line every 30 s inside long epochs, so a CI log shows the run is alive.
      this.lastLine = now;
      this.stream!.write(
        `[cxrkit/train] epoch ${epoch}/${this.epochs} ${done}/${total} samples loss ${fmt(runningLoss)} ETA ${clock(eta)}\n`,
      );
    }
  }

  epochEnd(record: EpochRecord): void {
    if (this.quiet) return;
    this.stream!.write(`${this.bar ? '\r\x1b[K' : '[cxrkit/train] '}${describeEpoch(record, this.epochs)}\n`);
  }
}

/**
 * The callbacks that write `train`'s built-in progress output, or none: `progress` defaults to 'none'
 * unless a `progressStream` is given (then 'auto'); an explicit 'auto' | 'bar' | 'lines' without a
 * stream writes to process.stderr.
 */
export function progressCallbacks(
  options: Pick<TrainOptions, 'progress' | 'progressStream'>,
  epochs: number,
): TrainCallbacks {
  const mode = options.progress ?? (options.progressStream ? 'auto' : 'none');
  if (mode === 'none') return {};
  const stream = options.progressStream ?? (globalThis.process?.stderr as ProgressStream | undefined);
  const p = new ProgressReporter(mode, stream, epochs);
  return {
    onEpochBegin: () => p.epochBegin(),
    onBatchEnd: (b) => p.step(b.epoch, b.samplesSeen, b.samplesPerEpoch, b.runningLoss),
    onEpochEnd: (r) => p.epochEnd(r),
    onNote: (m) => p.note(m),
  };
}

/** One set of callbacks that calls each of `sets` in order (awaiting each). */
export function combineCallbacks(...sets: TrainCallbacks[]): Required<TrainCallbacks> {
  const each =
    <K extends keyof TrainCallbacks>(key: K) =>
    async (...args: Parameters<NonNullable<TrainCallbacks[K]>>): Promise<void> => {
      for (const set of sets) await (set[key] as ((...a: typeof args) => unknown) | undefined)?.apply(set, args);
    };
  return {
    onTrainBegin: each('onTrainBegin'),
    onEpochBegin: each('onEpochBegin'),
    onBatchEnd: each('onBatchEnd'),
    onEpochEnd: each('onEpochEnd'),
    onCheckpoint: each('onCheckpoint'),
    onNote: each('onNote'),
    onTrainEnd: each('onTrainEnd'),
  };
}
