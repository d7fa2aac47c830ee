#!/usr/bin/env node
// The `cxrkit` executable (bin of @cxrkit/core): `cxrkit inspect file.dcm`, `cxrkit --help`.
import { runCli } from './run-cli.js';

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
