// `igb-replay triage TRACE`: the registers the driver used that the recording QEMU flagged, grouped
// by block and ranked. Reads the trace once, through the same aggregate as `parse`. With --device or
// --replay the trace is also replayed against a target QEMU and the replay's evidence (divergences,
// unknown registers, ignored writes, cascades) joins the ranking: "what to implement next".

import type { Argv, CommandModule } from 'yargs';
import { offlineTriage, type TriageInput, type TriageSource } from '../../analysis/offline-triage.js';
import { replayTriage, type ReplayTriageResult } from '../../analysis/replay-triage.js';
import type { Trace } from '../../model/trace.js';
import { renderReplayTriage, renderTriage } from '../../report/triage-text.js';
import { colorFor } from '../color.js';
import { warn, type CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { barBaseOption, dashArg, jsonOption, lenientOption, outputOption, resultDestination } from '../options.js';
import { isTTY, writeJson, writeText } from '../output.js';
import { progressReporter } from '../progress.js';
import { summarizeTrace, warnMalformed } from './parse.js';

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
    .example('$0 triage traces/linux-6.1-init.log --device e1000e', 'What to implement next in e1000e to run the igb driver') as unknown as Argv<TriageArgs>;
}

export function triageCommand(ctx: CliContext): CommandModule<object, TriageArgs> {
  return {
    command: 'triage <trace>',
    describe: 'Rank the registers the driver used that the recording QEMU reported as unknown, partial, read-only or PHY-unhandled; with --device/--replay also what a replay against that target found',
    builder,
    handler: (args) => runTriage(args, ctx),
  };
}

export async function runTriage(args: TriageArgs, ctx: CliContext): Promise<void> {
  const withReplay = args.device !== undefined || args.replay === true;
  if (withReplay && args.trace === '-') throw new UsageError('triage with replay needs a trace file (stdin cannot be read twice)', 'save the trace to a file first');
  const destination = resultDestination(args, ctx);
  // One read: the summary streams past, and the records are kept only for a replay.
  const { summary, trace } = await summarizeTrace(args.trace, { ...args, keepRecords: withReplay }, ctx);
  const input: TriageInput = { accesses: summary.accesses.total, registers: summary.registers };
  const source: TriageSource = { file: summary.source.file, dialectDescription: summary.source.dialectDescription };
  const triage = withReplay ? await triageWithReplay(args, trace, input, source, ctx) : offlineTriage(input, source);
  if (destination.json) await writeJson(destination.path, triage, ctx.stdout);
  else {
    const color = colorFor(ctx.env, isTTY(destination.path, ctx));
    await writeText(destination.path, triage.version === 2 ? renderReplayTriage(triage, color) : renderTriage(triage, color), ctx.stdout);
  }
  // The triage does not show the line accounting, so skipped lines are reported here.
  warnMalformed(ctx, summary.source.file, summary.lines.malformed, summary.lines.malformedExamples);
}

async function triageWithReplay(args: TriageArgs, trace: Trace, input: TriageInput, source: TriageSource, ctx: CliContext): Promise<ReplayTriageResult> {
  // Loaded on demand, as in `replay`: offline triage needs no QEMU stack.
  const [{ prepareReplay }, { runReplay }] = await Promise.all([import('../../replay/prepare.js'), import('../../replay/run.js')]);
  const progress = progressReporter(ctx, `replaying ${args.trace} against ${args.device ?? 'the recorded device'}`);
  try {
    // No --device: the recording's device (its sidecar), else the one the trace shows.
    const job = prepareReplay(trace, { qemu: args.qemu, device: args.device, time: 'auto', strict: false });
    const result = await runReplay(job, undefined, { onProgress: progress.update });
    if (!result.completed) warn(ctx, `the replay stopped early (${result.stopped?.reason ?? 'unknown reason'}): the triage uses what it found until then`);
    return replayTriage(input, source, result, trace.records ?? []);
  } finally {
    progress.done();
  }
}
