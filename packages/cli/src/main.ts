#!/usr/bin/env node
// The program `cxrkit` runs (bin/cxrkit.mjs starts it: dist/main.js when built, else this file via tsx).
import { EXIT } from './context.js';
import { runCli } from './run-cli.js';

process.once('SIGINT', () => process.exit(EXIT.INTERRUPTED));
// `cxrkit … | head`: the reader went away; stop quietly instead of crashing on EPIPE
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(EXIT.OK);
  throw e;
});
void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
