// `igb-replay triage TRACE`: the registers the driver used that the recording QEMU flagged, grouped
// by block and ranked. Reads the trace once, through the same aggregate as `parse`. With --device or
// --replay the trace is also replayed against a target QEMU and the replay's evidence (divergences,
// unknown registers, ignored writes, cascades) joins the ranking: "what to implement next".
import type { Argv, CommandModule } from 'yargs';
import type { CliContext } from '../context.js';
import { barBaseOption, dashArg, jsonOption, lenientOption, outputOption } from '../options.js';


export interface TriageArgs {
  readonly trace: string;
  readonly lenient: boolean;
  readonly barBase?: number;
  /** `--json [FILE]`: the file, or `-` for stdout. */
  readonly json?: string;
  readonly output?: string;
  readonly device?: string;
  readonly replay?: boolean;
  readonly qemu?: string;
}

function builder(y: Argv): Argv<TriageArgs> {
  return y
    .positional('trace', { type: 'string', demandOption: true, coerce: dashArg, describe: 'QEMU trace log (plain or gzip); - for stdin' })
    .options({
      lenient: lenientOption,
      'bar-base': barBaseOption,
      json: jsonOption('the triage (schema igb-replay/triage)'),
      output: { ...outputOption, alias: 'o', coerce: dashArg, describe: 'Write the text report to FILE (written to a temporary file and renamed when complete)' },
      device: { type: 'string', requiresArg: true, describe: 'Also replay against this target -device (igb, e1000e, …) and rank with its evidence' },
      replay: { type: 'boolean', describe: 'Also replay against the target (the recording\'s device from its sidecar, else igb, unless --device) and rank with its evidence' },
      qemu: { type: 'string', requiresArg: true, describe: 'QEMU binary for the replay (default: $QTEST_QEMU_BINARY, else qemu-system-x86_64 on PATH)' },
    })
    .example('$0 triage traces/linux-6.1-init.log', 'What QEMU flagged during a Linux igb init, most important first')
    .example('$0 triage trace.log --json triage.json', 'The same as JSON, written atomically to a file')
    .example('$0 triage traces/linux-6.1-init.log --device e1000e', 'What to implement next in e1000e to run the igb driver');
}

export function triageCommand(ctx: CliContext): CommandModule<object, TriageArgs> {
  return {
    command: 'triage <trace>',
    describe: 'Rank the registers the driver used that the recording QEMU reported as unknown, partial, read-only or PHY-unhandled; with --device/--replay also what a replay against that target found',
    builder,
    handler: async (args) => (await import('../handlers/triage.js')).runTriage(args, ctx),
  };
}
