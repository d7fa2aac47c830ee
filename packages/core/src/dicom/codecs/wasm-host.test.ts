// WasmHost: a trapped/aborted Emscripten instance is replaced, a C++ exception is not fatal, and a
// codec's exit() cannot leave a non-zero process.exitCode behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WasmHost } from './wasm-host.js';

function fakeFactory() {
  let made = 0;
  return {
    made: () => made,
    factory: async () => ({ id: ++made }),
  };
}

test('an abort (WebAssembly.RuntimeError) drops the instance; the next ready() makes a fresh one', async () => {
  const f = fakeFactory();
  const host = new WasmHost('fake', f.factory);
  await host.ready();
  assert.equal(
    host.run((m) => m.id),
    1,
  );
  assert.throws(
    () =>
      host.run(() => {
        throw new WebAssembly.RuntimeError('Aborted(OOM)');
      }),
    WebAssembly.RuntimeError,
  );
  assert.equal(host.isReady, false);
  assert.equal(host.resets, 1);
  assert.throws(() => host.run((m) => m.id), /re-initialised/);
  await host.ready();
  assert.equal(
    host.run((m) => m.id),
    2,
  );
});

test('a C++ exception (thrown pointer) or a JS error keeps the instance', async () => {
  const f = fakeFactory();
  const host = new WasmHost('fake', f.factory);
  await host.ready();
  assert.throws(() =>
    host.run(() => {
      throw 274;
    }),
  );
  assert.throws(
    () =>
      host.run(() => {
        throw new Error('bad marker');
      }),
    /bad marker/,
  );
  assert.equal(host.isReady, true);
  assert.equal(
    host.run((m) => m.id),
    1,
  );
  assert.equal(f.made(), 1);
});

test('process.exitCode set by a codec (Emscripten exit()) is restored', async () => {
  const host = new WasmHost('fake', fakeFactory().factory);
  await host.ready();
  const before = process.exitCode;
  host.run(() => {
    process.exitCode = 7;
  });
  assert.equal(process.exitCode, before);
  assert.throws(() =>
    host.run(() => {
      process.exitCode = 3;
      throw new WebAssembly.RuntimeError('unreachable');
    }),
  );
  assert.equal(process.exitCode, before);
});
