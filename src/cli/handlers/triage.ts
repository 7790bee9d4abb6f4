// The work of `igb-replay triage` (its options and help: ../commands/triage.ts), loaded only when
// the command runs, so that --help, --version and the other commands do not load it.

import { offlineTriage, type TriageInput, type TriageSource } from '../../analysis/offline-triage.js';
import { replayTriage, type ReplayTriageResult } from '../../analysis/replay-triage.js';
import type { Trace } from '../../model/trace.js';
import { renderReplayTriage, renderTriage } from '../../report/triage-text.js';
import { colorFor } from '../color.js';
import { warn, type CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { resultDestination } from '../options.js';
import { isTTY, writeJson, writeText } from '../output.js';
import { progressReporter } from '../progress.js';
import { summarizeTrace, warnMalformed } from './parse.js';
import type { TriageArgs } from '../commands/triage.js';

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
