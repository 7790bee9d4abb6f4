// Comparing a run with a baseline: which failing divergences it accepts, which are new, and which
// baseline entries no longer occur ("fixed since the baseline"). Pure functions.

import type { BaselineSummary } from '../model/replay-report.js';
import type { Divergence, ReplayResult } from '../model/replay.js';
import type { EventDivergence } from '../model/events.js';
import type { FrameDivergence } from '../model/frames.js';
import { keyedDivergences, traceKeyPart, traceOfKey } from './key.js';

export interface BaselineComparison {
  readonly summary: BaselineSummary;
  /** The divergences (reads and events) the baseline accepts, per result (same order as the results). */
  readonly accepted: readonly ReadonlySet<Divergence | EventDivergence | FrameDivergence>[];
}

export function compareWithBaseline(
  results: readonly ReplayResult[], accepted: readonly string[], file: string, strict: boolean,
): BaselineComparison {
  const baseline = new Set(accepted);
  const occurring = new Set<string>();
  const acceptedPerResult: Set<Divergence | EventDivergence | FrameDivergence>[] = [];
  const fresh: string[] = [];
  let acceptedCount = 0;
  for (const result of results) {
    const mine = new Set<Divergence | EventDivergence | FrameDivergence>();
    for (const { key, divergence } of keyedDivergences(result, strict)) {
      occurring.add(key);
      if (baseline.has(key)) {
        acceptedCount++;
        mine.add(divergence);
      } else fresh.push(key);
    }
    acceptedPerResult.push(mine);
  }
  // Only traces replayed to the end can tell that an entry no longer occurs.
  const covered = new Set(results.filter((r) => r.completed).map((r) => traceKeyPart(r.trace)));
  const fixed = accepted.filter((key) => covered.has(traceOfKey(key)) && !occurring.has(key));
  return { summary: { file, accepted: acceptedCount, new: fresh, fixed }, accepted: acceptedPerResult };
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
