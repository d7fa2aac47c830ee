import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { isCxrkitError } from '@cxrkit/core/tfjs-free';
import { parseModelCard, createModelCard, computeCardId, canonicalJson, type ModelCardInput } from './index.js';
import { exampleCardInput } from './test-cards.js';

const rejects = (input: unknown, code: string, pattern: RegExp) =>
  assert.throws(
    () => parseModelCard(input),
    (e: unknown) => isCxrkitError(e, code) && pattern.test((e as Error).message),
    `${code} ${pattern}`,
  );

test('defaults are filled (0.5 % clip, bicubic, bone bright; thesis intended use); the id is from the content', () => {
  const card = createModelCard(exampleCardInput());
  assert.deepEqual(card.preprocessing, {
    photometric: 'bone-bright',
    clipPercent: 0.5,
    resize: 'bicubic',
    normalize: 'zscore',
  });
  assert.deepEqual(card.intendedUse, {
    minAge: 50,
    views: ['PA'],
    modalities: ['CR', 'DX'],
    bodyParts: ['CHEST', 'THORAX'],
  });
  assert.equal(card.architecture.inputName, 'image');
  assert.equal(card.schemaVersion, 1);
  assert.deepEqual(Object.keys(card).slice(0, 2), ['schemaVersion', 'id']);
  // the id is sha-256 of the sorted-key JSON without id, checked here with node:crypto
  const { id, ...rest } = card;
  assert.equal(id, `sha256:${createHash('sha256').update(canonicalJson(rest)).digest('hex')}`);
  assert.equal(canonicalJson({ b: [{ d: 1, c: 'x' }], a: true, u: undefined }), '{"a":true,"b":[{"c":"x","d":1}]}');
});

test('the id does not depend on key order or on writing defaults out, and changes with any field', () => {
  const a = createModelCard(exampleCardInput());
  const reordered = Object.fromEntries(Object.entries({ ...a, id: undefined }).reverse()) as ModelCardInput;
  assert.equal(createModelCard(reordered).id, a.id);
  assert.equal(parseModelCard(JSON.parse(JSON.stringify(a))).id, a.id, 'a written card parses back to itself');
  assert.deepEqual(parseModelCard(JSON.stringify(a)), a);
  const moved = exampleCardInput();
  moved.threshold = { value: 0.51, rule: { method: 'youden' }, chosenOn: { set: 'tuning', n: 100, positives: 50 } };
  assert.notEqual(createModelCard(moved).id, a.id);
  assert.equal(computeCardId({ ...a, id: 'anything' }), a.id);
});

test('unknown fields get a did-you-mean, at the top, nested, and inside a fusion or task variant', () => {
  rejects(
    { ...exampleCardInput(), treshold: 0.3 },
    'CARD_FIELD_UNKNOWN',
    /unknown field 'treshold' — did you mean 'threshold'\?/,
  );
  const base = exampleCardInput();
  rejects(
    { ...base, architecture: { ...base.architecture, inputsize: 64 } },
    'CARD_FIELD_UNKNOWN',
    /'architecture\.inputsize' — did you mean 'architecture\.inputSize'\?/,
  );
  rejects(
    { ...base, fusion: [{ input: 'age', source: 'age', scael: 0.01 }] },
    'CARD_FIELD_UNKNOWN',
    /'fusion\[0\]\.scael' — did you mean 'fusion\[0\]\.scale'\?/,
  );
  rejects(
    { ...base, task: { ...base.task, condtion: 'x' } },
    'CARD_FIELD_UNKNOWN',
    /'task\.condtion' — did you mean 'task\.condition'\?/,
  );
  rejects(
    { ...base, preprocessing: { normalize: 'zscor' } },
    'CARD_FIELD_INVALID',
    /'preprocessing\.normalize'.*did you mean 'zscore'\?/,
  );
  rejects(
    { ...base, architecture: { ...base.architecture, backbone: 'inception-v3' } },
    'CARD_FIELD_INVALID',
    /did you mean 'inception_v3'\?/,
  );
  rejects(
    { ...base, task: { kind: 'binay', condition: 'x', positive: 'y' } },
    'CARD_FIELD_INVALID',
    /'task\.kind'.*did you mean 'binary'\?/,
  );
});

test('wrong types and ranges name the field, the value received and a fix', () => {
  const base = exampleCardInput();
  const check = (input: unknown, pattern: RegExp) =>
    assert.throws(
      () => parseModelCard(input),
      (e: unknown) =>
        isCxrkitError(e, 'CARD_FIELD_INVALID') &&
        pattern.test((e as Error).message) &&
        /Fix: /.test((e as Error).message),
    );
  check(
    { ...base, architecture: { ...base.architecture, inputSize: '512' } },
    /'architecture\.inputSize' must be of type number \(received: "512"\)/,
  );
  check(
    { ...base, architecture: { ...base.architecture, inputSize: 500.5 } },
    /'architecture\.inputSize' must be an integer \(received: 500\.5\)/,
  );
  check({ ...base, architecture: { ...base.architecture, channels: 2 } }, /'architecture\.channels'.*\(received: 2\)/);
  check(
    { ...base, threshold: { value: 1.5, rule: { method: 'youden' } } },
    /'threshold\.value' must be ≤ 1 \(received: 1\.5\)/,
  );
  check({ ...base, fusion: [{ input: 'age', source: 'age', scale: -1 }] }, /'fusion\[0\]\.scale' must be > 0/);
  check({ ...base, fusion: [{ input: 'image', source: 'age', scale: 0.01 }] }, /input name 'image' is used twice/);
  check({ ...base, task: { kind: 'regression', target: 'age', unit: 'years' } }, /a regression model has no threshold/);
  assert.throws(
    () => parseModelCard({ ...base, name: undefined }),
    (e: unknown) => isCxrkitError(e, 'CARD_FIELD_MISSING') && /field 'name' is missing/.test((e as Error).message),
  );
});

test('a binary screen without a threshold is CARD_THRESHOLD_MISSING; a regression card needs none', () => {
  rejects(
    { ...exampleCardInput(), threshold: undefined },
    'CARD_THRESHOLD_MISSING',
    /a binary screen needs a threshold/,
  );
  const age = createModelCard({
    ...exampleCardInput(),
    fusion: [],
    task: { kind: 'regression', target: 'age', unit: 'years' },
    threshold: undefined,
  });
  assert.equal(age.threshold, undefined);
});

test('a newer format, an edited card, bad JSON and non-objects are typed errors', () => {
  rejects({ ...exampleCardInput(), schemaVersion: 2 }, 'CARD_VERSION_UNSUPPORTED', /format version 2/);
  const card = createModelCard(exampleCardInput());
  rejects({ ...card, threshold: { ...card.threshold!, value: 0.2 } }, 'CARD_ID_MISMATCH', /edited/);
  rejects('{"name": "x", "archi', 'CARD_NOT_JSON', /not valid JSON/);
  rejects([card], 'CARD_NOT_OBJECT', /must be a JSON object/);
});
