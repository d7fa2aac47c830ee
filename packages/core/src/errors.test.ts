// assertKnownKeys: the one "unknown key — did you mean …?" check of cxrkit (options, config files, input maps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertKnownKeys, type CxrkitError, isCxrkitError } from './errors.js';

const allowed = ['batchSize', 'prefetch', 'seed'];

test('assertKnownKeys passes known keys and throws the given code, naming the key and the closest one', () => {
  assertKnownKeys({ batchSize: 2, seed: 1 }, allowed, { code: 'X_BAD' });
  assertKnownKeys({}, allowed, { code: 'X_BAD' });
  const err = (f: () => void) => {
    try {
      f();
    } catch (e) {
      return e as CxrkitError;
    }
    assert.fail('no error thrown');
  };
  const e = err(() => assertKnownKeys({ seed: 1, prefech: 2 }, allowed, { code: 'LOADER_BAD_OPTION' }));
  assert.ok(isCxrkitError(e, 'LOADER_BAD_OPTION'));
  assert.equal(
    e.message,
    `[cxrkit/core] LOADER_BAD_OPTION: unknown option 'prefech' — did you mean 'prefetch'? (received: "prefech") ` +
      'Fix: use one of batchSize, prefetch, seed',
  );
  assert.equal(e.received, 'prefech');
  // no close candidate: no guess; package, noun, context and fix as given
  const options = { code: 'MODEL_OPTION_UNKNOWN', pkg: 'models', what: 'field', where: "for 'm'", fix: 'see docs' };
  const f = err(() => assertKnownKeys({ zzzzzzzz: 1 }, ['inputShape'], options));
  assert.equal(
    f.message,
    `[cxrkit/models] MODEL_OPTION_UNKNOWN: unknown field 'zzzzzzzz' for 'm' (received: "zzzzzzzz") Fix: see docs`,
  );
});

test('assertKnownKeys leaves non-objects to the caller', () => {
  for (const v of [null, undefined, 3, 'text']) assertKnownKeys(v, allowed, { code: 'X_BAD' });
});
