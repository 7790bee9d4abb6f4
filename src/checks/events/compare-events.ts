// The device-event check of a replay: walks the recording in order and compares, place by place,
// what the recording QEMU logged with what the target logged — at each replayed access, at each
// stretch of time the replay let run (pooled from one timer marker to the next, since timers may
// fire in another order), and before the first access (realize and reset). Follows what unreplayed
// packets left behind (traffic-taint.ts) to explain exactly those differences.

import type { Access, SideEvent, TraceRecord } from '../../model/access.js';
import type { EventDivergence, EventPlace, EventTally, TargetEventLog, TimeSegment } from '../../model/events.js';
import type { RegisterDatabase } from '../../regs/database.js';
import { comparePlace, type PlaceComparison } from './compare-place.js';
import { deviceEvent, isPacketEvent, type DeviceEvent } from './device-event.js';
import { EICR, ICR, TrafficTaint } from './traffic-taint.js';

/** One window of the replay: records of the recording, what was sent for them, what the target logged. */
export interface EventCheckWindow {
  readonly records: readonly TraceRecord[];
  /** The accesses the replay sent for these records, in order (a folded polling loop repeats its first read). */
  readonly places: readonly Access[];
  /** The replay-wide number of the first of `places` (the target's log numbers places from the start). */
  readonly placeBase: number;
  /** What the target logged while these were sent (its start on the first window). */
  readonly target: TargetEventLog;
  /** The value a replayed read of this window returned, by seq. */
  readonly actualOf: (seq: number) => number | undefined;
}

export interface EventCheckResult {
  readonly divergences: EventDivergence[];
  readonly tally: EventTally;
}

const TIMER_SUBJECT = /^EITR\(\d+\) throttling timer$/;

function opposite(a: string, b: string): boolean {
  return (a === 'event-missing' && b === 'event-extra') || (a === 'event-extra' && b === 'event-missing');
}

const NOT_REPLAYED = 'the access is not replayed (PHY access, BAR programming)';
const RECEIVED = 'a received packet: the register replay injects no frames (what it did to the interrupt state is followed)';
const NO_EVENTS: readonly DeviceEvent[] = [];

/** Reads that clear the cause register say so in an event of theirs. */
const CLEARS_ON_READ = /icr_clear|_clear_zero_ims|_clear_nonmsix/;

class Walk {
  readonly divergences: EventDivergence[] = [];
  readonly excluded = new Map<string, number>();
  readonly explainedReads = new Map<number, string>();
  compared = 0;
  readonly taint = new TrafficTaint();
  private recordedPool: { events: SideEvent[]; line: number; seq: number; kinds: Set<string> } | undefined;
  private targetPool: SideEvent[] = [];
  /** Time segments the target logged that no access has passed yet. */
  private segments: TimeSegment[] = [];
  /** Throttling-timer differences of the last time pool, which the next pool may cancel. */
  private unmatchedTimers: EventDivergence[] = [];

  constructor(private readonly registers: RegisterDatabase) {}

  logged(segments: readonly TimeSegment[]): void {
    this.segments.push(...segments);
  }

  exclude(reason: string, count: number): void {
    if (count > 0) this.excluded.set(reason, (this.excluded.get(reason) ?? 0) + count);
  }

  add(result: PlaceComparison): void {
    this.divergences.push(...result.divergences);
    for (const d of result.divergences) {
      const vector = d.class === 'explained-by-traffic' ? /^MSI-X vector (\d+)$/.exec(d.subject) : null;
      if (vector !== null) this.taint.notifiedOnOneSide(Number(vector[1]), d.line);
    }
    this.compared += result.compared;
    for (const [reason, count] of result.excluded) this.exclude(reason, count);
  }

