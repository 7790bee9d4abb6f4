// Comparing a run with a baseline: which failing divergences it accepts, which are new, and which
// baseline entries no longer occur ("fixed since the baseline"). Pure functions.

import type { ReplayResult } from '../model/replay.js';
import { keyedDivergences, traceKeyPart, traceOfKey } from './key.js';

/** The report-level summary written to the JSON report and shown in the text report. */
export interface BaselineSummary {
  readonly file: string;
  /** Failing divergences the baseline accepts. */
  readonly accepted: number;
  /** Keys of failing divergences not in the baseline: these fail the run. */
  readonly new: readonly string[];
  /** Baseline keys (of the replayed traces) that no longer occur. */
  readonly fixed: readonly string[];
}

export interface BaselineComparison {
  readonly summary: BaselineSummary;
  /** Seqs of accepted divergences, per trace path as given: renderers mark them. */
  readonly acceptedSeqs: ReadonlyMap<string, ReadonlySet<number>>;
}

export function compareWithBaseline(
  results: readonly ReplayResult[], accepted: readonly string[], file: string, strict: boolean,
): BaselineComparison {
  const baseline = new Set(accepted);
  const occurring = new Set<string>();
  const acceptedSeqs = new Map<string, Set<number>>();
  const fresh: string[] = [];
  let acceptedCount = 0;
  for (const result of results) {
    const seqs = new Set<number>();
    for (const { key, divergence } of keyedDivergences(result, strict)) {
      occurring.add(key);
      if (baseline.has(key)) {
        acceptedCount++;
        seqs.add(divergence.seq);
      } else fresh.push(key);
    }
    acceptedSeqs.set(result.trace, seqs);
  }
  // Only traces replayed to the end can tell that an entry no longer occurs.
  const covered = new Set(results.filter((r) => r.completed).map((r) => traceKeyPart(r.trace)));
  const fixed = accepted.filter((key) => covered.has(traceOfKey(key)) && !occurring.has(key));
  return { summary: { file, accepted: acceptedCount, new: fresh, fixed }, acceptedSeqs };
}

/**
 * The new baseline's keys: the current failing divergences, plus the entries of an old baseline
 * for traces not replayed this time (updating with one trace keeps the others' entries).
 */
export function updatedBaseline(results: readonly ReplayResult[], previous: readonly string[], strict: boolean): string[] {
  const replayed = new Set(results.map((r) => traceKeyPart(r.trace)));
  const kept = previous.filter((key) => !replayed.has(traceOfKey(key)));
  return [...kept, ...results.flatMap((r) => keyedDivergences(r, strict).map((k) => k.key))];
}
