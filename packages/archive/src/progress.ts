// Progress of a run, reported through a callback (the library never prints): counts, images per second
// over the last `windowSeconds`, the ETA once the number of instances to do is known, mean time per stage.
import type { StageTimings } from './types.js';

/** What `onProgress` receives. */
export interface ArchiveProgress {
  /** Results written by this run. */
  screened: number;
  /** Errors written by this run. */
  failed: number;
  /** Instances passed over: done by an earlier run, or listed twice. */
  skipped: number;
  /** Instances belonging to other shards (with `shard`). */
  otherShards: number;
  /** Instances this run has to do (known once they are counted; undefined before). */
  total?: number;
  /** (screened + failed) per second over the last 30 s (over the whole run before that). */
  imagesPerSecond: number;
  /** Seconds to finish at the current rate (undefined while `total` is unknown or nothing is done). */
  etaSeconds?: number;
  elapsedSeconds: number;
  /** Mean milliseconds per screened instance, per stage. */
  stageMs: StageTimings;
}

/** Keeps the counters and turns them into {@link ArchiveProgress}. */
export class ProgressMeter {
  screened = 0;
  failed = 0;
  skipped = 0;
  otherShards = 0;
  total: number | undefined;
  readonly #start = performance.now();
  readonly #window: number[] = [];
  readonly #windowMs: number;
  readonly #stageSum: StageTimings = { read: 0, decode: 0, preprocess: 0, wait: 0, predict: 0 };

  constructor(windowSeconds = 30) {
    this.#windowMs = windowSeconds * 1000;
  }

  /** Counts finished instances (results or errors) now. */
  tick(n: number): void {
    const now = performance.now();
    for (let i = 0; i < n; i++) this.#window.push(now);
    while (this.#window.length && this.#window[0]! < now - this.#windowMs) this.#window.shift();
  }

  /** Adds one screened instance's stage times. */
  addTimings(t: StageTimings): void {
    for (const k of Object.keys(this.#stageSum) as (keyof StageTimings)[]) this.#stageSum[k] += t[k];
  }

  /** The progress now. */
  snapshot(): ArchiveProgress {
    const now = performance.now();
    const elapsed = (now - this.#start) / 1000;
    const done = this.screened + this.failed;
    const span = elapsed * 1000 > this.#windowMs ? this.#windowMs / 1000 : elapsed;
    const inWindow = this.#window.filter((t) => t >= now - this.#windowMs).length;
    const rate = span > 0 ? inWindow / span : 0;
    const n = Math.max(1, this.screened);
    const stageMs = Object.fromEntries(
      Object.entries(this.#stageSum).map(([k, v]) => [k, v / n]),
    ) as unknown as StageTimings;
    return {
      screened: this.screened,
      failed: this.failed,
      skipped: this.skipped,
      otherShards: this.otherShards,
      total: this.total,
      imagesPerSecond: rate,
      etaSeconds: this.total !== undefined && rate > 0 ? Math.max(0, this.total - done) / rate : undefined,
      elapsedSeconds: elapsed,
      stageMs,
    };
  }
}
