// How long work shows its progress: a cli-progress bar on a terminal (or when --progress asks for one),
// plain lines otherwise (one every 10 %), nothing with --quiet. Libraries report through callbacks;
// this is the only place that draws. Progress never names files or patients: counts only.
import cliProgress from 'cli-progress';
import type { CliContext } from '../context.js';

/** A progress display for one run of a command. */
export interface Progress {
  /** Reports `done` of `total` for `stage` (e.g. 'read'). */
  update(stage: string, done: number, total: number): void;
  /** Ends the display (draws the last state). */
  stop(): void;
}

/** The progress options every long command takes. */
export interface ProgressFlags {
  progress?: boolean;
  quiet?: boolean;
}

/** A progress display for `label`, chosen by the flags and whether stderr is a terminal. */
export function createProgress(ctx: CliContext, label: string, flags: ProgressFlags): Progress {
  if (flags.quiet) return { update() {}, stop() {} };
  if (flags.progress || ctx.io.isTTY) return barProgress(ctx, label);
  return lineProgress(ctx, label);
}

function lineProgress(ctx: CliContext, label: string): Progress {
  let lastStage = '';
  let lastTenth = -1;
  return {
    update(stage, done, total) {
      if (total <= 1) return; // one-step stages (labels, list) are not worth a line
      const tenth = total ? Math.floor((10 * done) / total) : 10;
      if (stage === lastStage && tenth === lastTenth) return;
      if (stage !== lastStage || tenth > lastTenth) {
        ctx.io.stderr(
          `${label}: ${stage} ${done}/${total}${total ? ` (${Math.round((100 * done) / total)} %)` : ''}\n`,
        );
      }
      lastStage = stage;
      lastTenth = tenth;
    },
    stop() {},
  };
}

function barProgress(ctx: CliContext, label: string): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} {stage} [{bar}] {value}/{total} {percentage}% eta {eta_formatted}`,
      stream: process.stderr,
      noTTYOutput: !ctx.io.isTTY, // asked for with --progress on a pipe: draw anyway, one line per update
      notTTYSchedule: 1000,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let stage = '';
  return {
    update(s, done, total) {
      if (total <= 1) return; // one-step stages (labels, list) are not worth a bar
      if (!started) {
        bar.start(total, done, { stage: s });
        started = true;
      } else if (s !== stage) bar.setTotal(total);
      stage = s;
      bar.update(done, { stage: s });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