  /**
   * A recorded marker. A received packet's events have no counterpart (the replay injects no
   * frames): they are left out, and what they did to the interrupt state is followed at once, in
   * trace order. Any other marker's events wait for the next stretch of time the target ran, and are
   * followed when compared there.
   */
  pool(events: readonly SideEvent[], line: number, seq: number, kind: string): void {
    const packet = events.find(isPacketEvent);
    if (packet !== undefined) {
      this.exclude(RECEIVED, events.length);
      this.taint.observe(events.map(deviceEvent).filter((e): e is DeviceEvent => e !== undefined), packet.line, undefined, false);
      return;
    }
    const pool = this.recordedPool ?? { events: [], line, seq, kinds: new Set<string>() };
    pool.events.push(...events);
    pool.kinds.add(kind);
    this.recordedPool = pool;
  }

  /**
   * Target time segments that happened before place `place`. Everything time did between two
   * accesses is one pool on each side (timers may fire in another order, or two recorded markers
   * be one stretch of time); a gap where the replay let time run for a recorded marker closes it.
   * Time run only for a polling loop does not: what fired then is compared at the next marker.
   */
  timeBefore(place: number): void {
    let markerRan = false;
    let used = 0;
    while (used < this.segments.length && this.segments[used]!.afterPlace <= place) {
      const segment = this.segments[used++]!;
      this.targetPool.push(...segment.events);
      markerRan ||= segment.cause === 'marker';
    }
    if (used > 0) this.segments = this.segments.slice(used);
    if (markerRan) this.closePool();
  }

  /**
   * A throttling timer of a few hundred microseconds may fire in the stretch of time before or after
   * the one it fired in when recorded (a replay controls time only at markers): a timer missing in
   * one time pool and extra for the same vector in the next (or the other way round) fired once on
   * each side, and is no difference.
   */
  private cancelShiftedTimers(divergences: readonly EventDivergence[]): EventDivergence[] {
    const previous = this.unmatchedTimers;
    const kept: EventDivergence[] = [];
    const cancelled = new Set<EventDivergence>();
    for (const d of divergences) {
      const match = TIMER_SUBJECT.test(d.subject)
        ? previous.find((p) => !cancelled.has(p) && p.subject === d.subject && opposite(p.class, d.class)) : undefined;
      if (match === undefined) kept.push(d);
      else cancelled.add(match);
    }
    if (cancelled.size > 0) this.divergences.splice(0, this.divergences.length, ...this.divergences.filter((d) => !cancelled.has(d)));
    this.unmatchedTimers = kept.filter((d) => TIMER_SUBJECT.test(d.subject) && (d.class === 'event-missing' || d.class === 'event-extra'));
    return kept;
  }

  closePool(): void {
    const pool = this.recordedPool;
    if (pool === undefined && this.targetPool.length === 0) return;
    const line = pool?.line ?? 0;
    const place: EventPlace = { kind: 'time', marker: pool === undefined ? 'none recorded' : [...pool.kinds].join(', ') };
    const result = comparePlace({ line, seq: pool?.seq ?? -1, place, taint: this.taint, registers: this.registers },
      pool?.events ?? [], this.targetPool);
    this.add({ ...result, divergences: this.cancelShiftedTimers(result.divergences) });
    this.taint.observe(result.recorded, undefined);
    this.recordedPool = undefined;
    this.targetPool = [];
  }
}

/**
 * The device-event check, fed the replay window by window (src/replay/run.ts) and finished once:
 * what crosses windows (the traffic taint, open time pools, the start) is kept here.
 */
export class DeviceEventCheck {
  private readonly walk: Walk;
  /** The recording's events before its first access, until the first access is seen. */
  private startRecorded: SideEvent[] = [];
  private startTarget: readonly SideEvent[] = [];
  private startCompared = false;

  constructor(private readonly registers: RegisterDatabase) {
    this.walk = new Walk(registers);
  }

