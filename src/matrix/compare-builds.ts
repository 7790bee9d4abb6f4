// What changed on one trace from a reference build to another: failing divergences new and fixed
// (by their baseline keys, which survive the line shifts of a re-recorded trace, src/baseline/key.ts),
// failing divergences both builds have with other values, whether every read came back the same,
// and the device events each build logged compared place by place. Reads come first: a read is
// what the driver acts on, while events that differ where every read is the same changed only what
// the device did on the side (an interrupt more, a throttling timer). Pure.

import { deviceRow } from '../devices/table.js';
import { keyedDivergences, type KeyedDivergence } from '../baseline/key.js';
import type { EventDivergence } from '../model/events.js';
import type { BuildComparison, BuildEventComparison, ComparisonVerdict, KeyedChange, ValueChange } from '../model/matrix-report.js';
import type { Divergence, ReplayResult } from '../model/replay.js';
import { registersFor } from '../regs/database.js';
import { comparePlace } from '../checks/events/compare-place.js';
import { TrafficTaint } from '../checks/events/traffic-taint.js';
import { stopOrder, type BuildEvents, type EventStop } from './build-events.js';
import { ThrottledVectors } from '../checks/events/throttled-vectors.js';
import { HeldTimers } from '../checks/events/held-timers.js';
import { isDeviceReset, ShiftedTimers } from '../checks/events/shifted-timers.js';

export interface BuildPair {
  readonly reference: ReplayResult;
  readonly candidate: ReplayResult;
  /** Each build's own events, when it logged them (undefined: not kept). */
  readonly referenceEvents?: BuildEvents;
  readonly candidateEvents?: BuildEvents;
  /** Build labels, for the reasons of event differences. */
  readonly labels: readonly [string, string];
  readonly indexes: readonly [number, number];
  readonly strict: boolean;
}

export function compareBuilds(pair: BuildPair): BuildComparison {
  const reference = byKey(keyedDivergences(pair.reference, pair.strict));
  const candidate = byKey(keyedDivergences(pair.candidate, pair.strict));
  const fresh: KeyedChange[] = [];
  const changed: ValueChange[] = [];
  for (const [key, d] of candidate) {
    const before = reference.get(key);
    if (before === undefined) fresh.push(keyed(key, d));
    else if (valueOf(before) !== valueOf(d)) changed.push({ key, kind: kindOf(d), reference: before, candidate: d });
  }
  const fixed = [...reference].filter(([key]) => !candidate.has(key)).map(([key, d]) => keyed(key, d));
  const events = compareEvents(pair);
  const readsIdentical = sameReads(pair.reference, pair.candidate);
  return {
    reference: pair.indexes[0], candidate: pair.indexes[1],
    verdict: verdictOf(pair, fresh.length, fixed.length + changed.length + events.differences.length + (readsIdentical ? 0 : 1)),
    new: readsFirst(fresh), fixed: readsFirst(fixed), changed: readsFirst(changed), readsIdentical, events,
  };
}

function verdictOf(pair: BuildPair, fresh: number, otherChanges: number): ComparisonVerdict {
  if (!pair.reference.completed || !pair.candidate.completed) return 'incomplete';
  if (fresh > 0) return 'regressed';
  return otherChanges > 0 ? 'changed' : 'same';
}

/** Reads and device events; frame differences (the data path) are not compared between builds yet. */
function byKey(keyed: readonly KeyedDivergence[]): Map<string, Divergence | EventDivergence> {
  const entries: [string, Divergence | EventDivergence][] = [];
  for (const k of keyed) if (!('direction' in k.divergence)) entries.push([k.key, k.divergence]);
  return new Map(entries);
}

function kindOf(d: Divergence | EventDivergence): 'read' | 'event' {
  return 'register' in d ? 'read' : 'event';
}

function keyed(key: string, d: Divergence | EventDivergence): KeyedChange {
  return { key, kind: kindOf(d), divergence: d };
}

/** What a failing divergence came out as on one build: the value read, or what the events said. */
function valueOf(d: Divergence | EventDivergence): string {
  return `${d.class} ${String(d.actual)}`;
}

function readsFirst<T extends { readonly kind: 'read' | 'event' }>(list: readonly T[]): T[] {
  return [...list.filter((c) => c.kind === 'read'), ...list.filter((c) => c.kind === 'event')];
}

/**
 * Whether both builds returned the same value for every read. A read absent from the divergences
 * matched the recording; volatile registers (free-running clocks, statistics) are left out: they
 * differ from run to run of one build.
 */
