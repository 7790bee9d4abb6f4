// `igb-replay replay TRACE…`: replays each trace's register accesses against a fresh QEMU over
// qtest and compares every read. Exit 0 when nothing diverged, 1 on divergences, 3 when QEMU
// failed (also midway: the partial result is still reported and written). With --baseline, failing
// divergences the baseline accepts do not fail the run; --update-baseline rewrites it; --junit
// writes JUnit XML for CI.

import type { Argv, CommandModule } from 'yargs';
import { compareWithBaseline, updatedBaseline, type BaselineComparison } from '../../baseline/compare.js';
import { loadBaseline, serializeBaseline } from '../../baseline/file.js';
import type { Trace } from '../../model/trace.js';
import { isFailing, TIME_MODE_CHOICES, type ReplayResult, type TimeModeChoice } from '../../model/replay.js';
import { renderJunit, type JunitGrouping, type RegisterRead } from '../../report/junit.js';
import { DeviceOptionError } from '../../replay/device-option.js';
import { renderReplay } from '../../report/replay-text.js';
import { colorFor } from '../color.js';
import { warn, type CliContext } from '../context.js';
import { EXIT_DIVERGENCES, EXIT_TARGET, UsageError } from '../errors.js';
import { barBaseOption, dashArg, lenientOption } from '../options.js';
import { writeText } from '../output.js';
import { progressReporter } from '../progress.js';

export interface ReplayArgs {
  readonly traces: string[];
  readonly device?: string;
  readonly time: TimeModeChoice;
  readonly qemu?: string;
  readonly strict: boolean;
  readonly json?: string;
  readonly lenient: boolean;
  readonly barBase?: number;
  readonly keepTemp: boolean;
  readonly baseline?: string;
  readonly updateBaseline: boolean;
  readonly junit?: string;
  readonly junitBy: JunitGrouping;
  readonly html?: string;
}

function builder(y: Argv): Argv<ReplayArgs> {
  return y
    .positional('traces', { type: 'string', array: true, demandOption: true, describe: 'QEMU trace logs (plain or gzip)' })
    .options({
      device: { type: 'string', requiresArg: true, describe: 'Target -device: igb, e1000e, with properties (igb,mac=…); default: the recording\'s, from the sidecar X.json beside X.log, else igb' },
      time: { choices: TIME_MODE_CHOICES, default: 'auto', describe: 'Virtual time: auto picks clock-step with the qtest accelerator, else markers' },
      qemu: { type: 'string', requiresArg: true, describe: 'QEMU binary (default: $QTEST_QEMU_BINARY, else qemu-system-x86_64 on PATH)' },
      strict: { type: 'boolean', default: false, describe: 'Count differences in volatile registers (statistics, free-running clocks) as divergences' },
      json: { type: 'string', requiresArg: true, coerce: dashArg, describe: 'Write the full result to FILE (- for stdout) as JSON, schema igb-replay/replay-report' },
      lenient: lenientOption,
      'bar-base': barBaseOption,
      'keep-temp': { type: 'boolean', default: false, describe: "Keep QEMU's temp dir (its log and sockets) for debugging" },
      baseline: { type: 'string', requiresArg: true, describe: 'Accepted divergences (igb-replay/baseline JSON): they do not fail the run' },
      'update-baseline': { type: 'boolean', default: false, describe: 'Write the current failing divergences to the --baseline FILE, exit 0' },
      junit: { type: 'string', requiresArg: true, describe: 'Write JUnit XML to FILE: a testsuite per trace, a testcase per register read (or phase)' },
      'junit-by': { choices: ['register', 'phase'] as const, default: 'register' as const, describe: 'JUnit test cases: one per register read, or one per phase of the recording (probe, reset, …)' },
      html: { type: 'string', requiresArg: true, describe: 'Write a self-contained HTML report to FILE: timeline, heat map, filterable divergences' },
    })
    .example('$0 replay traces/linux-6.1-init.log', 'Replay a Linux igb init against QEMU\'s igb and check every read')
    .example('$0 replay traces/linux-6.1-init.log --device e1000e', 'What does the igb driver need that e1000e lacks?')
    .example('$0 replay trace.log --json result.json --strict', 'Full result as JSON; volatile registers count too')
    .example('$0 replay trace.log --device e1000e --baseline b.json --update-baseline', 'Accept the current divergences; later runs with --baseline b.json fail only on new ones')
    .example('$0 replay trace.log --junit junit.xml', 'JUnit XML for CI test reports')
    .example('$0 replay trace.log --junit junit.xml --junit-by phase', 'One JUnit test case per phase (probe, NVM/PHY identification, link-up, …)')
    .example('$0 replay trace.log --device e1000e --html report.html', 'A browsable report: timeline, heat map, first divergence')
    .example('QTEST_QEMU_BINARY=~/qemu/build/qemu-system-x86_64 $0 replay trace.log', 'Against your own QEMU build') as unknown as Argv<ReplayArgs>;
}

export function replayCommand(ctx: CliContext): CommandModule<object, ReplayArgs> {
  return {
    command: 'replay <traces..>',
    describe: 'Replay traces against QEMU over qtest and compare every read with the recording',
    builder,
    handler: (args) => runReplay(args, ctx),
  };
}

