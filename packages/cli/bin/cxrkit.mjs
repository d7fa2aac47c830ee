#!/usr/bin/env node
// The `cxrkit` executable. Installed from npm it runs the built program (dist/main.js). In the cxrkit
// repository, where nothing is built, it runs the TypeScript sources through tsx with the
// `cxrkit-source` export condition (so every @cxrkit/* package resolves to its src/). CXRKIT_CLI_SOURCE=1
// forces the sources even when a build exists.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/main.js', import.meta.url);
if (existsSync(fileURLToPath(dist)) && !process.env.CXRKIT_CLI_SOURCE) {
  await import(dist.href);
} else {
  let tsx;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    process.stderr.write(
      '[cxrkit/cli] CLI_NOT_BUILT: @cxrkit/cli has no dist/ and tsx is not installed to run its sources. ' +
        'Fix: run `npm run build -w packages/cli`, or `npm ci` in the cxrkit repository.\n',
    );
    process.exit(1);
  }
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--conditions=cxrkit-source', '--import', tsx, main, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}
