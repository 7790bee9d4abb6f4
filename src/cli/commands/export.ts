// `igb-replay export TRACE (--qtest | --c-test)`: the accesses `replay` would send, as a file that
// replays them without igb-replay: a qtest command script for `qemu … -qtest stdio < script` (with
// a companion shell script holding the command line, since qtest scripts cannot hold comments), or
// a libqtest C test for QEMU's tests/qtest/. Nothing is run; no QEMU is needed.
import type { Argv, CommandModule } from 'yargs';
import type { CliContext } from '../context.js';
import { dashArg, lenientOption, outputOption, type BuiltOptions } from '../options.js';


export interface ExportArgs {
  readonly trace: string;
  readonly qtest: boolean;
  readonly cTest: boolean;
  readonly output?: string;
  readonly device?: string;
  readonly name?: string;
  readonly clockStep: boolean;
  readonly lenient: boolean;
}

/** The options as yargs parses them (kebab-case names); the handler gets them with camelCase ones too, as ExportArgs. */
type ExportOptions = BuiltOptions<typeof builder>;

function builder(y: Argv) {
  return y
    .positional('trace', { type: 'string', demandOption: true, coerce: dashArg, describe: 'QEMU trace log (plain or gzip)' })
    .options({
      qtest: { type: 'boolean', default: false, describe: 'Write a qtest command script (with -o FILE also FILE.sh, which runs it)' },
      'c-test': { type: 'boolean', default: false, describe: 'Write a libqtest C test for QEMU\'s tests/qtest/' },
      output: { ...outputOption, alias: 'o', coerce: dashArg },
      device: { type: 'string', requiresArg: true, describe: 'NIC: igb or e1000e, with properties (igb,mac=…); default: the recording\'s, from the sidecar X.json, else igb' },
      name: { type: 'string', requiresArg: true, describe: 'Test name (C test path /igb-replay/NAME); default: the trace file name' },
      'clock-step': { type: 'boolean', default: false, describe: 'qtest script: run under -accel qtest and clock_step at timer markers (needs a QEMU built from source)' },
      lenient: lenientOption,
    })
    .example('$0 export traces/linux-6.1-init.log --qtest -o init.qtest', 'A qtest script and init.qtest.sh, which runs QEMU on it')
    .example('sh init.qtest.sh | grep -c FAIL', 'Replay it without igb-replay: every command answers OK')
    .example('$0 export traces/linux-6.1-init.log --c-test -o tests/qtest/igb-init-test.c', 'A QEMU qtest asserting every stable read')
    .example('$0 export trace.log --c-test --device e1000e --name e1000e-init', 'The same accesses against e1000e');
}

export function exportCommand(ctx: CliContext): CommandModule<object, ExportOptions> {
  return {
    command: 'export <trace>',
    describe: 'Write the accesses replay sends as a qtest script or a libqtest C test',
    builder,
    handler: async (args) => (await import('../handlers/export.js')).runExport(args, ctx),
  };
}
