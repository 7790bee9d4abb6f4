// `igb-replay replay TRACE…`: replays each trace's register accesses against a fresh QEMU over
// qtest and compares every read. Exit 0 when nothing diverged, 1 on divergences, 3 when QEMU
// failed (also midway: the partial result is still reported and written). With --baseline, failing
// divergences the baseline accepts do not fail the run; --update-baseline rewrites it; --junit
// writes JUnit XML for CI.

import type { Argv, CommandModule } from 'yargs';
import { updatedBaseline } from '../../baseline/compare.js';
import { loadBaseline, serializeBaseline } from '../../baseline/file.js';
import { TIME_MODE_CHOICES, type ReplayResult, type TimeModeChoice } from '../../model/replay.js';
import type { ReplayReport } from '../../model/replay-report.js';
import { JUNIT_GROUPINGS, renderJunit, type JunitGrouping } from '../../report/junit.js';
import { renderReplayReport } from '../../report/replay-text.js';
import { buildReplayReport } from '../../replay/report.js';
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
      'junit-by': { choices: JUNIT_GROUPINGS, default: 'register' as const, describe: 'JUnit test cases: one per register read, or one per phase of the recording (probe, reset, …)' },
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
  if (args.updateBaseline && args.baseline === undefined) {
    throw new UsageError('--update-baseline needs --baseline FILE', 'name the baseline file to write: --baseline b.json --update-baseline');
  }
  // Loaded on demand: the replay stack (QEMU target, qtest client) is not needed by other commands.
  const [{ loadTrace }, { prepareReplay }, { runReplay }] = await Promise.all([
    import('../../trace/load.js'), import('../../replay/prepare.js'), import('../../replay/run.js'),
  ]);
  // Read before replaying, so a bad baseline fails fast (exit 2) instead of after minutes of replay.
  const baseline = args.baseline === undefined ? undefined : await loadBaseline(args.baseline, args.updateBaseline);
  const results: ReplayResult[] = [];
  for (const path of args.traces.map((t) => dashArg(t))) {
    if (path === '-') throw new UsageError('replay needs trace files (stdin cannot be replayed twice)', 'save the trace to a file first');
    const progress = progressReporter(ctx, `replaying ${path}`);
    try {
      const trace = await loadTrace(path, { lenient: args.lenient, barBase: args.barBase, onWarning: (message) => warn(ctx, message) });
      const job = prepareReplay(trace, { qemu: args.qemu, device: args.device, time: args.time, strict: args.strict, keepTempDir: args.keepTemp });
      results.push(await runReplay(job, undefined, { onProgress: progress.update }));
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
  // An updated baseline is not compared with: the run it was made from would accept everything.
  const compareWith = args.baseline === undefined || args.updateBaseline ? undefined : { file: args.baseline, accepted: baseline?.accepted ?? [] };
  const report = buildReplayReport(results, { strict: args.strict }, compareWith);
  await writeReports(report, args, ctx);
  ctx.exitCode = exitCodeOf(report, args);
}

function exitCodeOf(report: ReplayReport, args: ReplayArgs): number {
  if (report.verdict === 'INCOMPLETE') return EXIT_TARGET;
  if (args.updateBaseline) return 0;
  return report.verdict === 'FAIL' ? EXIT_DIVERGENCES : 0;
}

/** Every output is a rendering of the one report: JUnit, HTML, JSON (the report itself) and the text on stdout. */
async function writeReports(report: ReplayReport, args: ReplayArgs, ctx: CliContext): Promise<void> {
  if (args.junit !== undefined) await writeText(args.junit, renderJunit(report, args.junitBy), ctx.stdout);
  if (args.html !== undefined) {
    const { renderHtml } = await import('../../report/html.js');
    await writeText(args.html, renderHtml(report), ctx.stdout);
  }
  if (args.json !== undefined) {
    await writeText(args.json, `${JSON.stringify(report, null, 2)}\n`, ctx.stdout);
    if (args.json === '-') return;
  }
  await writeText(undefined, renderReplayReport(report, colorFor(ctx.env, ctx.stdout.isTTY === true)), ctx.stdout);
}
