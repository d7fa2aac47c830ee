// The content id of a model card: 'sha256:' + the SHA-256 (hex) of the card's canonical JSON without its
// `id`. Canonical = keys sorted at every level, no whitespace, values as JSON.stringify writes them
// (RFC 8785 for the strings, finite numbers, booleans, arrays and objects a card holds). Two cards with
// the same content have the same id; changing any field (a threshold, an encoding) changes it, so a
// screening result that carries the id names exactly the card it was made with.
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}

/** JSON with object keys sorted at every level and no whitespace (undefined fields dropped). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** The content id of a card (its `id` field, if any, is left out of the hash): `sha256:<64 hex digits>`. */
export function computeCardId(card: object): string {
  const { id: _id, ...rest } = card as Record<string, unknown>;
  return `sha256:${bytesToHex(sha256(utf8ToBytes(canonicalJson(rest))))}`;
}
