// `igb-replay triage TRACE` (offline part): the registers the driver used that the recording QEMU
// flagged, grouped by block and ranked. Reads the trace once, through the same aggregate as `parse`.

import type { Argv, CommandModule } from 'yargs';
import { offlineTriage } from '../../analysis/offline-triage.js';
import { renderTriage } from '../../report/triage-text.js';
import { colorFor } from '../color.js';
import type { CliContext } from '../context.js';
import { dashArg, jsonOption, lenientOption, outputOption } from '../options.js';
import { openOutput, ReaderGone } from '../output.js';
import { summarizeTrace, warnMalformed } from './parse.js';

export interface TriageArgs {
  readonly trace: string;
  readonly lenient: boolean;
  readonly json?: boolean;
  readonly output?: string;
}

function builder(y: Argv): Argv<TriageArgs> {
  return y
    .positional('trace', { type: 'string', demandOption: true, coerce: dashArg, describe: 'QEMU trace log (plain or gzip); - for stdin' })
    .options({
      lenient: lenientOption,
      json: { ...jsonOption, describe: 'Print the triage as JSON (schema igb-replay/triage)' },
      output: { ...outputOption, alias: 'o', coerce: dashArg },
    })
    .example('$0 triage traces/linux-6.1-init.log', 'What QEMU flagged during a Linux igb init, most important first')
    .example('$0 triage trace.log --json -o triage.json', 'The same as JSON, written atomically to a file') as unknown as Argv<TriageArgs>;
}

export function triageCommand(ctx: CliContext): CommandModule<object, TriageArgs> {
  return {
    command: 'triage <trace>',
    describe: 'Rank the registers the driver used that the recording QEMU reported as unknown, partial, read-only or PHY-unhandled',
    builder,
    handler: (args) => runTriage(args, ctx),
  };
}

export async function runTriage(args: TriageArgs, ctx: CliContext): Promise<void> {
  const summary = await summarizeTrace(args.trace, args.lenient, ctx);
  const triage = offlineTriage({ accesses: summary.accesses.total, registers: summary.registers },
    { file: summary.source.file, dialectDescription: summary.source.dialectDescription });
  const out = await openOutput(args.output, ctx.stdout);
  try {
    out.write(args.json === true ? `${JSON.stringify(triage, null, 2)}\n` : renderTriage(triage, colorFor(ctx.env, out.isTTY)));
    await out.close();
  } catch (error) {
    await out.abort();
    if (error instanceof ReaderGone || out.readerGone) return;
    throw error;
  }
  // The triage does not show the line accounting, so skipped lines are reported here.
  warnMalformed(ctx, summary.source.file, summary.lines.malformed, summary.lines.malformedExamples);
}
