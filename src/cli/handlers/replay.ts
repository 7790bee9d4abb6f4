// The work of `igb-replay replay` (its options and help: ../commands/replay.ts), loaded only when
// the command runs, so that --help, --version and the other commands do not load it.

import { boundHeapGrowth } from '../bounded-heap.js';
import { raiseTierUpBudget } from '../compiler-tuning.js';
import { updatedBaseline } from '../../baseline/compare.js';
import { loadBaseline, serializeBaseline } from '../../baseline/file.js';
import type { ReplayReport } from '../../model/replay-report.js';
import type { ShardInfo } from '../../model/shard.js';
import { renderJunit } from '../../report/junit.js';
import { renderReplayReport } from '../../report/replay-text.js';
import { renderSummary } from '../../report/summary-text.js';
import { buildReplayReport } from '../../replay/report.js';
import { verdictExitCode } from '../bisect.js';
import { colorFor } from '../color.js';
import { warn, type CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { checkJsonTarget, writeJson, writeText } from '../output.js';
import { prepareCorpus, runCorpus } from '../replay-corpus.js';
import type { ReplayArgs } from '../commands/replay.js';

export async function runReplay(args: ReplayArgs, ctx: CliContext): Promise<void> {
  if (args.updateBaseline && args.baseline === undefined) {
    throw new UsageError('--update-baseline needs --baseline FILE', 'name the baseline file to write: --baseline b.json --update-baseline');
  }
  boundHeapGrowth();
  // Before minutes of replay: `replay --json a.log b.log` would make a.log the JSON file.
  await checkJsonTarget(args.json);
  const corpus = await prepareCorpus(args, (message) => warn(ctx, message));
  if (corpus.traces.length * corpus.builds.length > 1) raiseTierUpBudget();
  if (corpus.builds.length > 1) {
    const { replayMatrix } = await import('./replay-matrix.js');
    return replayMatrix(corpus, args, ctx);
  }
  // Read before replaying, so a bad baseline fails fast (exit 2) instead of after minutes of replay.
  const baseline = args.baseline === undefined ? undefined : await loadBaseline(args.baseline, args.updateBaseline);
  const results = (await runCorpus(corpus, args, ctx)).map((row) => row[0]!.result);
  if (args.baseline !== undefined && args.updateBaseline) {
    // A replay that stopped early would drop the entries after where it stopped: keep the old file.
    if (results.every((r) => r.completed)) {
      await writeText(args.baseline, serializeBaseline(updatedBaseline(results, baseline?.accepted ?? [], args.strict)), ctx.stdout);
    } else warn(ctx, `${args.baseline} not updated: a replay stopped early`);
  }
  // An updated baseline is not compared with: the run it was made from would accept everything.
  const compareWith = args.baseline === undefined || args.updateBaseline ? undefined : { file: args.baseline, accepted: baseline?.accepted ?? [] };
  const report = withShard(buildReplayReport(results, { strict: args.strict }, compareWith), corpus.shard);
  await writeReports(report, args, ctx);
  ctx.exitCode = exitCodeOf(report, args);
}

function withShard(report: ReplayReport, shard: ShardInfo | undefined): ReplayReport {
  return shard === undefined ? report : { ...report, shard };
}

function exitCodeOf(report: ReplayReport, args: ReplayArgs): number {
  if (report.verdict !== 'INCOMPLETE' && args.updateBaseline) return 0;
  return replayExitCode(report, args.bisect);
}

export function replayExitCode(report: ReplayReport, bisect: boolean): number {
  return verdictExitCode(report.verdict === 'INCOMPLETE' ? 'incomplete' : report.verdict === 'FAIL' ? 'fail' : 'pass', bisect);
}

/** Every output is a rendering of the one report: JUnit, HTML, JSON (the report itself) and the text on stdout. */
export async function writeReports(report: ReplayReport, args: Pick<ReplayArgs, 'junit' | 'junitBy' | 'html' | 'json'>, ctx: CliContext): Promise<void> {
  if (args.junit !== undefined) await writeText(args.junit, renderJunit(report, args.junitBy), ctx.stdout);
  if (args.html !== undefined) {
    const { renderHtml } = await import('../../report/html.js');
    await writeText(args.html, renderHtml(report), ctx.stdout);
  }
  if (args.json !== undefined) {
    await writeJson(args.json, report, ctx.stdout);
    if (args.json === '-') return;
  }
  const c = colorFor(ctx.env, ctx.stdout.isTTY === true);
  const summary = report.results.length > 1 ? `\n${renderSummary(report, c)}` : '';
  await writeText(undefined, renderReplayReport(report, c) + summary, ctx.stdout);
}
