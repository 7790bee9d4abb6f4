// Option definitions and value checks shared by the commands. Values that yargs cannot check by
// type alone are validated here and rejected with a UsageError (exit 2) naming the option.

import type { Argv } from 'yargs';
import { warn, type CliContext } from './context.js';
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

/**
 * `--json [FILE]`, the one JSON switch of every command: the result as JSON to FILE (written
 * atomically), or to stdout with a bare `--json` or `--json -`. `what` names the result and its schema.
 */
export function jsonOption(what: string) {
  return {
    type: 'string',
    coerce: jsonDestination,
    describe: `Write ${what} as JSON to FILE (written atomically), or to stdout with a bare --json or --json -`,
  } as const;
}

/** `--json` bare or `--json -`: stdout (`-`); else the file. */
function jsonDestination(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = dashArg(value);
  return text === '' ? '-' : text;
}

/**
 * `--json` takes an optional FILE, so `parse --json trace.log` makes trace.log the FILE and leaves
 * the trace missing. The hint for the error that follows, when the command line has that shape.
 */
export function jsonTookArgument(argv: readonly string[]): string | undefined {
  const end = argv.indexOf('--');
  const at = argv.findIndex((a, i) => a === '--json' && (end < 0 || i < end));
  const taken = at < 0 ? undefined : argv[at + 1];
  if (taken === undefined || taken.startsWith('-') || taken === DASH_TOKEN) return undefined;
  return jsonHint(taken);
}

export function jsonHint(taken: string): string {
  return `--json took ${JSON.stringify(taken)} as its FILE: put --json after it, or write --json=FILE (--json - for stdout)`;
}

/** Where a command's result goes: `json` says whether as JSON; `path` undefined or `-` is stdout. */
export interface ResultDestination {
  readonly json: boolean;
  readonly path?: string;
}

/**
 * JSON to `--json`'s FILE or stdout; else text to `-o FILE` or stdout. `--json -o FILE`, the
 * spelling before `--json [FILE]`, still works, with a one-line note on stderr.
 */
export function resultDestination(args: { readonly json?: string; readonly output?: string }, ctx: CliContext): ResultDestination {
  if (args.json === undefined) return args.output === undefined ? { json: false } : { json: false, path: args.output };
  if (args.output === undefined) return { json: true, path: args.json };
  if (args.json !== '-') {
    throw new UsageError(`--json ${args.json} and -o ${args.output} both say where the JSON goes`, 'give the file once: --json FILE');
  }
  warn(ctx, '`--json -o FILE` is deprecated: write `--json FILE` (docs/cli.md, Output)');
  return { json: true, path: args.output };
}

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


/**
 * A command's options as its builder declares them, for its CommandModule: yargs hands the handler
 * `ArgumentsCamelCase` of these (every kebab-case option under its camelCase name too), which is
 * then checked against the command's argument interface where the handler passes it on.
 */
export type BuiltOptions<Builder> = Builder extends (y: Argv) => Argv<infer Options> ? Options : never;
