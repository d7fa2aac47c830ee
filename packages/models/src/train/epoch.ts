// One epoch of train(): its optimizer steps over the seeded order (the one batching path of
// @cxrkit/core, resumable at any step), then its end — evaluation, schedule, checkpoints, log, callbacks.
import { createRng, deriveSeed, epochOrder, sampleBatches, type GrayImage } from '@cxrkit/core';
import { preciseBatchNorm } from './batch-norm-mode.js';
import { evaluate } from './evaluate.js';
import type { TrainRun } from './run.js';
import { updateSchedule } from './schedule.js';
import { trainStep } from './step.js';
import { appendTrainLog } from './train-log.js';
import type { EpochRecord, TrainingSample } from './types.js';

/**
 * Runs the remaining optimizer steps of epoch `st.epoch`, from step `st.step` (a resumed run starts
 * mid-epoch). Checkpoints inside the epoch when due or when a callback stops the run. Returns whether
 * the epoch finished, and the time it started (minus the seconds a resumed epoch had already taken).
 */
export async function runEpochSteps(run: TrainRun): Promise<{ finished: boolean; startedAt: number }> {
  const { st, settings, trainSet, options, seed, callbacks, control } = run;
  const { batchSize, accumulationSteps } = settings;
  const epoch = st.epoch;
  const order = epochOrder(trainSet.size, seed, epoch);
  const samplesPerEpoch = trainSet.size;
  const seen = (steps: number) => Math.min(samplesPerEpoch, steps * accumulationSteps * batchSize);
  await callbacks.onEpochBegin(
    { epoch: epoch + 1, epochs: settings.epochs, step: st.step, samplesSeen: seen(st.step), samplesPerEpoch },
    control,
  );
  const startedAt = Date.now() - st.epochSeconds * 1000;
  run.adam.learningRate = st.learningRate;
  // Augmentation of sample i in epoch e draws from an rng seeded by (seed, e, i): resumable anywhere.
  const read = async (i: number): Promise<TrainingSample> => {
    const s = await trainSet.get(i);
    if (!options.augment) return s;
    const image: GrayImage = await options.augment(s.image, createRng(deriveSeed(seed, 'augment', epoch, i)));
    return { ...s, image };
  };
  const batches = sampleBatches(order, { batchSize, position: st.step * accumulationSteps * batchSize, read })[
    Symbol.asyncIterator
  ]();
  const next = async () => {
    const r = await batches.next();
    if (r.done) throw new Error('[cxrkit/models] internal: the epoch ran out of micro-batches');
    return r.value;
  };
  const microSize = (m: number) => Math.min(samplesPerEpoch, (m + 1) * batchSize) - m * batchSize;
  try {
    while (st.step < run.stepsPerEpoch && !run.stopRequested()) {
      const m0 = st.step * accumulationSteps;
      const m1 = Math.min(run.microBatches, m0 + accumulationSteps);
      let total = 0;
      for (let m = m0; m < m1; m++) total += microSize(m);
      const { lossSum } = await trainStep(
        run.stepContext,
        { epoch, step: st.step, globalStep: st.globalStep },
        m1 - m0,
        total,
        next,
      );
      st.step++;
      st.globalStep++;
      st.lossSum += lossSum;
      st.lossCount += total;
      await callbacks.onBatchEnd(
        {
          epoch: epoch + 1,
          step: st.step,
          stepsPerEpoch: run.stepsPerEpoch,
          globalStep: st.globalStep,
          loss: lossSum / total,
          runningLoss: st.lossSum / st.lossCount,
          samplesSeen: seen(st.step),
          samplesPerEpoch,
        },
        control,
      );
      const due =
        (settings.checkpointEverySteps > 0 && st.step % settings.checkpointEverySteps === 0) ||
        run.checkpoints.secondsSinceLast() >= settings.checkpointEverySeconds;
      if (st.step < run.stepsPerEpoch && (due || run.stopRequested())) {
        st.epochSeconds = (Date.now() - startedAt) / 1000;
        await run.checkpoints.saveLatest();
      }
    }
  } finally {
    await batches.return?.(); // waits for the read in flight
  }
  return { finished: st.step >= run.stepsPerEpoch, startedAt };
}

/**
 * The end of a finished epoch: precise BN, evaluation on the tuning set, the schedule (keep-best,
 * learning rate on plateau, early stopping), the best and latest checkpoints, the log line, callbacks.
 */
export async function finishEpoch(run: TrainRun, startedAt: number): Promise<EpochRecord> {
  const { st, settings, options, model, callbacks, control } = run;
  const epoch = st.epoch;
  await preciseBatchNorm(model, run.bn, {
    trainSet: run.trainSet,
    layout: run.layout,
    samples: settings.preciseBatchNorm,
    frozen: options.batchNorm === 'frozen',
    batchSize: settings.batchSize,
    seed: run.seed,
    epoch,
  });
  const tune = run.tuneSet
    ? await evaluate(model, settings.task, run.tuneSet, run.layout, settings.evalBatchSize, run.targets.scale)
    : undefined;
  const loss = st.lossSum / st.lossCount;
  const value = settings.monitor === 'loss' ? (tune ? tune.loss : loss) : (tune![settings.monitor] as number);
  const learningRate = run.adam.learningRate;
  const decision = updateSchedule(st, value, learningRate, {
    mode: settings.mode,
    monitor: settings.monitor,
    epoch,
    earlyStopping: options.earlyStopping,
    reduceLrOnPlateau: options.reduceLrOnPlateau,
  });
  const record: EpochRecord = {
    epoch: epoch + 1,
    loss,
    learningRate,
    ...(tune ? { tune } : {}),
    monitorValue: value,
    improved: decision.improved,
    globalStep: st.globalStep,
    seconds: (Date.now() - startedAt) / 1000,
  };
  st.history.push(record);
  if (decision.improved && settings.restoreBest) run.checkpoints.keepBest();
  run.adam.learningRate = decision.learningRate;
  st.epoch++;
  st.step = 0;
  st.lossSum = 0;
  st.lossCount = 0;
  st.epochSeconds = 0;
  if (decision.improved) await run.checkpoints.saveBest(epoch + 1);
  await run.checkpoints.saveLatest();
  if (settings.logFile) await appendTrainLog(settings.logFile, record);
  await callbacks.onEpochEnd(record, control);
  for (const note of decision.notes) await callbacks.onNote(note);
  if (st.stoppedEarly)
    await callbacks.onNote(
      `early stopping: ${settings.monitor} did not improve for ${st.wait} epochs ` +
        `(best ${st.best} at epoch ${st.bestEpoch})`,
    );
  return record;
}
