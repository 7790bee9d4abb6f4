// `igb-replay parse TRACE`: a summary of a trace (text or JSON), or the trace's records streamed
// out as JSON Lines or CSV. The summary is an aggregate built while reading; the streams render
// each record as it is parsed and never hold the trace.

import type { Argv, CommandModule } from 'yargs';
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
import { barBaseOption, dashArg, jsonOption, lenientOption, nonNegativeInteger, outputOption, resultDestination } from '../options.js';
import { openOutput, ReaderGone, writeJson, type Output } from '../output.js';
import { progressReporter, type Progress } from '../progress.js';
import { csvSink, jsonlSink, registerNamer } from '../record-stream.js';

export interface ParseArgs {
  readonly trace: string;
  readonly lenient: boolean;
  readonly barBase?: number;
  // The output switches have no default: yargs' conflicts() would count a default as given.
  /** `--json [FILE]`: the file, or `-` for stdout. */
  readonly json?: string;
  readonly jsonl?: boolean;
  readonly csv?: boolean;
  readonly output?: string;
  readonly top: number;
}

function builder(y: Argv): Argv<ParseArgs> {
  return y
    .positional('trace', { type: 'string', demandOption: true, coerce: dashArg, describe: 'QEMU trace log (plain or gzip); - for stdin' })
    .options({
      lenient: lenientOption,
      'bar-base': barBaseOption,
      json: jsonOption('the summary (schema igb-replay/parse-summary)'),
      jsonl: { type: 'boolean', describe: 'Stream every access and marker record as one JSON object per line (to -o FILE or stdout)' },
      csv: { type: 'boolean', describe: 'Stream the accesses as CSV with a header row (to -o FILE or stdout)' },
      output: { ...outputOption, alias: 'o', coerce: dashArg, describe: 'Write the text summary, --jsonl or --csv to FILE (written to a temporary file and renamed when complete)' },
      top: { type: 'number', default: 20, coerce: nonNegativeInteger('top'), describe: 'Registers to list in the summary (0: all)' },
    })
    .conflicts('json', ['jsonl', 'csv'])
    .conflicts('jsonl', 'csv')
    .example('$0 parse traces/linux-6.1-init.log', 'Summary: lines, accesses, markers, registers, QEMU verdicts')
    .example('$0 parse trace.log.gz --json summary.json', 'The summary as JSON, written atomically to a file')
    .example('$0 parse trace.log --jsonl | jq -c \'select(.verdict != "ok")\'', 'Stream records; pick the accesses QEMU flagged')
    .example('$0 parse trace.log --csv -o accesses.csv', 'The access stream as CSV')
    .example('zcat trace.log.gz | $0 parse - --lenient', 'Read stdin; skip and count malformed lines') as unknown as Argv<ParseArgs>;
}

export function parseCommand(ctx: CliContext): CommandModule<object, ParseArgs> {
  return {
    command: 'parse <trace>',
    describe: 'Summarise a QEMU igb trace, or stream its records as JSON Lines or CSV',
    builder,
    handler: (args) => runParse(args, ctx),
  };
}

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
