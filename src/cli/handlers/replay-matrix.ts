// `igb-replay replay TRACES… --qemu A --qemu B …`: every trace against every build, one report of
// the matrix and of what changed from the reference build (the first) to each other one. Exit 0
// when no build regressed relative to the reference (also when both fail the same way), 1 when one
// did, 3 when a replay stopped early (with --bisect: 1, see src/cli/bisect.ts).

import type { MatrixReport } from '../../model/matrix-report.js';
import { commonTimeMode, resolveBuilds } from '../../matrix/builds.js';
import { buildMatrixReport } from '../../matrix/report.js';
import { renderMatrixJunit } from '../../report/matrix-junit.js';
import { renderMatrixText } from '../../report/matrix-text.js';
import { verdictExitCode } from '../bisect.js';
import { colorFor } from '../color.js';
import type { CliContext } from '../context.js';
import { writeJson, writeText } from '../output.js';
import { runCorpus, type Corpus, type CorpusArgs } from '../replay-corpus.js';

export interface MatrixArgs extends CorpusArgs {
  readonly json?: string;
  readonly junit?: string;
  readonly html?: string;
  readonly bisect: boolean;
}

export async function replayMatrix(corpus: Corpus, args: MatrixArgs, ctx: CliContext): Promise<void> {
  // Probed first: a build that cannot run fails before any replay (exit 3; 125 with --bisect).
  const builds = await resolveBuilds(corpus.builds);
  const time = commonTimeMode(builds, args.time);
  const rows = await runCorpus(corpus, args, ctx, time.time);
  const report = buildMatrixReport({
    builds, rows: corpus.traces.map((trace, i) => ({ trace, cells: rows[i]! })), options: { strict: args.strict },
    ...(time.note === undefined ? {} : { timeNote: time.note }), ...(corpus.shard === undefined ? {} : { shard: corpus.shard }),
  });
  await writeMatrixReports(report, args, ctx);
  ctx.exitCode = matrixExitCode(report, args.bisect);
}

export function matrixExitCode(report: MatrixReport, bisect: boolean): number {
  return verdictExitCode(report.verdict === 'INCOMPLETE' ? 'incomplete' : report.verdict === 'REGRESSED' ? 'fail' : 'pass', bisect);
}

/** JUnit, HTML, JSON (the report itself) and the text on stdout, all from the one report. */
export async function writeMatrixReports(report: MatrixReport, args: Pick<MatrixArgs, 'json' | 'junit' | 'html'>, ctx: CliContext): Promise<void> {
  if (args.junit !== undefined) await writeText(args.junit, renderMatrixJunit(report), ctx.stdout);
  if (args.html !== undefined) {
    const { renderMatrixHtml } = await import('../../report/matrix-html.js');
    await writeText(args.html, renderMatrixHtml(report), ctx.stdout);
  }
  if (args.json !== undefined) {
    await writeJson(args.json, report, ctx.stdout);
    if (args.json === '-') return;
  }
  await writeText(undefined, renderMatrixText(report, colorFor(ctx.env, ctx.stdout.isTTY === true)), ctx.stdout);
}
