// Checks of the command line as typed, against the option table yargs built for the command, run
// before yargs' own validation and the options' coerce functions (run.ts adds it as a middleware):
//  - a single-value option given more than once (`--time markers --time frozen`) is an error:
//    yargs would silently keep one of them, or hand an array to a check that expects one value;
//    options declared as arrays (`replay --qemu`) are meant to repeat;
//  - a number option whose text is not a number (`--jobs abc`) is named with that text: yargs
//    would turn it into NaN, and the range check after could only say "got NaN";
//  - a value outside an option's choices gets one line naming the option, the text and the choices.
// Aliases (`-j 2 --jobs 3`), `--name=value`, camelCase spellings and a boolean's `--no-` form all
// count as the option.

import { UsageError } from './errors.js';
import { dashArg } from './options.js';

/** The parts of yargs' option table (`getOptions()` in a middleware) the checks read. */
export interface OptionTable {
  /** Every option name and alias (positionals too). */
  readonly key: Readonly<Record<string, unknown>>;
  /** Option name → its aliases (positionals appear with none). */
  readonly alias: Readonly<Record<string, readonly string[]>>;
  /** Options that take several values: these may repeat (`replay --qemu A --qemu B`). */
  readonly array: readonly string[];
  readonly boolean: readonly string[];
  readonly number: readonly string[];
  readonly choices: Readonly<Record<string, readonly unknown[]>>;
}

/** yargs' own options: giving them twice does no harm. */
const IGNORED: ReadonlySet<string> = new Set(['help', 'version']);

interface OptionToken {
  /** The option's name (an alias resolved). */
  readonly name: string;
  /** How it was written: `-j`, `--jobs`, `--no-strict`. */
  readonly spelling: string;
  /** Its value as typed, when it takes one and one follows. */
  readonly value?: string;
}

/** `command`: the command's name, for the hint (`see igb-replay replay --help`). */
export function checkOptionTokens(argv: readonly string[], table: OptionTable, command: string): void {
  const names = new OptionNames(table);
  const tokens: OptionToken[] = [];
  const end = argv.indexOf('--');
  for (let i = 0; i < (end < 0 ? argv.length : end); i++) tokens.push(...names.optionsIn(argv[i]!, argv[i + 1]));
  rejectRepeats(tokens, names);
  for (const token of tokens) checkValue(token, names, command);
}

function rejectRepeats(tokens: readonly OptionToken[], names: OptionNames): void {
  const seen = new Map<string, OptionToken[]>();
  for (const token of tokens) seen.set(token.name, [...(seen.get(token.name) ?? []), token]);
  for (const [name, given] of seen) {
    if (given.length < 2 || names.arrays.has(name) || IGNORED.has(name)) continue;
    const spellings = [...new Set(given.map((t) => t.spelling))];
    const spelled = spellings.length > 1 ? ` (as ${spellings.join(' and ')})` : '';
    const values = given.flatMap((t) => (t.value === undefined ? [] : [JSON.stringify(dashArg(t.value))]));
    throw new UsageError(`--${name} given ${given.length === 2 ? 'twice' : `${given.length} times`}${spelled}${values.length > 0 ? `: ${values.join(', ')}` : ''}`,
      names.booleans.has(name) ? `give --${name} (or --no-${name}) once` : `--${name} takes one value: give it once`);
  }
}

function checkValue(token: OptionToken, names: OptionNames, command: string): void {
  if (token.value === undefined) return;
  const text = dashArg(token.value);
  if (names.numbers.has(token.name) && !isNumber(text)) {
    throw new UsageError(`--${token.name} must be a number, got ${JSON.stringify(text)}`, `see igb-replay ${command} --help`);
  }
  const choices = names.choices.get(token.name);
  if (choices !== undefined && !choices.includes(text)) {
    throw new UsageError(`--${token.name} must be one of ${choices.join(', ')}; got ${JSON.stringify(text)}`, `see igb-replay ${command} --help`);
  }
}

/** What Number() reads, but not the empty or blank text it reads as 0. */
function isNumber(text: string): boolean {
  return text.trim() !== '' && Number.isFinite(Number(text));
}

/** The command's option names, aliases resolved, and what kind of value each takes. */
class OptionNames {
  private readonly canonical = new Map<string, string>();
  readonly booleans: ReadonlySet<string>;
  readonly arrays: ReadonlySet<string>;
  readonly numbers: ReadonlySet<string>;
  readonly choices = new Map<string, readonly string[]>();

  constructor(table: OptionTable) {
    for (const name of Object.keys(table.key)) this.canonical.set(name, name);
    for (const [name, aliases] of Object.entries(table.alias)) for (const alias of aliases) this.canonical.set(alias, name);
    const resolved = (list: readonly string[]): Set<string> => new Set(list.map((name) => this.canonical.get(name) ?? name));
    this.booleans = resolved(table.boolean);
    this.arrays = resolved(table.array);
    this.numbers = resolved(table.number);
    for (const [name, choices] of Object.entries(table.choices)) this.choices.set(this.canonical.get(name) ?? name, choices.map(String));
  }

  /** The options one token gives: `--name[=v]`, `--no-name`, `-x`, `-xVALUE`, `-x=VALUE`, `-abc`. */
  optionsIn(token: string, next: string | undefined): OptionToken[] {
    const following = next !== undefined && !next.startsWith('-') ? next : undefined;
    if (token.startsWith('--')) return this.longOption(token, following);
    if (!token.startsWith('-') || token.length < 2) return [];
    // Short options: booleans may be grouped (-ab); a short option with a value takes the rest.
    const found: OptionToken[] = [];
    for (let j = 1; j < token.length; j++) {
      const name = this.canonical.get(token[j]!);
      if (name === undefined) break;
      const spelling = `-${token[j]!}`;
      if (this.booleans.has(name)) {
        found.push({ name, spelling });
        continue;
      }
      const rest = token.slice(j + 1).replace(/^=/, '');
      found.push(withValue({ name, spelling }, rest.length > 0 ? rest : following));
      break;
    }
    return found;
  }

  private longOption(token: string, following: string | undefined): OptionToken[] {
    const eq = token.indexOf('=');
    const written = eq < 0 ? token.slice(2) : token.slice(2, eq);
    const kebab = written.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`);
    const negated = kebab.startsWith('no-') && this.booleans.has(this.canonical.get(kebab.slice(3)) ?? '') ? kebab.slice(3) : undefined;
    const name = this.canonical.get(negated ?? kebab);
    if (name === undefined) return [];
    const option = { name, spelling: `--${written}` };
    if (this.booleans.has(name)) return [option];
    return [withValue(option, eq >= 0 ? token.slice(eq + 1) : following)];
  }
}

function withValue(token: OptionToken, value: string | undefined): OptionToken {
  return value === undefined ? token : { ...token, value };
}
