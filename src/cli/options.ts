// Option definitions and value checks shared by the commands. Values that yargs cannot check by
// type alone are validated here and rejected with a UsageError (exit 2) naming the option.

import { UsageError } from './errors.js';

export const outputOption = {
  type: 'string',
  requiresArg: true,
  describe: 'Write the result to FILE (written to a temporary file and renamed when complete)',
} as const;

export const lenientOption = {
  type: 'boolean',
  default: false,
  describe: 'Skip malformed device lines instead of stopping; report how many and the first few',
} as const;

export const barBaseOption = {
  type: 'string',
  requiresArg: true,
  coerce: hexAddress('bar-base'),
  describe: 'mmiotrace input: physical address (hex) of the NIC\'s BAR0, if its PCIDEV line is missing or ambiguous',
} as const;

/** A physical address given in hex, with or without `0x`. */
export function hexAddress(name: string): (value: unknown) => number | undefined {
  return (value) => {
    if (value === undefined) return undefined;
    const text = String(value).trim().toLowerCase();
    const n = /^(0x)?[0-9a-f]{1,13}$/.test(text) ? Number.parseInt(text.replace(/^0x/, ''), 16) : Number.NaN;
    if (!Number.isSafeInteger(n)) throw new UsageError(`--${name} must be a hex address such as 0xfeba0000, got ${JSON.stringify(value)}`);
    return n;
  };
}

export const jsonOption = {
  type: 'boolean',
  describe: 'Print the result as JSON (schemas in docs/json-schemas.md)',
} as const;

/** A non-negative integer option value (`--top 0` means all). */
export function nonNegativeInteger(name: string): (value: unknown) => number {
  return (value) => {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isInteger(n) || n < 0) {
      throw new UsageError(`--${name} must be a whole number >= 0, got ${JSON.stringify(value)}`);
    }
    return n;
  };
}

/**
 * yargs turns a lone `-` argument into '' (yargs issue #1312, yargs-parser #381, both open), which
 * would lose the usual "read standard input" meaning. run.ts swaps `-` for this token before yargs
 * sees the arguments, and `dashArg` swaps it back; a NUL byte cannot be part of a real path.
 */
export const DASH_TOKEN = '\u0000-';

export function protectDash(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((a, i) => (a === '-' && (end < 0 || i < end) ? DASH_TOKEN : a));
}

export function dashArg(value: unknown): string {
  return value === DASH_TOKEN ? '-' : String(value);
}

