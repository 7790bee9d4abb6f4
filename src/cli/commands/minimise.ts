// `igb-replay minimise TRACE`: the shortest part of a recording that still reproduces one
// divergence (a read's, or a device-event difference) against the target QEMU (see src/minimise/minimise-trace.ts), written as a trace in
// the recording's own format — small enough to read, attach to a bug report or turn into a test
// with `igb-replay export`.
import type { Argv, CommandModule } from 'yargs';
import { TIME_MODE_CHOICES, type TimeModeChoice } from '../../model/replay.js';
import type { CliContext } from '../context.js';
import { nonNegativeInteger, type BuiltOptions } from '../options.js';


export interface MinimiseArgs {
  readonly trace: string;
  readonly line?: number;
  readonly register?: string;
  readonly event?: string;
  readonly device?: string;
  readonly time: TimeModeChoice;
  readonly qemu?: string;
  readonly maxReplays: number;
  readonly output?: string;
}

/** The options as yargs parses them (kebab-case names); the handler gets them with camelCase ones too, as MinimiseArgs. */
type MinimiseOptions = BuiltOptions<typeof builder>;

function builder(y: Argv) {
  return y
    .positional('trace', { type: 'string', demandOption: true, describe: 'QEMU trace log (plain or gzip)' })
    .options({
      line: { type: 'number', requiresArg: true, coerce: nonNegativeInteger('line'), describe: 'The divergence at this trace line, a read\'s or a device event\'s (default: the first failing read, else the first failing event difference)' },
      register: { type: 'string', requiresArg: true, describe: 'The first failing divergence of this register (STATUS, MDIC, RDBAL(0))' },
      event: { type: 'string', requiresArg: true, describe: 'The first failing device-event difference of this subject (\'MSI-X vector 1\', ICR, EIMS); with --line, the one at that line' },
      device: { type: 'string', requiresArg: true, describe: 'Target -device (default: the recording\'s, from its sidecar, else igb)' },
      time: { choices: TIME_MODE_CHOICES, default: 'auto' as TimeModeChoice, describe: 'Virtual time, as for replay' },
      qemu: { type: 'string', requiresArg: true, describe: 'QEMU binary (default: $QTEST_QEMU_BINARY, else qemu-system-x86_64 on PATH)' },
      'max-replays': { type: 'number', default: 300, coerce: nonNegativeInteger('max-replays'), describe: 'Most replays to spend (each starts a fresh QEMU, ~0.3 s); then the smallest trace found so far is written' },
      output: { type: 'string', alias: 'o', requiresArg: true, describe: 'Write the minimal trace to FILE (default: TRACE-NAME.min.log in the current directory)' },
    })
    .conflicts('line', 'register')
    .conflicts('event', 'register')
    .example('$0 minimise traces/linux-6.1-init.log --device e1000e', 'The fewest accesses that still make e1000e diverge first')
    .example('$0 minimise traces/linux-6.1-init.log --device e1000e --register MDIC -o mdic.log', 'Two accesses: the PHY identifier e1000e answers differently')
    .example('$0 minimise trace.log --device e1000e --line 2515 --max-replays 100', 'The divergence at line 2515, spending at most 100 replays')
    .example('$0 minimise traces/linux-6.1-init.log --device e1000e --event \'MSI-X vector 1\'', 'The EICS write that raises an MSI-X vector on igb and none on e1000e');
}

export function minimiseCommand(ctx: CliContext): CommandModule<object, MinimiseOptions> {
  return {
    command: 'minimise <trace>',
    aliases: ['minimize'],
    describe: 'Shrink a trace to the fewest accesses that still reproduce a divergence against the target QEMU',
    builder,
    handler: async (args) => (await import('../handlers/minimise.js')).runMinimise(args, ctx),
  };
}
