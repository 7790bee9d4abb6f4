// The work of `igb-replay parse` (its options and help: ../commands/parse.ts), loaded only when
// the command runs, so that --help, --version and the other commands do not load it.

import { buildParseSummary, type ParseSummary } from '../../analysis/parse-summary.js';
import { TraceSummaryBuilder } from '../../analysis/trace-summary.js';
import { describeDialect } from '../../formats/detect.js';
import { excerpt } from '../../formats/errors.js';
import { type MalformedLine, readTrace, type TraceSourceOptions } from '../../formats/read-trace.js';
import type { Trace } from '../../model/trace.js';
import { DEFAULT_DEVICE_MODEL } from '../../devices/table.js';
import { registersFor, type RegisterDatabase } from '../../regs/index.js';
import { loadTrace } from '../../trace/load.js';
import { sniffRecordedDevice } from '../../trace/head.js';
import { renderParseSummary } from '../../report/parse-summary-text.js';
import { colorFor } from '../color.js';
import { warn, type CliContext } from '../context.js';
import { resultDestination } from '../options.js';
import { openOutput, ReaderGone, writeJson, type Output } from '../output.js';
import { progressReporter, type Progress } from '../progress.js';
import type { ParseArgs } from '../commands/parse.js';

export async function runParse(args: ParseArgs, ctx: CliContext): Promise<void> {
  const destination = resultDestination(args, ctx);
  if (destination.json) {
    const { summary } = await summarizeTrace(args.trace, args, ctx);
    await writeJson(destination.path, summary, ctx.stdout);
    warnMalformed(ctx, summary.source.file, summary.lines.malformed, summary.lines.malformedExamples);
    return;
  }
  const out = await openOutput(args.output, ctx.stdout);
  try {
    if (args.jsonl === true || args.csv === true) await streamRecords(args, ctx, out);
    else await summarize(args, ctx, out);
    await out.close();
  } catch (error) {
    await out.abort();
    // `... | head` closed the pipe: the reader has what it wanted, which is success.
    if (error instanceof ReaderGone || out.readerGone) return;
    throw error;
  }
}

async function summarize(args: ParseArgs, ctx: CliContext, out: Output): Promise<void> {
  const { summary } = await summarizeTrace(args.trace, args, ctx);
  out.write(renderParseSummary(summary, { color: colorFor(ctx.env, out.isTTY), top: args.top }));
}

/**
 * Loads the trace once, building the summary aggregate as records stream past; shared with
 * `triage`, which keeps the records too when it replays them.
 */
export async function summarizeTrace(path: string, source: TraceSourceOptions & { readonly keepRecords?: boolean }, ctx: CliContext): Promise<{ summary: ParseSummary; trace: Trace }> {
  // The aggregate needs register names only when the result is built, so the database (tens of
  // ms to load) is loaded while the trace reader starts up (worker start, first reads). It is the
  // database of the device the trace was recorded on, known once the trace is read.
  const chosen: { db?: RegisterDatabase } = {};
  const registers = (): RegisterDatabase => chosen.db ?? registersFor(DEFAULT_DEVICE_MODEL);
  const aggregate = new TraceSummaryBuilder({
    lookupOffset: (offset) => registers().lookupOffset(offset),
    lookupPhy: (reg) => registers().lookupPhy(reg),
  });
  const warmUp = setImmediate(() => registersFor(DEFAULT_DEVICE_MODEL));
  const progress = progressReporter(ctx, `reading ${path}`, " MB");
  const trace = await loadTrace(path, {
    lenient: source.lenient, barBase: source.barBase, stdin: ctx.stdin, onProgress: bytesProgress(progress),
    keepRecords: source.keepRecords === true, sink: aggregate, onWarning: (message) => warn(ctx, message),
  }).finally(() => {
    clearImmediate(warmUp);
    progress.done();
  });
  chosen.db = registersFor(trace.device.model);
  const summary = buildParseSummary(trace.read, aggregate.result(), describeDialect(trace.read.dialect),
    { model: trace.device.model, reason: trace.device.reason });
  return { summary, trace };
}

async function streamRecords(args: ParseArgs, ctx: CliContext, out: Output): Promise<void> {
  // Loaded here: the summary needs no CSV writer.
  const { csvSink, jsonlSink, registerNamer } = await import('../record-stream.js');
  // Records are named as they stream, so the device comes from the trace's head (igb when it cannot tell).
  const nameOf = registerNamer(registersFor((await sniffRecordedDevice(args.trace, (message) => warn(ctx, message))).model));
  const sink = args.jsonl === true ? jsonlSink(out, nameOf) : csvSink(out, nameOf);
  // Progress would mix with the records when they go to the terminal too.
  const toTerminal = args.output === undefined && ctx.stdout.isTTY === true;
  const progress = progressReporter(ctx, `reading ${args.trace}`, ' MB', toTerminal);
  const read = await readTrace(args.trace, sink, {
    lenient: args.lenient, barBase: args.barBase, stdin: ctx.stdin, pace: () => out.ready(), onProgress: bytesProgress(progress),
  }).finally(() => progress.done());
  sink.flush();
  warnMalformed(ctx, read.file, read.stats.malformedLines, read.stats.malformedExamples);
}

/** Progress in MB of the input (of the file size when known). */
function bytesProgress(progress: Progress): (bytesRead: number, byteSize: number | undefined) => void {
  return (bytesRead, byteSize) => progress.update(Math.round(bytesRead / 1e6), Math.round((byteSize ?? bytesRead) / 1e6));
}

/** Where the summary text is not shown, skipped lines must still not go unnoticed. */
export function warnMalformed(ctx: CliContext, file: string, count: number, examples: readonly MalformedLine[]): void {
  if (count === 0) return;
  const first = examples[0];
  warn(ctx, `${count} malformed line${count === 1 ? '' : 's'} skipped`
    + (first === undefined ? '' : ` (first: ${file}:${first.line}: ${first.reason}: ${excerpt(first.text)})`));
}
