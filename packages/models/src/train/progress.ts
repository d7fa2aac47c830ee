// Progress output: a live bar with ETA and running loss on a terminal, one plain line per epoch (and a
// few per long epoch) otherwise — what a log file or CI console can hold.
import type { EpochRecord, ProgressStream } from './types.js';

function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

function fmt(v: number | undefined, digits = 4): string {
  return v === undefined ? '-' : Number.isFinite(v) ? v.toFixed(digits) : String(v);
}

/** Formats the tuning metrics of an epoch record for a log line. */
export function describeEpoch(r: EpochRecord, epochs: number): string {
  const t = r.tune;
  const tune = t ? ` tune_loss ${fmt(t.loss)}${t.auc !== undefined ? ` auc ${fmt(t.auc)}` : ''}${t.mae !== undefined ? ` mae ${fmt(t.mae, 3)}` : ''}${t.r2 !== undefined ? ` r2 ${fmt(t.r2)}` : ''}` : '';
  return `epoch ${r.epoch}/${epochs} loss ${fmt(r.loss)}${tune} lr ${r.learningRate.toExponential(2)} ${r.seconds.toFixed(1)}s${r.improved ? ' *best*' : ''}`;
}

/** Progress reporter used by `train` (one per run). */
export class ProgressReporter {
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
      this.stream!.write(`\r\x1b[Kepoch ${epoch}/${this.epochs} [${bar}] ${done}/${total} loss ${fmt(runningLoss)} ETA ${clock(eta)}`);
    } else if (now - this.lastLine >= 30_000) {
      // Plain mode: a line every 30 s inside long epochs, so a CI log shows the run is alive.
      this.lastLine = now;
      this.stream!.write(`[cxrkit/train] epoch ${epoch}/${this.epochs} ${done}/${total} samples loss ${fmt(runningLoss)} ETA ${clock(eta)}\n`);
    }
  }

  epochEnd(record: EpochRecord): void {
    if (this.quiet) return;
    this.stream!.write(`${this.bar ? '\r\x1b[K' : '[cxrkit/train] '}${describeEpoch(record, this.epochs)}\n`);
  }
}
