#!/usr/bin/env node
// The program bin/cxrkit-experiments.mjs starts (dist/main.js when built, else this file via tsx).
import { runExperimentsCli } from './commands/run-commands.js';

// no top-level await: the package also builds as CommonJS
void runExperimentsCli(process.argv.slice(2), {
  io: {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTTY: process.stderr.isTTY === true,
  },
  env: process.env,
  exitCode: 0,
}).then((code) => {
  process.exitCode = code;
});
