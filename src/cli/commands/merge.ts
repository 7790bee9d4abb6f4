// `igb-replay merge REPORT.json…`: joins the JSON reports of the CI jobs that each replayed one
// shard of a corpus (`replay --shard i/n --json FILE`) into one report, written and judged as a
// single `replay` of the whole corpus would have been: text, --json, --junit, --html, and the same
// exit status (0, 1 divergences or a regression, 3 a replay stopped early). Every shard must be
// there. Also joins whole runs (reports without shards), in the order given.

import { readFile } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { checkReport, mergeMatrixReports, mergeReplayReports, type AnyReport, type NamedReport } from '../../corpus/merge.js';
import { isMatrixReport, type MatrixReport } from '../../model/matrix-report.js';
import type { ReplayReport } from '../../model/replay-report.js';
import { JUNIT_GROUPINGS, type JunitGrouping } from '../../report/junit.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { dashArg, jsonOption } from '../options.js';
import { replayExitCode, writeReports } from './replay.js';
import { matrixExitCode, writeMatrixReports } from './replay-matrix.js';

export interface MergeArgs {
  readonly reports: string[];
  readonly json?: string;
  readonly junit?: string;
  readonly junitBy: JunitGrouping;
  readonly html?: string;
}

function builder(y: Argv): Argv<MergeArgs> {
  return y
    .positional('reports', { type: 'string', array: true, demandOption: true, describe: 'JSON reports of `replay --json` (one per shard)' })
    .options({
      json: jsonOption('the merged report'),
      junit: { type: 'string', requiresArg: true, describe: 'Write JUnit XML of the merged report to FILE' },
      'junit-by': { choices: JUNIT_GROUPINGS, default: 'register' as const, describe: 'JUnit test cases of a one-build report: one per register read, or one per phase' },
      html: { type: 'string', requiresArg: true, describe: 'Write a self-contained HTML report of the merged report to FILE' },
    })
    .example('$0 merge results/shard-*.json --junit junit.xml', 'The CI job after the shard jobs: one report, one verdict')
    .example('$0 merge shard-1.json shard-2.json --json all.json --html all.html', 'The whole corpus as JSON and HTML') as unknown as Argv<MergeArgs>;
}

export function mergeCommand(ctx: CliContext): CommandModule<object, MergeArgs> {
  return {
    command: 'merge <reports..>',
    describe: 'Join the JSON reports of sharded replays (replay --shard i/n) into one report',
    builder,
    handler: (args) => runMerge(args, ctx),
  };
}

async function readReport(file: string): Promise<NamedReport<AnyReport>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 'pass the files `replay --json FILE` wrote');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not JSON: ${(error as Error).message}`, 'pass the files `replay --json FILE` wrote');
  }
  return { file, report: checkReport(file, value) };
}

export async function runMerge(args: MergeArgs, ctx: CliContext): Promise<void> {
  const reports = await Promise.all(args.reports.map((f) => readReport(dashArg(f))));
  const matrices = reports.filter((r): r is NamedReport<MatrixReport> => isMatrixReport(r.report));
  if (matrices.length > 0 && matrices.length < reports.length) {
    throw new UsageError('some reports compare several builds and some replay one', 'merge the shards of one run');
  }
  if (matrices.length > 0) {
    const merged = mergeMatrixReports(matrices);
    await writeMatrixReports(merged, args, ctx);
    ctx.exitCode = matrixExitCode(merged, false);
    return;
  }
  const merged = mergeReplayReports(reports as NamedReport<ReplayReport>[]);
  await writeReports(merged, args, ctx);
  ctx.exitCode = replayExitCode(merged, false);
}
