// Back-pressure: how many screens the service holds at once (running plus waiting), with a Retry-After
// estimate for the clients it turns away; and a one-at-a-time lane for the model (one predictor call at a
// time, so concurrent screens do not multiply the model's memory).

/** Counts admitted jobs against a fixed capacity and estimates how long a newcomer would wait. */
export class Admission {
  readonly capacity: number;
  readonly #lanes: number;
  #pending = 0;
  #meanMs = 1000;

  /** `capacity`: jobs held at once; `lanes`: how many of them run in parallel (for the wait estimate). */
  constructor(capacity: number, lanes: number) {
    this.capacity = capacity;
    this.#lanes = Math.max(1, lanes);
  }

  /** Jobs admitted and not yet done. */
  get pending(): number {
    return this.#pending;
  }

  /** Admits one job unless the service is full. */
  tryEnter(): boolean {
    if (this.#pending >= this.capacity) return false;
    this.#pending++;
    return true;
  }

  /** One admitted job is done after `ms` milliseconds (updates the wait estimate). */
  leave(ms?: number): void {
    this.#pending = Math.max(0, this.#pending - 1);
    if (ms !== undefined && Number.isFinite(ms)) this.#meanMs = 0.8 * this.#meanMs + 0.2 * ms;
  }

  /** Seconds a client turned away now should wait before retrying (1–60). */
  retryAfterSeconds(): number {
    const s = Math.ceil(((this.#pending / this.#lanes) * this.#meanMs) / 1000);
    return Math.min(60, Math.max(1, s));
  }
}

/** Runs async functions one at a time, in call order. */
export class SerialLane {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every function queued before it has settled. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(fn, fn);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
