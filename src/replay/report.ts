// Builds the report of a `replay` command from its results: marks the divergences a baseline
// accepts, summarises the comparison and gives the verdict. Pure; every output renders the result.

import { compareWithBaseline } from '../baseline/compare.js';
import type { Divergence, ReplayResult } from '../model/replay.js';
import type { EventDivergence } from '../model/events.js';
import type { FrameDivergence } from '../model/frames.js';
import { REPLAY_REPORT_SCHEMA, traceVerdict, type ReplayReport, type ReplayReportOptions, type ReplayVerdict } from '../model/replay-report.js';

/** A baseline to compare with: its file name (for the report) and its accepted keys. */
export interface BaselineInput {
  readonly file: string;
  readonly accepted: readonly string[];
}

export function buildReplayReport(results: readonly ReplayResult[], options: ReplayReportOptions, baseline?: BaselineInput): ReplayReport {
  const comparison = baseline === undefined ? undefined : compareWithBaseline(results, baseline.accepted, baseline.file, options.strict);
  const marked = comparison === undefined ? results : results.map((result, i) => markAccepted(result, comparison.accepted[i]!));
  return {
    schema: REPLAY_REPORT_SCHEMA, version: 1, options: { strict: options.strict },
    verdict: overallVerdict(marked.map((r) => traceVerdict(r, options))),
    results: marked,
    ...(comparison === undefined ? {} : { baseline: comparison.summary }),
  };
}

function markAccepted(result: ReplayResult, accepted: ReadonlySet<Divergence | EventDivergence | FrameDivergence>): ReplayResult {
  if (accepted.size === 0) return result;
  return {
    ...result,
    divergences: result.divergences.map((d) => (accepted.has(d) ? { ...d, accepted: true } : d)),
    events: { ...result.events, divergences: result.events.divergences.map((d) => (accepted.has(d) ? { ...d, accepted: true } : d)) },
    ...(result.frames === undefined ? {} : {
      frames: { ...result.frames, divergences: result.frames.divergences.map((d) => (accepted.has(d) ? { ...d, accepted: true as const } : d)) },
    }),
  };
}

function overallVerdict(verdicts: readonly ReplayVerdict[]): ReplayVerdict {
  if (verdicts.includes('INCOMPLETE')) return 'INCOMPLETE';
  return verdicts.includes('FAIL') ? 'FAIL' : 'PASS';
}
