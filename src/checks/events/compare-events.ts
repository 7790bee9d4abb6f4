// The device-event check of a replay: walks the recording in order and compares, place by place,
// what the recording QEMU logged with what the target logged — at each replayed access, at each
// stretch of time the replay let run (pooled from one timer marker to the next, since timers may
// fire in another order), and before the first access (realize and reset). Follows what unreplayed
// packets left behind (traffic-taint.ts) to explain exactly those differences.

import type { Access, SideEvent, TraceRecord } from '../../model/access.js';
import type { EventDivergence, EventPlace, EventTally } from '../../model/events.js';
import type { RegisterDatabase } from '../../regs/database.js';
import { comparePlace, type PlaceComparison } from './compare-place.js';
import { isPacketEvent } from './device-event.js';
import { EICR, ICR, TrafficTaint } from './traffic-taint.js';

/** A stretch of time the target ran: where (after how many places were sent) and why. */
export interface TimeSegment {
  readonly afterPlace: number;
  /** `marker`: time ran where the recording shows a timer or host event; `poll`: for a folded polling loop. */
  readonly cause: 'marker' | 'poll';
  readonly events: readonly SideEvent[];
}

/** What the target QEMU logged, placed by what the replay sent. */
export interface TargetEventLog {
  /** Before the first replayed access: realize, reset, the replay's own PCI set-up. */
  readonly start: readonly SideEvent[];
  /** Events of each place (index into the places sent), only where there were any. */
  readonly byPlace: ReadonlyMap<number, readonly SideEvent[]>;
  readonly time: readonly TimeSegment[];
}

export interface EventCheckInput {
  readonly records: readonly TraceRecord[];
  /** The accesses the replay sent, in order (a folded polling loop repeats its first read). */
  readonly places: readonly Access[];
  readonly target: TargetEventLog;
  readonly registers: RegisterDatabase;
  /** The value a replayed read returned, by seq. */
  readonly actualOf: (seq: number) => number | undefined;
}

export interface EventCheckResult {
  readonly divergences: EventDivergence[];
  readonly tally: EventTally;
  /** Reads of ICR/EICR whose difference is exactly what unreplayed packets set, by seq, with the reason. */
  readonly explainedReads: ReadonlyMap<number, string>;
}

const NOT_REPLAYED = 'the access is not replayed (PHY access, BAR programming, config read)';
/** Reads that clear the cause register say so in an event of theirs. */
const CLEARS_ON_READ = /icr_clear|_clear_zero_ims|_clear_nonmsix/;

class Walk {
  readonly divergences: EventDivergence[] = [];
  readonly excluded = new Map<string, number>();
  readonly explainedReads = new Map<number, string>();
  compared = 0;
  readonly taint = new TrafficTaint();
  private recordedPool: { events: SideEvent[]; line: number; seq: number; packetLine?: number; kinds: Set<string> } | undefined;
  private targetPool: SideEvent[] = [];
  private nextSegment = 0;

  constructor(private readonly input: EventCheckInput) {}

  exclude(reason: string, count: number): void {
    if (count > 0) this.excluded.set(reason, (this.excluded.get(reason) ?? 0) + count);
  }

  add(result: PlaceComparison): void {
    this.divergences.push(...result.divergences);
    this.compared += result.compared;
    for (const [reason, count] of result.excluded) this.exclude(reason, count);
  }

  /** A recorded marker: its events wait for the next stretch of time the target ran. */
  pool(events: readonly SideEvent[], line: number, seq: number, kind: string): void {
    const pool = this.recordedPool ?? { events: [], line, seq, kinds: new Set<string>() };
    pool.events.push(...events);
    pool.kinds.add(kind);
    const packet = events.find(isPacketEvent);
    if (packet !== undefined && pool.packetLine === undefined) pool.packetLine = packet.line;
    this.recordedPool = pool;
  }

