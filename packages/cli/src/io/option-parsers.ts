// Parsers for option values: each rejects a bad value with the option, the value and the fix (exit 2).
import { didYouMean } from '@cxrkit/core/tfjs-free';
import { cliError } from './cli-error.js';

/** An integer in [min, max]. */
export function integerOption(option: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const v = Number(value);
    if (!Number.isInteger(v) || v < min || v > max) {
      throw cliError(
        'CLI_BAD_OPTION',
        `${option} takes an integer in ${min}–${max === Number.MAX_SAFE_INTEGER ? '∞' : max}`,
        {
          received: value,
          fix: `pass e.g. ${option} ${Math.max(min, 0)}`,
        },
      );
    }
    return v;
  };
}

/** A finite number in [min, max]. */
export function numberOption(option: string, min: number, max: number) {
  return (value: string): number => {
    const v = Number(value);
    if (value.trim() === '' || !Number.isFinite(v) || v < min || v > max) {
      throw cliError('CLI_BAD_OPTION', `${option} takes a number in ${min}–${max}`, {
        received: value,
        fix: `pass e.g. ${option} ${min}`,
      });
    }
    return v;
  };
}

/** One of `choices` (with "did you mean"). */
export function choiceOption<T extends string>(option: string, choices: readonly T[]) {
  return (value: string): T => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    const guess = didYouMean(value, choices);
    throw cliError(
      'CLI_BAD_OPTION',
      `${option} takes one of ${choices.join(', ')}${guess ? ` — did you mean ${guess}?` : ''}`,
      {
        received: value,
        fix: `pass ${option} ${guess ?? choices[0]}`,
      },
    );
  };
}

/** A comma-separated list of non-empty names. */
export function listOption(option: string) {
  return (value: string): string[] => {
    const items = value.split(',').map((s) => s.trim());
    if (items.some((s) => s === '')) {
      throw cliError('CLI_BAD_OPTION', `${option} takes names separated by commas, none empty`, {
        received: value,
        fix: `write e.g. ${option} ls_t,fn_t,th_t`,
      });
    }
    return items;
  };
}

/** Split percentages or fractions, e.g. `70/10/20` or `0.7,0.1,0.2`, as fractions summing to 1. */
export function splitOption(value: string): number[] {
  const parts = value.split(/[/,:]/).map((s) => Number(s.trim()));
  const sum = parts.reduce((a, b) => a + b, 0);
  const ok = parts.length >= 2 && parts.every((p) => Number.isFinite(p) && p >= 0);
  const scale = Math.abs(sum - 100) < 1e-6 ? 100 : Math.abs(sum - 1) < 1e-6 ? 1 : 0;
  if (!ok || scale === 0) {
    throw cliError('CLI_BAD_OPTION', '--split takes percentages summing to 100 or fractions summing to 1', {
      received: value,
      fix: 'write e.g. --split 70/10/20',
    });
  }
  return parts.map((p) => p / scale);
}
