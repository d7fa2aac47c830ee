// An in-memory CliIo for running `cxrkit` in-process (tests, embedding apps): what the program wrote to stdout and
// stderr, as text.
import type { CliIo } from './context.js';
import { runCli } from './run-cli.js';

/** A CliIo that keeps what is written; `out()` and `err()` read it back. */
export function captureIo(): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    isTTY: false,
  };
  return { io, out: () => out, err: () => err };
}

/** Runs `cxrkit argv…` in-process; resolves to its exit code and what it printed. */
export async function runCaptured(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const c = captureIo();
  const code = await runCli([...argv], c.io);
  return { code, out: c.out(), err: c.err() };
}