  /**
   * Target time segments that happened before place `place`. Everything time did between two
   * accesses is one pool on each side (timers may fire in another order, or two recorded markers
   * be one stretch of time); a gap where the replay let time run for a recorded marker closes it.
   * Time run only for a polling loop does not: what fired then is compared at the next marker.
   */
  timeBefore(place: number): void {
    const segments = this.input.target.time;
    let markerRan = false;
    while (this.nextSegment < segments.length && segments[this.nextSegment]!.afterPlace <= place) {
      const segment = segments[this.nextSegment++]!;
      this.targetPool.push(...segment.events);
      markerRan ||= segment.cause === 'marker';
    }
    if (markerRan) this.closePool();
  }

  closePool(): void {
    const pool = this.recordedPool;
    if (pool === undefined && this.targetPool.length === 0) return;
    const line = pool?.line ?? 0;
    const place: EventPlace = { kind: 'time', marker: pool === undefined ? 'none recorded' : [...pool.kinds].join(', ') };
    const result = comparePlace({ line, seq: pool?.seq ?? -1, place, taint: this.taint, registers: this.input.registers,
      ...(pool?.packetLine === undefined ? {} : { packetLine: pool.packetLine }) }, pool?.events ?? [], this.targetPool);
    this.add(result);
    this.taint.observe(result.recorded, pool?.packetLine);
    this.recordedPool = undefined;
    this.targetPool = [];
  }
}

export function compareDeviceEvents(input: EventCheckInput): EventCheckResult {
  const walk = new Walk(input);
  const placesOf = placesBySeq(input.places);
  const startEvents = input.records.filter((r) => r.type === 'marker' && r.afterSeq < 0).flatMap((r) => r.events);
  walk.add(comparePlace({ line: startEvents[0]?.line ?? 0, seq: -1, place: { kind: 'start' }, taint: walk.taint, registers: input.registers },
    startEvents, input.target.start));
  for (const record of input.records) {
    if (record.type === 'marker') {
      if (record.afterSeq >= 0) walk.pool(record.events, record.line, record.afterSeq, record.kind);
      continue;
    }
    const places = placesOf.get(record.seq);
    if (places === undefined) {
      walk.exclude(NOT_REPLAYED, record.events.length);
      continue;
    }
    walk.timeBefore(places[0]!);
    const targetEvents = places.flatMap((p) => input.target.byPlace.get(p) ?? []);
    const packet = record.events.find(isPacketEvent);
    explainRead(walk, record, input.actualOf(record.seq));
    const result = comparePlace({
      line: record.line, seq: record.seq, taint: walk.taint, registers: input.registers,
      place: { kind: 'access', access: record.kind, register: input.registers.lookupOffset(record.offset)?.name ?? `0x${record.offset.toString(16)}`, value: record.value },
      ...(packet === undefined ? {} : { packetLine: packet.line }),
    }, record.events, targetEvents);
    walk.add(result);
    walk.taint.observe(result.recorded, packet?.line, causeRead(record));
  }
  walk.timeBefore(Number.POSITIVE_INFINITY);
  walk.closePool();
  return {
    divergences: walk.divergences,
    tally: { compared: walk.compared, excluded: [...walk.excluded].map(([reason, events]) => ({ reason, events })).sort((a, b) => b.events - a.events) },
    explainedReads: walk.explainedReads,
  };
}

function placesBySeq(places: readonly Access[]): Map<number, number[]> {
  const bySeq = new Map<number, number[]>();
  places.forEach((access, index) => {
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

function explainRead(walk: Walk, access: Access, actual: number | undefined): void {
  const read = causeRead(access);
  if (read === undefined || actual === undefined || actual === access.value) return;
  const line = walk.taint.explainsBits(read.register, actual ^ access.value);
  if (line !== undefined) {
    walk.explainedReads.set(access.seq, `the differing bits were set by a packet the recording moved at line ${line.toLocaleString('en-US')}, which a register replay does not send`);
  }
}
