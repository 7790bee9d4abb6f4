// The work of `igb-replay merge` (its options and help: ../commands/merge.ts), loaded only when
// the command runs, so that --help, --version and the other commands do not load it.

import { readFile } from 'node:fs/promises';
import { checkReport, mergeMatrixReports, mergeReplayReports, type AnyReport, type NamedReport } from '../../corpus/merge.js';
import { isMatrixReport, type MatrixReport } from '../../model/matrix-report.js';
import type { ReplayReport } from '../../model/replay-report.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { dashArg } from '../options.js';
import { replayExitCode, writeReports } from './replay.js';
import { matrixExitCode, writeMatrixReports } from './replay-matrix.js';
import type { MergeArgs } from '../commands/merge.js';

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
