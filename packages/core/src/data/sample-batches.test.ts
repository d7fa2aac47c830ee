// The one batching path: seeded order, resume at any position, bounded read-ahead in stream order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, deriveSeed, epochOrder, sampleBatches } from '@cxrkit/core/tfjs-free';

test('epochOrder is the seeded shuffle of (seed, "order", epoch), or the identity unshuffled', () => {
  const expected = createRng(deriveSeed(7, 'order', 3)).shuffle(Array.from({ length: 10 }, (_, i) => i));
  assert.deepEqual(epochOrder(10, 7, 3), expected);
  assert.notDeepEqual(epochOrder(10, 7, 4), expected);
  assert.deepEqual(epochOrder(5, 7, 3, false), [0, 1, 2, 3, 4]);
});

test('batches cover order[position…end) in order; a resumed stream is the tail of a full one', async () => {
  const order = epochOrder(11, 'b', 0);
  const collect = async (position: number, end?: number) => {
    const out: Array<{ indices: number[]; position: number; samples: string[] }> = [];
    for await (const b of sampleBatches(order, { batchSize: 3, position, end, read: (i) => `s${i}` })) out.push(b);
    return out;
  };
  const full = await collect(0);
  assert.deepEqual(
    full.map((b) => b.position),
    [0, 3, 6, 9],
  );
  assert.deepEqual(
    full.flatMap((b) => b.indices),
    order,
  );
  assert.deepEqual(
    full[3]!.samples,
    order.slice(9).map((i) => `s${i}`),
  );
  assert.deepEqual(await collect(6), full.slice(2));
  assert.deepEqual(
    (await collect(0, 9)).flatMap((b) => b.indices),
    order.slice(0, 9),
  );
});

test('reads run prefetch + 1 batches ahead, start in stream order, finish before an early exit', async () => {
  const order = Array.from({ length: 20 }, (_, i) => i);
  for (const prefetch of [0, 2]) {
    const started: number[] = [];
    let finished = 0;
    let consumed = 0;
    let maxAhead = 0;
    const read = async (i: number) => {
      started.push(i);
      await new Promise((r) => setTimeout(r, 1));
      finished++;
      return i;
    };
    for await (const b of sampleBatches(order, { batchSize: 2, prefetch, read })) {
      consumed += b.indices.length;
      maxAhead = Math.max(maxAhead, started.length - consumed);
      if (consumed === 8) break;
    }
    assert.equal(maxAhead, 2 * (prefetch + 1), `prefetch ${prefetch}: samples read ahead`);
    assert.deepEqual(started, order.slice(0, started.length), 'reads start in stream order');
    assert.equal(finished, started.length, 'no read left running after the loop');
  }
});

test('a failing read surfaces when its batch is reached, not before', async () => {
  const seen: number[] = [];
  const stream = sampleBatches([0, 1, 2, 3, 4, 5], {
    batchSize: 2,
    prefetch: 1,
    read: (i) => (i === 4 ? Promise.reject(new Error('bad 4')) : i),
  });
  await assert.rejects(async () => {
    for await (const b of stream) seen.push(...b.indices);
  }, /bad 4/);
  assert.deepEqual(seen, [0, 1, 2, 3]);
});
