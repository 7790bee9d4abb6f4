// `igb-replay diff A B`: regression diff between two recordings. Aligns the access sequences
// (timestamps, threads, seq and lines play no part), then reports changed read values, accesses
// only one trace has (hunks) and changed QEMU verdicts, per register and per block. Exit 0 when
// the traces are equivalent (after filters and --ignore-volatile), 1 when they differ.
import type { Argv, CommandModule } from 'yargs';
import type { BlockName } from '../../analysis/trace-summary.js';
import { FUNCTIONAL_BLOCKS } from '../../model/register.js';
import type { CliContext } from '../context.js';
import { barBaseOption, dashArg, jsonOption, lenientOption, nonNegativeInteger, outputOption, type BuiltOptions } from '../options.js';


export interface DiffArgs {
  readonly a: string;
  readonly b: string;
  readonly registers?: string;
  readonly block?: string;
  readonly ignoreVolatile: boolean;
  readonly limit: number;
  readonly lenient: boolean;
  readonly barBase?: number;
  /** `--json [FILE]`: the file, or `-` for stdout. */
  readonly json?: string;
  readonly output?: string;
}

export const BLOCKS: readonly BlockName[] = [...FUNCTIONAL_BLOCKS, 'unmapped'];

/** The options as yargs parses them (kebab-case names); the handler gets them with camelCase ones too, as DiffArgs. */
type DiffOptions = BuiltOptions<typeof builder>;

function builder(y: Argv) {
  return y
    .positional('a', { type: 'string', demandOption: true, coerce: dashArg, describe: 'Reference trace (the expectation); - for stdin' })
    .positional('b', { type: 'string', demandOption: true, coerce: dashArg, describe: 'Trace to compare with A' })
    .options({
      registers: { type: 'string', requiresArg: true, describe: 'Only these registers: names or offsets, comma-separated; RDBAL(0) one element, RDBAL the whole array' },
      block: { type: 'string', requiresArg: true, describe: `Only registers of this functional block (${BLOCKS.join(', ')})` },
      'ignore-volatile': {
        type: 'boolean', default: true,
        describe: 'Ignore value changes that differ on every boot: reads of volatile registers (statistics, timesync, FRTIMER; as replay), '
          + 'written DMA addresses (RDBAL/RDBAH/TDBAL/TDBAH/TDWBAL/TDWBAH) and the RSS key (RSSRK); counted and reported',
      },
      limit: { type: 'number', default: 20, coerce: nonNegativeInteger('limit'), describe: 'Differences listed in the text report (0: all)' },
      lenient: lenientOption,
      'bar-base': barBaseOption,
      json: jsonOption('the diff (schema igb-replay/diff)'),
      output: { ...outputOption, alias: 'o', coerce: dashArg, describe: 'Write the text report to FILE (written to a temporary file and renamed when complete)' },
    })
    .example('$0 diff traces/linux-6.1-init.log traces/linux-6.12-init.log', 'What the 6.12 driver does differently at init')
    .example('$0 diff a.log b.log --registers STATUS,RDBAL --no-ignore-volatile', 'Only STATUS and the RDBAL array, every value change')
    .example('$0 diff a.log b.log --block statistics --json diff.json', 'Statistics registers only, as JSON written atomically');
}

export function diffCommand(ctx: CliContext): CommandModule<object, DiffOptions> {
  return {
    command: 'diff <a> <b>',
    describe: 'Compare two recordings: changed reads, accesses only in one (another driver path), changed QEMU verdicts',
    builder,
    handler: async (args) => (await import('../handlers/diff.js')).runDiff(args, ctx),
  };
}
