// The report of one `replay` command against several QEMU builds (`--qemu A --qemu B …`): every
// trace replayed on every build, and per trace what changed from the reference build (the first)
// to each other one — failing divergences new in it and fixed in it (keyed as baselines key them,
// src/baseline/key.ts), read values that changed, and device events the two builds logged
// differently. Text, JSON (this object), JUnit (a suite per build) and HTML render it. Pure types
// and the predicates renderers share (docs/json-schemas.md).

import type { Divergence, ReplayResult } from './replay.js';
import type { EventDivergence } from './events.js';
import type { ReplayReportOptions } from './replay-report.js';
import type { ShardInfo } from './shard.js';

export const MATRIX_REPORT_SCHEMA = 'igb-replay/matrix-report';

/**
 * Over all traces and builds: INCOMPLETE if a replay stopped early; REGRESSED if a build has a
 * failing divergence the reference build does not have (exit 1); CHANGED if builds differ otherwise
 * (fixed divergences, changed values, device events); SAME if no build differs from the reference.
 */
export type MatrixVerdict = 'SAME' | 'CHANGED' | 'REGRESSED' | 'INCOMPLETE';

/** How one build compares with the reference on one trace (same meanings as MatrixVerdict). */
export type ComparisonVerdict = 'same' | 'changed' | 'regressed' | 'incomplete';

export interface MatrixBuild {
  /** `A`, `B`, … or the name given with `--qemu NAME=PATH`. */
  readonly label: string;
  /** The binary as resolved (the path given, $QTEST_QEMU_BINARY, or qemu-system-x86_64 on PATH). */
  readonly binary: string;
  readonly version: string;
  readonly qtestAccelerator: boolean;
}

/** A failing divergence with its baseline key: `kind` says whether of a read or of device events. */
export interface KeyedChange {
  readonly key: string;
  readonly kind: 'read' | 'event';
  readonly divergence: Divergence | EventDivergence;
}

/** A failing divergence both builds have (same key) with different values on each. */
export interface ValueChange {
  readonly key: string;
  readonly kind: 'read' | 'event';
  readonly reference: Divergence | EventDivergence;
  readonly candidate: Divergence | EventDivergence;
}

/**
 * The device events of two builds compared directly, place by place: `differences` use the event
 * classes with the reference build as the expected side (interrupt-missing: the reference sent an
 * interrupt the candidate did not).
 */
export interface BuildEventComparison {
  /** False when either build's events could not be placed; `note` says why. */
  readonly compared: boolean;
  readonly note?: string;
  /** Typed events compared, both builds together. */
  readonly events: number;
  readonly differences: readonly EventDivergence[];
  /**
   * Throttling-timer firings (with their EIAC clears) one build made a stretch of time before or
   * after the other, not counted as differences: in markers time a stretch of time runs for wall
   * time, so which one a short timer falls into varies from run to run of one build. Absent: none,
   * or the builds ran in clock-step time, where such a shift is a difference.
   */
  readonly shiftedTimers?: number;
}

export interface BuildComparison {
  /** Indexes into MatrixReport.builds. */
  readonly reference: number;
  readonly candidate: number;
  readonly verdict: ComparisonVerdict;
  /** Failing divergences (reads, then device events against the recording) only the candidate has: regressions. */
  readonly new: readonly KeyedChange[];
  /** Failing divergences only the reference has. */
  readonly fixed: readonly KeyedChange[];
  readonly changed: readonly ValueChange[];
  /** Every read returned the same value on both builds (volatile registers aside). */
  readonly readsIdentical: boolean;
  readonly events: BuildEventComparison;
}

export interface MatrixTrace {
  readonly trace: string;
  /** One per build, in build order. */
  readonly results: readonly ReplayResult[];
  /** One per build after the reference, against the reference. */
  readonly comparisons: readonly BuildComparison[];
}

export interface MatrixReport {
  readonly schema: typeof MATRIX_REPORT_SCHEMA;
  readonly version: 1;
  readonly options: ReplayReportOptions;
  /** The reference build first. */
  readonly builds: readonly MatrixBuild[];
  /** How virtual time was controlled when the builds would have differed (one has the qtest accelerator, one not). */
  readonly timeNote?: string;
  readonly verdict: MatrixVerdict;
  /** In corpus order. */
  readonly traces: readonly MatrixTrace[];
  readonly shard?: ShardInfo;
}

export function isMatrixReport(value: unknown): value is MatrixReport {
  return typeof value === 'object' && value !== null && (value as { schema?: unknown }).schema === MATRIX_REPORT_SCHEMA;
}
