// Option parsers shared by the archive commands (commander `argParser`s that raise commander's own
// InvalidArgumentError, so a bad value is a usage error, exit code 2).
import { InvalidArgumentError } from 'commander';
import { parseShard, type Shard } from '../sources/shard.js';

/** A whole number ≥ `min`. */
export function wholeNumber(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}`);
    return n;
  };
}

/** `i/n` with 0 ≤ i < n. */
export function shardOption(value: string): Shard {
  try {
    return parseShard(value);
  } catch {
    throw new InvalidArgumentError('expected i/n with 0 ≤ i < n, e.g. 0/4');
  }
}

/** `Name: value`, collected into a headers object (repeatable). */
export function headerOption(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const i = value.indexOf(':');
  if (i <= 0) throw new InvalidArgumentError("expected 'Name: value', e.g. 'Authorization: Bearer …'");
  return { ...previous, [value.slice(0, i).trim().toLowerCase()]: value.slice(i + 1).trim() };
}
