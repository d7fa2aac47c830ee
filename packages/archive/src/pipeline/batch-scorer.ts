// The inference stage: prepared instances are gathered into batches of up to `batchSize` and scored by one
// predictor call each, one batch at a time (the predictor uses the cores for the batch while the worker
// threads prepare the next). A batch runs when it is full, when `maxWaitMs` has passed since its first
// instance, or on `flush()`. `onBatch` (e.g. a durable append) completes before any of the batch's
// promises resolve, so a caller that awaits an instance knows its result is stored.
import type { ModelCard } from '@cxrkit/models/card';
import { archiveFail } from '../errors.js';
import type { PreparedInstance } from '../types.js';
import type { ArrayBatch, ScreeningPredictor } from './predictor.js';

/** One scored instance. `score` is NaN when the model's output for it was not a finite number. */
export interface Scored {
  prepared: PreparedInstance;
  score: number;
  /** ms between submit and the start of its batch. */
  waitMs: number;
  /** ms of its batch's predict call, divided by the batch size. */
  predictMs: number;
  /** Size of the batch it was scored in. */
  batchSize: number;
}

/** Options of {@link createBatchScorer}. */
export interface BatchScorerOptions {
  predictor: ScreeningPredictor;
  card: ModelCard;
  /** Largest batch. */
  batchSize: number;
  /** Run a partial batch this long after its first instance arrived (ms). Default: only when full or flushed. */
  maxWaitMs?: number;
  /** Called with each scored batch before the batch's promises resolve (store the results here). */
  onBatch?: (scored: Scored[]) => Promise<void> | void;
}

/** A running inference stage. */
export interface BatchScorer {
  /** Queues one instance; resolves once its batch is scored and `onBatch` has completed. */
  submit(prepared: PreparedInstance): Promise<Scored>;
  /** Runs what is queued now, full or not. */
  flush(): void;
  /** Instances queued and not yet in a batch. */
  readonly queued: number;
  /** True while a batch is being scored. */
  readonly busy: boolean;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
}

interface Entry {
  prepared: PreparedInstance;
  at: number;
  resolve(s: Scored): void;
  reject(e: unknown): void;
}

/** The model inputs of a batch: images stacked `[n, size, size, channels]`, each fusion input `[n, 1]`. */
export function batchInputs(card: ModelCard, items: readonly PreparedInstance[]): Record<string, ArrayBatch> {
  const { inputSize: size, channels, inputName } = card.architecture;
  const per = size * size * channels;
  const images = new Float32Array(items.length * per);
  items.forEach((p, i) => {
    if (p.image.length !== per) {
      archiveFail('ARCHIVE_BAD_OUTPUT', `a prepared image has ${p.image.length} values, not ${per}`, p.path, 'a bug');
    }
    images.set(p.image, i * per);
  });
  const inputs: Record<string, ArrayBatch> = {
    [inputName]: { data: images, shape: [items.length, size, size, channels] },
  };
  card.fusion.forEach((f, k) => {
    inputs[f.input] = { data: Float32Array.from(items, (p) => p.fusion[k]!), shape: [items.length, 1] };
  });
  return inputs;
}

/**
 * Starts the inference stage on `predictor`. A predictor that throws rejects every instance of the batch with
 * its error (the caller decides: screenArchive stops the run, since a failing model fails every file).
 */
export function createBatchScorer(options: BatchScorerOptions): BatchScorer {
  const { predictor, card, batchSize, maxWaitMs, onBatch } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    archiveFail('ARCHIVE_BAD_OPTION', 'batchSize must be a whole number ≥ 1', batchSize, 'pass e.g. batchSize: 8');
  }
  const queue: Entry[] = [];
  let busy = false;
  let flushing = false;
  let timer: NodeJS.Timeout | undefined;
  const idleWaiters: (() => void)[] = [];

  const checkIdle = () => {
    if (!busy && queue.length === 0) for (const w of idleWaiters.splice(0)) w();
  };

  const runBatch = async (entries: Entry[]) => {
    busy = true;
    const start = performance.now();
    try {
      const inputs = batchInputs(
        card,
        entries.map((e) => e.prepared),
      );
      const outputs = await predictor.predict(inputs);
      const predictMs = (performance.now() - start) / entries.length;
      const out = outputs[predictor.outputNames[0]!];
      if (!out || out.data.length !== entries.length) {
        archiveFail(
          'ARCHIVE_BAD_OUTPUT',
          `the model returned ${out?.data.length ?? 0} values for ${entries.length} images`,
          out?.shape,
          'screen with a binary screening model (one output of width 1)',
        );
      }
      const scored = entries.map((e, i) => {
        const v = out!.data[i]!;
        return {
          prepared: e.prepared,
          score: Number.isFinite(v) ? v : Number.NaN,
          waitMs: start - e.at,
          predictMs,
          batchSize: entries.length,
        };
      });
      await onBatch?.(scored);
      entries.forEach((e, i) => e.resolve(scored[i]!));
    } catch (err) {
      for (const e of entries) e.reject(err);
    } finally {
      busy = false;
      pump();
      checkIdle();
    }
  };

  const pump = () => {
    if (busy || queue.length === 0) return;
    if (queue.length >= batchSize || flushing) {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const entries = queue.splice(0, batchSize);
      if (queue.length === 0) flushing = false;
      void runBatch(entries);
      return;
    }
    if (maxWaitMs !== undefined && !timer) {
      const wait = Math.max(0, queue[0]!.at + maxWaitMs - performance.now());
      timer = setTimeout(() => {
        timer = undefined;
        flushing = true;
        pump();
      }, wait);
    }
  };

  return {
    submit(prepared) {
      return new Promise<Scored>((resolve, reject) => {
        queue.push({ prepared, at: performance.now(), resolve, reject });
        pump();
      });
    },
    flush() {
      if (queue.length === 0) return;
      flushing = true;
      pump();
    },
    get queued() {
      return queue.length;
    },
    get busy() {
      return busy;
    },
    idle() {
      if (!busy && queue.length === 0) return Promise.resolve();
      return new Promise<void>((r) => idleWaiters.push(r));
    },
  };
}
