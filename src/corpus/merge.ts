// Joining the reports of the CI jobs that each replayed one shard of a corpus (`replay --shard i/n
// --json`) into the report of the whole corpus, as one job replaying it all would have written it:
// traces back in corpus order, verdicts recomputed, baseline comparisons added up. Every shard must
// be there exactly once (a missing one would pass silently); reports without shard information
// (whole runs) are joined in the order given. Pure.

import { isMatrixReport, type MatrixReport } from '../model/matrix-report.js';
import { REPLAY_REPORT_SCHEMA, type BaselineSummary, type ReplayReport } from '../model/replay-report.js';
import type { ShardInfo } from '../model/shard.js';
import { matrixVerdict } from '../matrix/report.js';
import { buildReplayReport } from '../replay/report.js';
import { CorpusError } from './errors.js';

/** A report read from a file, with the file's name for messages. */
export interface NamedReport<R> {
  readonly file: string;
  readonly report: R;
}

export type AnyReport = ReplayReport | MatrixReport;

/** The schema and version merge reads; anything else is an input error naming the file. */
export function checkReport(file: string, value: unknown): AnyReport {
  const schema = typeof value === 'object' && value !== null ? (value as { schema?: unknown }).schema : undefined;
  const version = typeof value === 'object' && value !== null ? (value as { version?: unknown }).version : undefined;
  if ((schema !== REPLAY_REPORT_SCHEMA && !isMatrixReport(value)) || version !== 1) {
    throw new CorpusError(`${file}: not a replay report (schema ${JSON.stringify(schema)}, version ${JSON.stringify(version)})`,
      'merge reads what `igb-replay replay --json FILE` writes: igb-replay/replay-report or igb-replay/matrix-report, version 1');
  }
  return value as AnyReport;
}

/** Report entries in corpus order: by shard positions when every report has them, else as given. */
function inCorpusOrder<R extends { readonly shard?: ShardInfo }, T>(reports: readonly NamedReport<R>[], entries: (r: R) => readonly T[]): T[] {
  const shards = reports.map((r) => r.report.shard);
  if (shards.every((s) => s === undefined)) return reports.flatMap((r) => entries(r.report));
  const missing = reports.find((r) => r.report.shard === undefined);
  if (missing !== undefined) throw new CorpusError(`${missing.file}: has no shard information while the others do`, 'merge the shards of one corpus run, or whole runs only');
  checkShards(reports as readonly NamedReport<R & { readonly shard: ShardInfo }>[]);
  const placed: { position: number; entry: T }[] = [];
  for (const { report } of reports) {
    const list = entries(report);
    report.shard!.positions.forEach((position, i) => placed.push({ position, entry: list[i]! }));
  }
  return placed.sort((a, b) => a.position - b.position).map((p) => p.entry);
}

function checkShards(reports: readonly NamedReport<{ readonly shard: ShardInfo }>[]): void {
  const first = reports[0]!.report.shard;
  const seen = new Map<number, string>();
  for (const { file, report } of reports) {
    const s = report.shard;
    if (s.count !== first.count || s.corpus !== first.corpus) {
      throw new CorpusError(`${file}: shard ${s.index}/${s.count} of ${s.corpus} traces does not belong with ${reports[0]!.file} (shard ${first.index}/${first.count} of ${first.corpus} traces)`,
        'merge the shards of one run: every job must be given the same corpus and the same n');
    }
    const other = seen.get(s.index);
    if (other !== undefined) throw new CorpusError(`${file}: shard ${s.index}/${s.count} is also in ${other}`, 'give each shard\'s report once');
    seen.set(s.index, file);
  }
  const absent = Array.from({ length: first.count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (absent.length > 0) {
    throw new CorpusError(`shard${absent.length === 1 ? '' : 's'} ${absent.map((i) => `${i}/${first.count}`).join(', ')} missing: the merged report would lack their traces`,
      'wait for every shard job, or pass each one\'s report');
  }
}

function sameStrictness(reports: readonly NamedReport<AnyReport>[]): boolean {
  const strict = reports[0]!.report.options.strict;
  const other = reports.find((r) => r.report.options.strict !== strict);
  if (other !== undefined) throw new CorpusError(`${other.file}: replayed ${other.report.options.strict ? 'with' : 'without'} --strict, ${reports[0]!.file} not`, 'shards must be replayed with the same options');
  return strict;
}

export function mergeReplayReports(reports: readonly NamedReport<ReplayReport>[]): ReplayReport {
  const strict = sameStrictness(reports);
  const merged = buildReplayReport(inCorpusOrder(reports, (r) => r.results), { strict });
  const baseline = mergeBaselines(reports);
  return baseline === undefined ? merged : { ...merged, baseline };
}

function mergeBaselines(reports: readonly NamedReport<ReplayReport>[]): BaselineSummary | undefined {
  const withBaseline = reports.filter((r) => r.report.baseline !== undefined);
  if (withBaseline.length === 0) return undefined;
  if (withBaseline.length < reports.length) throw new CorpusError('some reports were compared with a baseline and some not', 'replay every shard with the same --baseline');
  const summaries = reports.map((r) => r.report.baseline!);
  return {
    file: summaries[0]!.file, accepted: summaries.reduce((n, s) => n + s.accepted, 0),
    new: summaries.flatMap((s) => s.new), fixed: summaries.flatMap((s) => s.fixed),
  };
}

export function mergeMatrixReports(reports: readonly NamedReport<MatrixReport>[]): MatrixReport {
  const strict = sameStrictness(reports);
  const first = reports[0]!;
  const builds = (r: MatrixReport): string => r.builds.map((b) => `${b.label}: ${b.version}`).join('; ');
  const other = reports.find((r) => builds(r.report) !== builds(first.report));
  if (other !== undefined) {
    throw new CorpusError(`${other.file}: compares other builds (${builds(other.report)}) than ${first.file} (${builds(first.report)})`, 'merge the shards of one run of the same builds');
  }
  const traces = inCorpusOrder(reports, (r) => r.traces);
  const { schema, version, builds: sameBuilds, timeNote } = first.report;
  return { schema, version, options: { strict }, builds: sameBuilds, ...(timeNote === undefined ? {} : { timeNote }), verdict: matrixVerdict(traces), traces };
}
