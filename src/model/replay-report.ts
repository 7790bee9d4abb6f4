// The report of one `replay` command: every trace's result, the options that decide what fails,
// and the baseline comparison. Text, JSON (this object, serialized), JUnit and HTML all render it
// and nothing else. Pure types and the predicates every renderer shares (docs/json-schemas.md).

import { isFailing, type Divergence, type ReplayResult } from './replay.js';
import { isFailingEvent, type EventDivergence } from './events.js';
import type { ShardInfo } from './shard.js';
import { isFailingFrame, type FrameDivergence } from './frames.js';

export const REPLAY_REPORT_SCHEMA = 'igb-replay/replay-report';

/** PASS: nothing failing; FAIL: a failing divergence no baseline accepts; INCOMPLETE: a replay stopped early. */
export type ReplayVerdict = 'PASS' | 'FAIL' | 'INCOMPLETE';

/** How the run compares with a `--baseline` file (absent with `--update-baseline`). */
export interface BaselineSummary {
  readonly file: string;
  /** Failing divergences the baseline accepts. */
  readonly accepted: number;
  /** Keys of failing divergences not in the baseline: these fail the run. */
  readonly new: readonly string[];
  /** Baseline keys (of the replayed traces) that no longer occur. */
  readonly fixed: readonly string[];
}

export interface ReplayReportOptions {
  /** --strict: volatile divergences fail too. */
  readonly strict: boolean;
}

export interface ReplayReport {
  readonly schema: typeof REPLAY_REPORT_SCHEMA;
  readonly version: 1;
  readonly options: ReplayReportOptions;
  /** Over all traces: INCOMPLETE if any stopped early, else FAIL if any failed, else PASS. */
  readonly verdict: ReplayVerdict;
  /** One per trace, in command-line order; with a baseline, accepted divergences say so (`accepted`). */
  readonly results: readonly ReplayResult[];
  readonly baseline?: BaselineSummary;
  /** With `--shard i/n`: where these traces sit in the whole corpus (for `merge`). */
  readonly shard?: ShardInfo;
}

/** Whether a divergence fails the run: a failing class (see isFailing) that no baseline accepts. */
export function failsRun(d: Divergence, options: ReplayReportOptions): boolean {
  return isFailing(d.class, options) && d.accepted !== true;
}

/** The divergences of a result that fail the run, in trace order. */
export function failingDivergences(result: ReplayResult, options: ReplayReportOptions): Divergence[] {
  return result.divergences.filter((d) => failsRun(d, options));
}

/** Divergences of a result its report's baseline accepts. */
export function acceptedCount(result: ReplayResult): number {
  return result.divergences.reduce((n, d) => n + (d.accepted === true ? 1 : 0), 0);
}

/** Whether a device-event difference fails the run (see isFailingEvent) with no baseline accepting it. */
export function eventFailsRun(d: EventDivergence, options: ReplayReportOptions): boolean {
  return isFailingEvent(d.class, options) && d.accepted !== true;
}

/** The device-event differences of a result that fail the run, in trace order. */
export function failingEvents(result: ReplayResult, options: ReplayReportOptions): EventDivergence[] {
  return result.events.divergences.filter((d) => eventFailsRun(d, options));
}

/** Whether a frame difference fails the run: every class does, unless a baseline accepts it. */
export function frameFailsRun(d: FrameDivergence): boolean {
  return isFailingFrame(d.class) && d.accepted !== true;
}

/** The frame differences of a result that fail the run, in trace order. */
export function failingFrames(result: ReplayResult): FrameDivergence[] {
  return (result.frames?.divergences ?? []).filter(frameFailsRun);
}

export function traceVerdict(result: ReplayResult, options: ReplayReportOptions): ReplayVerdict {
  if (!result.completed) return 'INCOMPLETE';
  const failing = result.divergences.some((d) => failsRun(d, options)) || result.events.divergences.some((d) => eventFailsRun(d, options))
    || failingFrames(result).length > 0;
  return failing ? 'FAIL' : 'PASS';
}
