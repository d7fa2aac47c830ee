// Stage 5 of train(): checkpoints — the latest (every epoch, every N steps or seconds, and when stopped)
// and the best epoch's — and the weights of the best epoch, kept in memory or read back at the end.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { readCheckpoint, writeCheckpoint, type StoredTensor } from './checkpoint.js';
import type { AdamInternals, TrainerState } from './state.js';
import type { TrainCallbacks } from './types.js';
import { readVariables, writeVariables } from './variables.js';

/** Writes a run's checkpoints and keeps its best weights. One per run; `dispose()` when it ends. */
export class Checkpointer {
  /** Folder of the last best checkpoint written or read. */
  bestCheckpoint: string | undefined;
  private lastAt = Date.now();
  private bestWeights: tf.Tensor[] | undefined;

  constructor(
    private readonly st: TrainerState,
    private readonly weights: readonly tfl.LayerVariable[],
    private readonly optimizer: tf.Optimizer,
    private readonly callbacks: TrainCallbacks,
    private readonly dir: string | undefined,
  ) {}

  /** Seconds since the last 'latest' checkpoint (or since the run started). */
  secondsSinceLast(): number {
    return (Date.now() - this.lastAt) / 1000;
  }

  /** Writes the 'latest' checkpoint (nothing without a checkpoint folder). */
  async saveLatest(): Promise<void> {
    if (!this.dir) return;
    const st = this.st;
    const path = await writeCheckpoint(
      this.dir,
      'latest',
      `s${String(st.globalStep).padStart(7, '0')}`,
      st,
      await this.tensors(),
    );
    this.lastAt = Date.now();
    await this.callbacks.onCheckpoint?.({
      path,
      kind: 'latest',
      epoch: st.epoch,
      step: st.step,
      globalStep: st.globalStep,
    });
  }

  /** Writes the 'best' checkpoint of 1-based `epoch` (nothing without a checkpoint folder). */
  async saveBest(epoch: number): Promise<void> {
    if (!this.dir) return;
    const st = this.st;
    this.bestCheckpoint = await writeCheckpoint(
      this.dir,
      'best',
      `e${String(epoch).padStart(4, '0')}`,
      st,
      await this.tensors(),
    );
    await this.callbacks.onCheckpoint?.({
      path: this.bestCheckpoint,
      kind: 'best',
      epoch: st.epoch,
      step: 0,
      globalStep: st.globalStep,
    });
  }

  /** Keeps a copy of the current weights as the best so far (keep-best). */
  keepBest(): void {
    tf.dispose(this.bestWeights ?? []);
    this.bestWeights = this.weights.map((w) => tf.clone(w.read()));
  }

  /**
   * Puts the best epoch's weights back into the model: the copy kept in memory, or (a resumed run whose
   * best epoch came before the resume) the best checkpoint's.
   */
  async restoreBest(): Promise<void> {
    const best = this.bestWeights;
    if (best) tf.tidy(() => this.weights.forEach((w, i) => w.write(best[i]!)));
    else if (this.dir) {
      const ck = await readCheckpoint<TrainerState>(this.dir, 'best');
      writeVariables(this.weights, ck.tensors.slice(0, ck.trainer.modelWeights), ck.path);
      this.bestCheckpoint = ck.path;
    }
  }

  dispose(): void {
    tf.dispose(this.bestWeights ?? []);
    this.bestWeights = undefined;
  }

  /**
   * Model weights, then Adam's state; Adam's β^t accumulators and learning rate go into the JSON state.
   * Every read is asynchronous (data()): the webgpu backend cannot read synchronously in Node.
   */
  private async tensors(): Promise<StoredTensor[]> {
    const adam = this.optimizer as unknown as AdamInternals;
    this.st.adam.accBeta1 = (await adam.accBeta1.data())[0]!;
    this.st.adam.accBeta2 = (await adam.accBeta2.data())[0]!;
    this.st.learningRate = adam.learningRate;
    const model = await readVariables(this.weights, 'model');
    const ws = await this.optimizer.getWeights();
    const opt = await Promise.all(
      ws.map(async (w): Promise<StoredTensor> => {
        const dtype = w.tensor.dtype === 'int32' ? 'int32' : 'float32';
        const data = (await w.tensor.data()) as Float32Array | Int32Array;
        return { name: w.name, shape: [...w.tensor.shape], dtype, data };
      }),
    );
    ws[0]?.tensor.dispose(); // the iteration count is a fresh scalar; the rest are Adam's live slots
    return [...model, ...opt];
  }
}
