// The checks of the command line as typed (src/cli/option-check.ts), for every option of every
// command: a repeat of a single-value option is a usage error naming it (exit 2), options declared
// as arrays (`replay --qemu`) may repeat; a number option's text that is not a number, and a value
// outside the choices, are named with the text. Table-driven from the yargs definitions themselves:
// each command is parsed up to its handler, where a middleware added by the test reads the option
// table yargs built and stops the run (no command ever runs here).
import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import type { CliContext } from '../../src/cli/context.js';
import { EXIT_USAGE, reportError } from '../../src/cli/errors.js';
import type { OptionTable } from '../../src/cli/option-check.js';
import { buildCli, cliCommands, main } from '../../src/cli/run.js';
import { runCli } from './run-cli.js';

function context(): CliContext & { err: () => string } {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  return { stdout: new PassThrough(), stderr, stdin: new PassThrough(), env: { NO_COLOR: '1' }, exitCode: 0, err: () => text };
}

class Reached extends Error {
  constructor(readonly table: OptionTable) {
    super('the handler would run');
  }
}

/** Parses `argv` up to the handler: throws Reached (with the option table) if nothing rejected it. */
async function parseOnly(argv: readonly string[]): Promise<unknown> {
  const cli = buildCli(argv, context());
  const stop = (_args: unknown, y: { getOptions(): OptionTable }): void => {
    throw new Reached(y.getOptions());
  };
  cli.middleware(stop as unknown as Parameters<typeof cli.middleware>[0], true);
  try {
    await cli.parseAsync();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** `replay <traces..>` → ['replay', 'traces']: the command with a value for each positional. */
function invocation(usage: string): string[] {
  const [name, ...rest] = usage.split(' ');
  return [name!, ...rest.filter((p) => p.startsWith('<')).map((p) => p.replace(/[<>.]/g, ''))];
}

interface Row {
  readonly command: string[];
  readonly option: string;
  readonly boolean: boolean;
  readonly number: boolean;
  readonly choices?: readonly unknown[];
  readonly aliases: readonly string[];
}

/** Every single-value option of every command, from the option tables yargs built. */
async function singleValueOptions(): Promise<{ rows: Row[]; arrays: string[] }> {
  const rows: Row[] = [];
  const arrays: string[] = [];
  for (const command of cliCommands(context())) {
    const argv = invocation(command.usage);
    const reached = await parseOnly(argv);
    if (!(reached instanceof Reached)) throw new Error(`${argv.join(' ')} did not reach its handler: ${String(reached)}`);
    const table = reached.table;
    const positionals = new Set(command.usage.split(' ').slice(1).map((p) => p.replace(/[<>[\].]/g, '')));
    const aliasNames = new Set(Object.values(table.alias).flat());
    for (const option of Object.keys(table.key)) {
      // Positionals are in the table too; help and version are yargs' own.
      if (aliasNames.has(option) || positionals.has(option) || option === 'help' || option === 'version') continue;
      if (table.array.includes(option)) arrays.push(`${argv[0]} --${option}`);
      else {
        rows.push({
          command: argv, option, boolean: table.boolean.includes(option), number: table.number.includes(option),
          ...(table.choices[option] === undefined ? {} : { choices: table.choices[option] }), aliases: table.alias[option] ?? [],
        });
      }
    }
  }
  return { rows, arrays };
}

const twice = (option: string, boolean: boolean, first = `--${option}`): string[] =>
  (boolean ? [first, `--${option}`] : [first, '1', `--${option}`, '2']);

/** The message of the usage error `argv` ends in, or what happened instead. */
async function usageMessage(argv: readonly string[]): Promise<string> {
  const error = await parseOnly(argv);
  if (error instanceof Reached) return 'accepted';
  const report = reportError(error);
  return report.exitCode === EXIT_USAGE ? report.message : `exit ${report.exitCode}: ${report.message}`;
}

describe('repeated options', () => {
  it('covers every command and the options they declare', async () => {
    const { rows, arrays } = await singleValueOptions();
    const commands = new Set(rows.map((r) => r.command[0]));
    expect([...commands].sort()).toEqual(['diff', 'export', 'merge', 'minimise', 'parse', 'record', 'regs', 'replay', 'triage']);
    // The table is the real one: known options of each kind are in it.
    expect(rows).toContainEqual(expect.objectContaining({ command: ['replay', 'traces'], option: 'time', boolean: false }));
    expect(rows).toContainEqual(expect.objectContaining({ command: ['replay', 'traces'], option: 'strict', boolean: true }));
    expect(rows).toContainEqual(expect.objectContaining({ command: ['replay', 'traces'], option: 'jobs', aliases: ['j'] }));
    expect(arrays).toEqual(['replay --qemu']);
    expect(rows.length).toBeGreaterThan(50);
  });

  it('rejects a repeat of each single-value option with a usage error naming it', async () => {
    const { rows } = await singleValueOptions();
    const misses: string[] = [];
    for (const row of rows) {
      const argv = [...row.command, ...twice(row.option, row.boolean)];
      const message = await usageMessage(argv);
      if (!message.startsWith(`--${row.option} given twice`)) misses.push(`${argv.join(' ')} → ${message}`);
    }
    expect(misses).toEqual([]);
  });

  it('counts an alias and the --no- form as the same option', async () => {
    const { rows } = await singleValueOptions();
    const misses: string[] = [];
    for (const row of rows) {
      const spellings = [...row.aliases.map((a) => (a.length === 1 ? `-${a}` : `--${a}`)), ...(row.boolean ? [`--no-${row.option}`] : [])];
      for (const spelling of spellings) {
        const message = await usageMessage([...row.command, ...twice(row.option, row.boolean, spelling)]);
        if (!message.startsWith(`--${row.option} given twice (as ${spelling} and --${row.option})`)) misses.push(`${spelling} --${row.option}: ${message}`);
      }
    }
    expect(misses).toEqual([]);
  });

  it('names a number option and its text when the text is not a number', async () => {
    const rows = (await singleValueOptions()).rows.filter((r) => r.number);
    expect(rows.map((r) => `${r.command[0]} --${r.option}`)).toEqual(expect.arrayContaining(['replay --jobs', 'parse --top', 'record --timeout', 'minimise --line']));
    const misses: string[] = [];
    for (const row of rows) {
      for (const text of ['abc', '', '1.5x']) {
        const message = await usageMessage([...row.command, `--${row.option}=${text}`]);
        if (message !== `--${row.option} must be a number, got ${JSON.stringify(text)}`) misses.push(`--${row.option}=${text} → ${message}`);
      }
    }
    expect(misses).toEqual([]);
  });

  it('names a choice option, its text and the choices when the text is not one of them', async () => {
    const rows = (await singleValueOptions()).rows.filter((r) => r.choices !== undefined);
    expect(rows.map((r) => `${r.command[0]} --${r.option}`)).toEqual(expect.arrayContaining(['replay --time', 'replay --junit-by', 'regs --device']));
    const misses: string[] = [];
    for (const row of rows) {
      const message = await usageMessage([...row.command, `--${row.option}`, 'bogus']);
      if (message !== `--${row.option} must be one of ${row.choices!.join(', ')}; got "bogus"`) misses.push(`--${row.option} bogus → ${message}`);
      // Every choice is accepted.
      for (const choice of row.choices!) {
        const accepted = await usageMessage([...row.command, `--${row.option}`, String(choice)]);
        if (accepted !== 'accepted') misses.push(`--${row.option} ${String(choice)} → ${accepted}`);
      }
    }
    expect(misses).toEqual([]);
  });

  it('lets repeatable options repeat: replay --qemu A --qemu B reaches the handler with both builds', async () => {
    const reached = await parseOnly(['replay', 'a.log', '--qemu', 'A', 'b.log', '--qemu', 'B']);
    expect(reached).toBeInstanceOf(Reached);
  });

  it('exits 2 from main, with the values given, and says so in the hint', async () => {
    const ctx = context();
    expect(await main(['replay', 'x.log', '--time', 'markers', '--time', 'frozen'], ctx)).toBe(EXIT_USAGE);
    expect(ctx.err()).toContain('igb-replay: error: --time given twice: "markers", "frozen"');
    expect(ctx.err()).toContain('hint: --time takes one value: give it once');
    // The built binary too.
    const run = runCli(['parse', 'x.log', '--top', '1', '--top=2']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--top given twice: "1", "2"');
  });
});
