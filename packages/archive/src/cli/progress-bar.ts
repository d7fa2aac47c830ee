// The command's progress display: a cli-progress bar on a terminal (images/s and ETA), nothing otherwise
// (logs of batch jobs stay clean; the summary comes at the end).
import cliProgress from 'cli-progress';
import type { ArchiveProgress } from '../progress.js';

/** A progress sink: `update` per report, `stop` at the end. */
export interface ProgressDisplay {
  update(p: ArchiveProgress): void;
  stop(): void;
}

const seconds = (s: number | undefined) => {
  if (s === undefined || !Number.isFinite(s)) return '–';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
};

/** A bar drawn on `stream` (stderr) when `enabled`, else a no-op. */
export function progressDisplay(enabled: boolean, stream: NodeJS.WritableStream = process.stderr): ProgressDisplay {
  if (!enabled) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'screening |{bar}| {value}/{total} | {rate} img/s | ETA {eta_text} | {failed} failed, {skipped} skipped',
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const done = p.screened + p.failed;
      const payload = {
        rate: p.imagesPerSecond.toFixed(2),
        eta_text: seconds(p.etaSeconds),
        failed: p.failed,
        skipped: p.skipped,
      };
      if (!started) {
        bar.start(p.total ?? 0, done, payload);
        started = true;
      }
      if (p.total !== undefined) bar.setTotal(p.total);
      bar.update(done, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
