// Builds the report of a replay against several QEMU builds: per trace, each build's result and how
// each build after the first compares with the first (compare-builds.ts), and the verdict over all.
// Pure.

import { MATRIX_REPORT_SCHEMA, type BuildComparison, type MatrixBuild, type MatrixReport, type MatrixTrace, type MatrixVerdict } from '../model/matrix-report.js';
import type { ReplayReportOptions } from '../model/replay-report.js';
import type { ShardInfo } from '../model/shard.js';
import type { CellOutcome } from '../parallel/cell.js';
import { compareBuilds } from './compare-builds.js';

export interface MatrixInput {
  readonly builds: readonly MatrixBuild[];
  /** Per trace (corpus order), one outcome per build (build order). */
  readonly rows: readonly { readonly trace: string; readonly cells: readonly CellOutcome[] }[];
  readonly options: ReplayReportOptions;
  readonly timeNote?: string;
  readonly shard?: ShardInfo;
}

export function buildMatrixReport(input: MatrixInput): MatrixReport {
  const traces = input.rows.map((row): MatrixTrace => ({
    trace: row.trace,
    results: row.cells.map((c) => c.result),
    comparisons: row.cells.slice(1).map((cell, i) => compareBuilds({
      reference: row.cells[0]!.result, candidate: cell.result,
      ...(row.cells[0]!.events === undefined ? {} : { referenceEvents: row.cells[0]!.events }),
      ...(cell.events === undefined ? {} : { candidateEvents: cell.events }),
      labels: [input.builds[0]!.label, input.builds[i + 1]!.label], indexes: [0, i + 1], strict: input.options.strict,
    })),
  }));
  return {
    schema: MATRIX_REPORT_SCHEMA, version: 1, options: { strict: input.options.strict }, builds: input.builds,
    ...(input.timeNote === undefined ? {} : { timeNote: input.timeNote }),
    verdict: matrixVerdict(traces), traces,
    ...(input.shard === undefined ? {} : { shard: input.shard }),
  };
}

/** INCOMPLETE over REGRESSED over CHANGED over SAME, across every trace and build. */
export function matrixVerdict(traces: readonly MatrixTrace[]): MatrixVerdict {
  const all: BuildComparison[] = traces.flatMap((t) => [...t.comparisons]);
  if (traces.some((t) => t.results.some((r) => !r.completed))) return 'INCOMPLETE';
  if (all.some((c) => c.verdict === 'regressed')) return 'REGRESSED';
  return all.some((c) => c.verdict === 'changed') ? 'CHANGED' : 'SAME';
}
