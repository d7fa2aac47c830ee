// The PDU framing watch, fed byte streams cut anywhere (PDU headers split across chunks included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { abortPdu, createPduGuard } from './pdu-guard.js';

const pdu = (type: number, length: number, body = Buffer.alloc(length)) => {
  const h = Buffer.alloc(6);
  h[0] = type;
  h.writeUInt32BE(length, 2);
  return Buffer.concat([h, body]);
};

/** Feeds `stream` to a fresh guard in chunks of `size` bytes; returns the first violation's reason. */
function feed(stream: Buffer, size: number, max = 1000): number | undefined {
  const guard = createPduGuard({ maxPDataLength: max });
  for (let i = 0; i < stream.length; i += size) {
    const v = guard(stream.subarray(i, i + size));
    if (v) return v.reason;
  }
  return undefined;
}

test('a well-formed association passes whatever the chunking', () => {
  const stream = Buffer.concat([pdu(1, 200), pdu(4, 1000), pdu(4, 6), pdu(5, 4), pdu(7, 4)]);
  for (const size of [1, 2, 5, 6, 7, 100, stream.length])
    assert.equal(feed(stream, size), undefined, `chunks of ${size}`);
});

test('violations: not starting with A-ASSOCIATE-RQ, unknown or acceptor-only types, bad lengths', () => {
  assert.equal(feed(pdu(4, 10), 3), 2); // P-DATA first
  assert.equal(feed(Buffer.concat([pdu(1, 10), pdu(1, 10)]), 4), 2); // a second A-ASSOCIATE-RQ
  assert.equal(feed(Buffer.concat([pdu(1, 10), pdu(2, 10)]), 4), 2); // an A-ASSOCIATE-AC sent to the acceptor
  assert.equal(feed(Buffer.concat([pdu(1, 10), pdu(0x42, 10)]), 4), 1); // unknown type
  assert.equal(feed(Buffer.concat([pdu(1, 10), pdu(4, 1001)]), 7), 6); // P-DATA over the announced maximum
  assert.equal(feed(Buffer.concat([pdu(1, 10), pdu(5, 5)]), 7), 6); // A-RELEASE-RQ must be 4 bytes
  assert.equal(feed(pdu(1, 0xffffffff, Buffer.alloc(0)), 6), 6); // a 4 GiB association request
  assert.deepEqual([...abortPdu(6)], [7, 0, 0, 0, 0, 4, 0, 0, 2, 6]);
});