export async function runReplay(args: ReplayArgs, ctx: CliContext): Promise<void> {
  // Loaded on demand: the replay stack (QEMU target, qtest client) is not needed by other commands.
  if (args.updateBaseline && args.baseline === undefined) {
    throw new UsageError('--update-baseline needs --baseline FILE', 'name the baseline file to write: --baseline b.json --update-baseline');
  }
  const [{ loadTrace }, { prepareReplay }, { runReplay }] = await Promise.all([
    import('../../trace/load.js'), import('../../replay/prepare.js'), import('../../replay/run.js'),
  ]);
  // Read before replaying, so a bad baseline fails fast (exit 2) instead of after minutes of replay.
  const baseline = args.baseline === undefined ? undefined : await loadBaseline(args.baseline, args.updateBaseline);
  const results: ReplayResult[] = [];
  // Kept only for the reports that list what each trace read (JUnit) or how long it is (HTML).
  const tracesByPath = new Map<string, Trace>();
  for (const path of args.traces.map((t) => dashArg(t))) {
    if (path === '-') throw new UsageError('replay needs trace files (stdin cannot be replayed twice)', 'save the trace to a file first');
    const progress = progressReporter(ctx, `replaying ${path}`);
    try {
      const trace = await loadTrace(path, { lenient: args.lenient, barBase: args.barBase, onWarning: (message) => warn(ctx, message) });
      if (args.junit !== undefined || args.html !== undefined) tracesByPath.set(path, trace);
      const job = prepareReplay(trace, { qemu: args.qemu, device: args.device, time: args.time, strict: args.strict, keepTempDir: args.keepTemp });
      results.push(await runReplay(job, undefined, { onProgress: progress.update }));
    } catch (error) {
      if (error instanceof DeviceOptionError) throw new UsageError(error.message, error.hint);
      throw error;
    } finally {
      progress.done();
    }
  }
  if (args.baseline !== undefined && args.updateBaseline) {
    // A replay that stopped early would drop the entries after where it stopped: keep the old file.
    if (results.every((r) => r.completed)) {
      await writeText(args.baseline, serializeBaseline(updatedBaseline(results, baseline?.accepted ?? [], args.strict)), ctx.stdout);
    } else warn(ctx, `${args.baseline} not updated: a replay stopped early`);
  }
  const comparison = args.baseline === undefined || args.updateBaseline
    ? undefined
    : compareWithBaseline(results, baseline?.accepted ?? [], args.baseline, args.strict);
  if (args.junit !== undefined) await writeJunit(args.junit, results, tracesByPath, comparison, args, ctx);
  if (args.html !== undefined) await writeHtml(args.html, results, tracesByPath, comparison, args, ctx);
  await report(results, comparison, args, ctx);
  ctx.exitCode = exitCodeOf(results, comparison, args);
}

function exitCodeOf(results: readonly ReplayResult[], comparison: BaselineComparison | undefined, args: ReplayArgs): number {
  if (results.some((r) => !r.completed)) return EXIT_TARGET;
  if (args.updateBaseline) return 0;
  if (comparison !== undefined) return comparison.summary.new.length > 0 ? EXIT_DIVERGENCES : 0;
  const diverged = results.some((r) => r.divergences.some((d) => isFailing(d.class, { strict: args.strict })));
  return diverged ? EXIT_DIVERGENCES : 0;
}

async function report(results: readonly ReplayResult[], comparison: BaselineComparison | undefined, args: ReplayArgs, ctx: CliContext): Promise<void> {
  if (args.json !== undefined) {
    const doc = { schema: 'igb-replay/replay-report', version: 1, results, ...(comparison === undefined ? {} : { baseline: comparison.summary }) };
    await writeText(args.json, `${JSON.stringify(doc, null, 2)}\n`, ctx.stdout);
    if (args.json === '-') return;
  }
  const color = colorFor(ctx.env, ctx.stdout.isTTY === true);
  await writeText(undefined, results.map((r) => renderReplay(r, color, {
    strict: args.strict,
    ...(comparison === undefined ? {} : { baseline: { summary: comparison.summary, acceptedSeqs: comparison.acceptedSeqs.get(r.trace) ?? new Set() } }),
  })).join('\n'), ctx.stdout);
}

async function writeJunit(file: string, results: readonly ReplayResult[], tracesByPath: ReadonlyMap<string, Trace>,
  comparison: BaselineComparison | undefined, args: ReplayArgs, ctx: CliContext): Promise<void> {
  const traces = [];
  for (const result of results) {
    const acceptedSeqs = comparison?.acceptedSeqs.get(result.trace);
    const trace = tracesByPath.get(result.trace);
    traces.push({ result, registersRead: trace === undefined ? [] : await registersRead(trace), ...(acceptedSeqs === undefined ? {} : { acceptedSeqs }) });
  }
  await writeText(file, renderJunit(traces, { strict: args.strict, by: args.junitBy }), ctx.stdout);
}

async function writeHtml(file: string, results: readonly ReplayResult[], tracesByPath: ReadonlyMap<string, Trace>,
  comparison: BaselineComparison | undefined, args: ReplayArgs, ctx: CliContext): Promise<void> {
  const { renderHtml } = await import('../../report/html.js');
  const traces = results.map((result) => {
    const acceptedSeqs = comparison?.acceptedSeqs.get(result.trace);
    const lines = (tracesByPath.get(result.trace)?.records ?? []).reduce((max, record) => Math.max(max, record.line), 0);
    return { result, lines, ...(acceptedSeqs === undefined ? {} : { acceptedSeqs }) };
  });
  await writeText(file, renderHtml(traces, { strict: args.strict }), ctx.stdout);
}

/** The registers a trace reads (MMIO and IO; config reads are not replayed), named as in divergences. */
async function registersRead(trace: Trace): Promise<RegisterRead[]> {
  const [{ registerOf }, { registersFor }] = await Promise.all([import('../../regs/naming.js'), import('../../regs/database.js')]);
  const registers = registersFor(trace.device.model);
  return (trace.records ?? []).flatMap((record) => {
    if (record.type !== 'access' || record.kind !== 'read' || (record.space !== 'mmio' && record.space !== 'io')) return [];
    const { name, block } = registerOf(registers, record);
    return [{ register: name, block }];
  });
}
