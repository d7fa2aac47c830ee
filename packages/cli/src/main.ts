#!/usr/bin/env node
// The program `cxrkit` runs (bin/cxrkit.mjs starts it: dist/main.js when built, else this file via tsx).
import { EXIT } from './context.js';
import { runCli } from './run-cli.js';

process.once('SIGINT', () => process.exit(EXIT.INTERRUPTED));
void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