function sameReads(a: ReplayResult, b: ReplayResult): boolean {
  const values = (r: ReplayResult): Map<number, number> => new Map(r.divergences.filter((d) => d.class !== 'volatile').map((d) => [d.seq, d.actual]));
  const va = values(a);
  const vb = values(b);
  if (va.size !== vb.size) return false;
  for (const [seq, value] of va) if (vb.get(seq) !== value) return false;
  return true;
}

function compareEvents(pair: BuildPair): BuildEventComparison {
  const a = pair.referenceEvents;
  const b = pair.candidateEvents;
  if (a === undefined || b === undefined) return { compared: false, note: 'the builds\' own events were not kept', events: 0, differences: [] };
  const note = a.note !== undefined ? `${pair.labels[0]}: ${a.note}` : b.note !== undefined ? `${pair.labels[1]}: ${b.note}` : undefined;
  if (note !== undefined) return { compared: false, note, events: 0, differences: [] };
  // In markers time (and only there) where a short timer fires depends on wall time: see BuildEventComparison.shiftedTimers.
  const wallTimed = pair.reference.target.timeMode === 'markers' || pair.candidate.target.timeMode === 'markers';
  return compareBuildEvents(a, b, pair.labels, { pairShiftedTimers: wallTimed });
}

/**
 * Both builds' events, place by place, with the reference as the expected side. `pairShiftedTimers`:
 * a throttling-timer firing one build made a stretch of time before or after the other is one
 * firing on each side (ShiftedTimers, as against a recording), counted apart, not a difference.
 */
export function compareBuildEvents(a: BuildEvents, b: BuildEvents, labels: readonly [string, string],
  options: { readonly pairShiftedTimers?: boolean } = {}): BuildEventComparison {
  const registers = registersFor(a.model);
  // Never fed: nothing is explained by traffic or frozen time, since both builds replayed alike.
  const msix = deviceRow(a.model).msix;
  const taint = new TrafficTaint(msix);
  const held = new HeldTimers(msix);
  const throttled = new ThrottledVectors(msix);
  const stopsA = new Map(a.stops.map((s) => [s.key, s]));
  const stopsB = new Map(b.stops.map((s) => [s.key, s]));
  const keys = [...new Set([...stopsA.keys(), ...stopsB.keys()])].sort((x, y) => stopOrder(x) - stopOrder(y));
  let differences: EventDivergence[] = [];
  /** Each difference as the pairing knows it (comparePlace's), to the one reported (with the builds' reason and phase). */
  const reported = new Map<EventDivergence, EventDivergence>();
  let events = 0;
  const shifted = options.pairShiftedTimers === true ? new ShiftedTimers() : undefined;
  let shiftedCount = 0;
  for (const key of keys) {
    const sa = stopsA.get(key);
    const sb = stopsB.get(key);
    const stop = (sa ?? sb) as EventStop;
    const result = comparePlace({ line: stop.line, seq: stop.seq, place: stop.place, taint, held, throttled, registers }, sa?.events ?? [], sb?.events ?? []);
    events += result.compared;
    let found = result.divergences;
    if (shifted !== undefined && stop.place.kind === 'time') {
      const { kept, cancelled } = shifted.pool(found, [...result.recorded, ...result.target]);
      // Not counted: the earlier stretches' events paired here, and this one's that paired with them.
      shiftedCount += cancelled.size + found.length - kept.length;
      if (cancelled.size > 0) {
        const gone = new Set([...cancelled].map((d) => reported.get(d)));
        differences = differences.filter((d) => !gone.has(d));
      }
      found = kept;
    } else if (shifted !== undefined) {
      shifted.atAccess(found);
      if (isDeviceReset(sa?.events ?? []) || isDeviceReset(sb?.events ?? [])) shifted.reset(stop.line);
    }
    for (const d of found) {
      const difference = { ...d, reason: buildReason(d, labels), ...(stop.phase === undefined ? {} : { phase: stop.phase }) };
      reported.set(d, difference);
      differences.push(difference);
    }
  }
  return { compared: true, events, differences, ...(shiftedCount > 0 ? { shiftedTimers: shiftedCount } : {}) };
}

/** The check's reasons speak of "the recording" and "the target"; here both sides are builds. */
function buildReason(d: EventDivergence, [a, b]: readonly [string, string]): string {
  switch (d.class) {
    case 'interrupt-missing': return `${a} sent this interrupt here; ${b} did not`;
    case 'interrupt-extra': return `${b} sent an interrupt here that ${a} did not`;
    case 'cause-differs': return `${d.subject} went to another value on ${b} than on ${a}`;
    case 'event-missing': return `${a} logged this here; ${b} did not`;
    case 'event-extra': return `only ${b} logged this here`;
    default: return `the same event with other values on ${b} than on ${a}`;
  }
}
