import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModelCard, modelCardJsonSchema } from './index.js';
import { exampleCardInput } from './test-cards.js';

const committed = new URL('../../model-card.schema.json', import.meta.url);

test('the committed model-card.schema.json is the one the zod schema gives (not stale)', () => {
  assert.equal(
    readFileSync(committed, 'utf8'),
    `${JSON.stringify(modelCardJsonSchema(), null, 2)}\n`,
    'regenerate it: npx tsx --conditions=cxrkit-source packages/models/scripts/write-card-schema.ts',
  );
});

const hasJsonschema = spawnSync('python3', ['-c', 'import jsonschema'], { stdio: 'ignore' }).status === 0;

test('Python jsonschema accepts a written card and rejects a misspelt field against the committed schema', {
  skip: hasJsonschema ? false : 'python3-jsonschema is not installed (Debian: apt-get install python3-jsonschema)',
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxrkit-schema-'));
  try {
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    writeFileSync(good, JSON.stringify(createModelCard(exampleCardInput())));
    writeFileSync(bad, JSON.stringify({ ...createModelCard(exampleCardInput()), treshold: 0.3 }));
    const script = [
      'import json, sys, jsonschema',
      'schema = json.load(open(sys.argv[1]))',
      'jsonschema.Draft202012Validator.check_schema(schema)',
      'v = jsonschema.Draft202012Validator(schema)',
      'print(json.dumps([len(list(v.iter_errors(json.load(open(p))))) for p in sys.argv[2:]]))',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script, committed.pathname, good, bad], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [goodErrors, badErrors] = JSON.parse(r.stdout) as number[];
    assert.equal(goodErrors, 0);
    assert.ok(badErrors! >= 1, 'additionalProperties: false catches the misspelt field');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