  /** Checks one window; returns the ICR/EICR reads of it whose difference unreplayed packets explain, by seq. */
  window(input: EventCheckWindow): ReadonlyMap<number, string> {
    const walk = this.walk;
    walk.explainedReads.clear();
    if (input.target.start.length > 0) this.startTarget = input.target.start;
    walk.logged(input.target.time);
    const placesOf = placesBySeq(input.places, input.placeBase);
    for (const record of input.records) {
      if (record.type === 'marker') {
        if (record.afterSeq >= 0) walk.pool(record.events, record.line, record.afterSeq, record.kind);
        else this.startRecorded.push(...record.events);
        continue;
      }
      this.compareStart();
      const places = placesOf.get(record.seq);
      if (places === undefined) {
        walk.exclude(NOT_REPLAYED, record.events.length);
        continue;
      }
      walk.timeBefore(places[0]!);
      const targetEvents = places.flatMap((p) => input.target.byPlace.get(p) ?? []);
      // A read whose value differs only by what packets set differs in what it does for the same reason.
      const packetLine = record.events.find(isPacketEvent)?.line ?? explainRead(walk, record, input.actualOf(record.seq));
      if (record.events.length === 0 && targetEvents.length === 0) {
        // Most accesses: nothing to compare (comparePlace would find nothing), only the read to follow.
        walk.taint.observe(NO_EVENTS, undefined, causeRead(record));
        continue;
      }
      const result = comparePlace({
        line: record.line, seq: record.seq, taint: walk.taint, registers: this.registers,
        place: { kind: 'access', access: record.kind, register: this.registers.lookupOffset(record.offset)?.name ?? `0x${record.offset.toString(16)}`, value: record.value },
        ...(packetLine === undefined ? {} : { packetLine }),
      }, record.events, targetEvents);
      walk.add(result);
      walk.taint.observe(result.recorded, record.events.find(isPacketEvent)?.line, causeRead(record));
    }
    return new Map(walk.explainedReads);
  }

  finish(): EventCheckResult {
    const walk = this.walk;
    this.compareStart();
    walk.timeBefore(Number.POSITIVE_INFINITY);
    walk.closePool();
    return {
      divergences: walk.divergences,
      tally: { compared: walk.compared, excluded: [...walk.excluded].map(([reason, events]) => ({ reason, events })).sort((a, b) => b.events - a.events) },
    };
  }

  /** Realize and reset: compared once, before the first access (or at the end of a trace without one). */
  private compareStart(): void {
    if (this.startCompared) return;
    this.startCompared = true;
    const events = this.startRecorded;
    this.startRecorded = [];
    this.walk.add(comparePlace({ line: events[0]?.line ?? 0, seq: -1, place: { kind: 'start' }, taint: this.walk.taint, registers: this.registers },
      events, this.startTarget));
  }
}

/** The whole check over a replay held in memory at once (one window). */
export function compareDeviceEvents(input: Omit<EventCheckWindow, 'placeBase'> & { readonly registers: RegisterDatabase }): EventCheckResult & { readonly explainedReads: ReadonlyMap<number, string> } {
  const check = new DeviceEventCheck(input.registers);
  const explainedReads = check.window({ ...input, placeBase: 0 });
  return { ...check.finish(), explainedReads };
}

function placesBySeq(places: readonly Access[], base: number): Map<number, number[]> {
  const bySeq = new Map<number, number[]>();
  places.forEach((access, i) => {
    const index = base + i;
    const list = bySeq.get(access.seq);
    if (list === undefined) bySeq.set(access.seq, [index]);
    else list.push(index);
  });
  return bySeq;
}

/** A read of ICR/EICR, with what it returned in the recording and whether it cleared the register. */
function causeRead(access: Access): { register: number; value: number; cleared: boolean } | undefined {
  if (access.kind !== 'read' || access.space !== 'mmio' || (access.offset !== ICR && access.offset !== EICR)) return undefined;
  return { register: access.offset, value: access.value, cleared: access.events.some((e) => CLEARS_ON_READ.test(e.name)) };
}

/** For a read of ICR/EICR differing only in bits packets set: records why, and gives the packet's line. */
function explainRead(walk: Walk, access: Access, actual: number | undefined): number | undefined {
  const read = causeRead(access);
  if (read === undefined || actual === undefined || actual === access.value) return undefined;
  const line = walk.taint.explainsBits(read.register, (actual ^ access.value) >>> 0);
  if (line !== undefined) {
    walk.explainedReads.set(access.seq, `the differing bits were set by a packet the recording moved at line ${line.toLocaleString('en-US')}, which a register replay does not send`);
  }
  return line;
}
