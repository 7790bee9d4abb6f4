// The device-event check of a replay: walks the recording in order and compares, place by place,
// what the recording QEMU logged with what the target logged — at each replayed access, at each
// stretch of time the replay let run (pooled from one timer marker to the next, since timers may
// fire in another order), and before the first access (realize and reset). Follows what unreplayed
// packets left behind (traffic-taint.ts) to explain exactly those differences.

import { DEFAULT_DEVICE_MODEL, deviceRow, type DeviceModel } from '../../devices/table.js';
import type { Access, Marker, SideEvent, TraceRecord } from '../../model/access.js';
import { endsReceivingAgain, injectedBeforeWrite, recordedFrames, splitAtReceipts, type RecordedFrame } from '../../datapath/rx-path.js';
import { explainTimerFlushes, timerFlushAt, type TimerFlush } from './timer-flush.js';
import type { EventDivergence, EventPlace, EventTally, TargetEventLog, TimeSegment } from '../../model/events.js';
import type { RegisterDatabase } from '../../regs/database.js';
import { comparePlace, type PlaceComparison } from './compare-place.js';
import { deviceEvent, isPacketEvent, isReceivePathEvent, type DeviceEvent } from './device-event.js';
import { EICR, ICR, TrafficTaint } from './traffic-taint.js';
import { HeldTimers, ITR_TIMER_FIRED } from './held-timers.js';
import { HeldSurplusFirings } from './held-surplus.js';
import { DisplacedTimers } from './displaced-timers.js';
import { ThrottledVectors } from './throttled-vectors.js';
import { delayTimerShot, isDelayRegister, timersArmed } from '../../devices/throttle-timers.js';
import { registerOf } from '../../regs/naming.js';
import { isDeviceReset, ShiftedTimers } from './shifted-timers.js';

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
  /** Timer markers of these records where the replay let no time run, by line, with why (the plan's frozenTime). */
  readonly frozenTime?: ReadonlyMap<number, string>;
  /** Lines of the packet markers whose frames the replay injected. */
  readonly received?: ReadonlySet<number>;
  /**
   * Seqs of the tail writes whose transmits the replay handed over: a frame the recording's device
   * switched to its own pools there (recordedFrames' `switched`) the target's device makes during
   * that write, so what the recording logged for it belongs to the write.
   */
  readonly transmitsAt?: ReadonlySet<number>;
}

export interface EventCheckResult {
  readonly divergences: EventDivergence[];
  readonly tally: EventTally;
}

/** What packet() gives back to the write a packet marker follows. */
interface PacketSplit {
  /** The write's recorded events, less the receive path of frames received inside it, plus what switched frames did otherwise. */
  readonly recordedWrite: SideEvent[];
  /** What the target did for the injected frames received inside the write, other than their receive path (their interrupts). */
  readonly targetWrite: SideEvent[];
  readonly beforeWrite: boolean;
  /** The receive path of the frames the device switched to itself there (compared with what the target logged inside the write). */
  readonly switchedReceivePath: SideEvent[];
  readonly switchedFrames: number;
}

/** Switched frames' events: their receive path (compared as a packet's) and the rest (the write's: interrupts). */
function splitSwitched(frames: readonly RecordedFrame[]): { receivePath: SideEvent[]; rest: SideEvent[] } {
  const receivePath: SideEvent[] = [];
  const rest: SideEvent[] = [];
  for (const frame of frames) for (const e of frame.events) (isReceivePathEvent(e.name) ? receivePath : rest).push(e);
  return { receivePath, rest };
}

const FRAMES_FLUSH = 'the target ran for an instant only to send the frames QEMU held back for its stopped machine, before a link-down purged them (not in the recording\'s timeline)';
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
  readonly taint: TrafficTaint;
  readonly held: HeldTimers;
  readonly throttled: ThrottledVectors;
  private recordedPool: { events: SideEvent[]; line: number; seq: number; kinds: Set<string>; receivingAgain: number[] } | undefined;
  /**
   * Timer markers that ended with the device receiving again (where QEMU may flush held frames, see
   * timer-flush.ts), by line: the line of the stretch of time they were compared in.
   */
  readonly timePlaceOf = new Map<number, number>();
  private targetPool: SideEvent[] = [];
  /** Time segments the target logged that no access has passed yet. */
  private segments: TimeSegment[] = [];
  /** Throttling-timer firings shifted between neighbouring stretches of time, paired across the walk. */
  readonly shifted = new ShiftedTimers();
  /** Timers the target fired early in time run for an unreplayed packet's timer (displaced-timers.ts). */
  private readonly displaced: DisplacedTimers;
  /**
   * e1000e's delay timers (RDTR, RADV, TIDV, TADV) a packet the recording moved armed, with the
   * packet's line: where the recording fires one, it fires every delayed cause (and stops the
   * others), all of it the packet's doing (INTx and MSI mode; MSI-X delays nothing).
   */
  private readonly delayTimers = new Map<number, number>();
  /** The model's ITR register (e1000e), whose timer runs out unseen when nothing is pending. */
  private readonly itr: number | undefined;
  /**
   * Where the target armed its ITR timer with no time run since, or in the last stretch of time after
   * its last firing there (only when its clock is not paced), and which of the two.
   */
  private targetItrArmed: { readonly line: number; readonly inTime: boolean } | undefined;
  /** Held vectors the recording fired more than once at frozen markers, carried to the next time pool (held-surplus.ts). */
  private readonly heldSurplus = new HeldSurplusFirings();

  constructor(private readonly registers: RegisterDatabase, model: DeviceModel, private readonly clockPaced = false) {
    const msix = deviceRow(model).msix;
    this.itr = msix.itr;
    this.taint = new TrafficTaint(msix);
    this.displaced = new DisplacedTimers(this.taint);
    this.held = new HeldTimers(msix);
    this.throttled = new ThrottledVectors(msix);
  }

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
  pool(events: readonly SideEvent[], line: number, seq: number, kind: string, frozen?: string): void {
    const packet = events.find(isPacketEvent);
    if (packet !== undefined) {
      this.packetArmed(events, packet.line);
      this.exclude(RECEIVED, events.length);
      this.taint.observe(typedEvents(events), packet.line, undefined, false);
      return;
    }
    if (frozen !== undefined) {
      for (const event of events) {
        const typed = deviceEvent(event);
        if (typed?.kind === 'timer-fired') this.held.hold(typed.vector, event.line, frozen);
        else if (ITR_TIMER_FIRED.test(event.name)) this.held.holdItr(event.line, frozen);
      }
    }
    const pool = this.recordedPool ?? { events: [], line, seq, kinds: new Set<string>(), receivingAgain: [] };
    pool.events.push(...events);
    pool.kinds.add(kind);
    if (endsReceivingAgain(events)) pool.receivingAgain.push(line);
    this.recordedPool = pool;
  }

  /**
   * Target time segments that happened before place `place`. Everything time did between two
   * accesses is one pool on each side (timers may fire in another order, or two recorded markers
   * be one stretch of time); a gap where the replay let time run for a recorded marker closes it.
   * Time run only for a polling loop does not: what fired then is compared at the next marker.
   */
  timeBefore(place: number): void {
    let count = 0;
    while (count < this.segments.length && this.segments[count]!.afterPlace <= place) {
      // Frames handed over just before this access (received inside it when recorded) are its own: packet() takes them.
      const segment = this.segments[count]!;
      if (segment.cause === 'packet' && segment.afterPlace === place) break;
      count++;
    }
    this.takeSegments(count);
  }

  /** The first `count` target segments, in log order: time into the target's pool, frames left out. */
  private takeSegments(count: number): void {
    let markerRan = false;
    for (const segment of this.segments.slice(0, count)) {
      if (segment.cause === 'frames') {
        this.exclude(FRAMES_FLUSH, segment.events.length);
        continue;
      }
      // Frames the target received that no recorded packet marker claimed (see packet()): their events still count.
      this.targetPool.push(...segment.events);
      markerRan ||= segment.cause === 'marker';
    }
    if (count > 0) this.segments = this.segments.slice(count);
    if (markerRan) this.closePool();
  }

  /**
   * A packet marker whose frames the replay injected, after `write` when it follows one: what the
   * recording's device did with each frame is compared with what the target did with the frame it
   * was handed in its place. A frame the recording received inside the write (recordedFrames'
   * `nested`) raised its interrupts inside the write, before the write's own: only its receive
   * path is compared here, and the interrupts the target raised for it join the write's pool
   * (returned, with the write's recorded events less that receive path). What time did before the
   * frames (in log order) is compared first, so interrupt state is followed in the order it happened.
   */
  packet(marker: Marker, write: Access | undefined, nextMarkerLine: number | undefined): PacketSplit {
    this.throttled.active = true;
    const index = this.segments.findIndex((s) => s.cause === 'packet' && s.markerLine === marker.line);
    this.takeSegments(Math.max(0, index));
    const targetFrames = splitAtReceipts(index < 0 ? [] : this.segments.shift()!.events);
    const frames = recordedFrames(marker, write, nextMarkerLine);
    const recordedHere: SideEvent[] = [];
    const targetHere: SideEvent[] = [];
    const movedFromWrite = new Set<SideEvent>();
    const targetWrite: SideEvent[] = [];
    /** Frames the recording's device switched to itself: the target makes them inside the write (see window()). */
    const switchedFrames: RecordedFrame[] = [];
    let injectedFrames = 0;
    frames.forEach((frame) => {
      if (frame.switched) {
        switchedFrames.push(frame);
        return;
      }
      const target = targetFrames[injectedFrames++] ?? [];
      if (!frame.nested) {
        recordedHere.push(...frame.events);
        targetHere.push(...target);
        return;
      }
      for (const e of frame.events) {
        if (!isReceivePathEvent(e.name)) continue;
        recordedHere.push(e);
        movedFromWrite.add(e);
      }
      for (const e of target) (isReceivePathEvent(e.name) ? targetHere : targetWrite).push(e);
    });
    // Frames the target received beyond the recording's (none, unless frames were sent twice).
    for (const extra of targetFrames.slice(injectedFrames)) targetHere.push(...extra);
    const result = comparePlace({
      line: marker.line, seq: marker.afterSeq, place: { kind: 'packet', frames: injectedFrames }, taint: this.taint, held: this.held, throttled: this.throttled, registers: this.registers,
    }, recordedHere, targetHere);
    this.add(result);
    // Both sides raised these interrupts, but the throttling timers they armed run on the replay's
    // clock, which moves only at markers (the recording's ran between accesses): what they do
    // later may come in another order, explained by these frames.
    this.taint.observe(result.recorded, marker.line, undefined, false);
    const { receivePath, rest } = splitSwitched(switchedFrames);
    const recordedWrite = [...(write?.events ?? []).filter((e) => !movedFromWrite.has(e)), ...rest].sort((x, y) => x.line - y.line);
    return { recordedWrite, targetWrite, beforeWrite: injectedBeforeWrite(frames, marker, write), switchedReceivePath: receivePath, switchedFrames: switchedFrames.length };
  }

  /**
   * Before an access is compared: where the recording arms its ITR timer again, it had run out (QEMU
   * arms only a timer that is not running), unseen if nothing was pending. The target's, armed at an
   * earlier place with no time run since, is still running and holds back INTx and MSI interrupts
   * until time runs: the replay's clock, not the device. So is one the target armed in the last
   * stretch of time, late: without the qtest accelerator a stretch runs for wall time and ends when
   * the event it waited for is logged (an autonegotiation's end, which arms the timer as it raises
   * LSC), before or after the timer's few hundred microseconds have passed, from run to run.
   */
  itrBefore(recorded: readonly SideEvent[], target: readonly SideEvent[], line: number): void {
    if (this.itr === undefined || this.clockPaced) return;
    const rearmed = timersArmed(recorded).some((timer) => timer.register === this.itr);
    const armed = this.targetItrArmed;
    if (rearmed && armed !== undefined) {
      const where = armed.inTime
        ? `while the stretch of time the replay ran at line ${armed.line.toLocaleString('en-US')} ended before the target's own, armed in it, ran out`
        : `while no virtual time ran in the replay since the target armed its own at line ${armed.line.toLocaleString('en-US')}`;
      this.held.holdItr(line, `it ran out unseen in the recording (no interrupt pending), ${where}`);
    }
    if (timersArmed(target).some((timer) => timer.register === this.itr)) this.targetItrArmed ??= { line, inTime: false };
  }

  /** Whether the target's events of a stretch of time armed its ITR timer after they last showed it fire. */
  private itrArmedLast(events: readonly SideEvent[]): boolean {
    let armed = false;
    for (const event of events) {
      if (ITR_TIMER_FIRED.test(event.name)) armed = false;
      else if (timersArmed([event]).some((timer) => timer.register === this.itr)) armed = true;
    }
    return armed;
  }

  /** A place where the recording moved a packet (line `packetLine`): the delay timers it armed there are the packet's. */
  packetArmed(events: readonly SideEvent[], packetLine: number): void {
    for (const timer of timersArmed(events)) if (isDelayRegister(timer.register)) this.delayTimers.set(timer.register, packetLine);
  }

  /** The packet line of a delay timer the recorded events fire, if a packet armed it (all delay timers stop then). */
  private packetDelayFired(events: readonly SideEvent[]): number | undefined {
    const shots = events.map(delayTimerShot).filter((r): r is number => r !== undefined);
    if (shots.length === 0) return undefined;
    const register = shots.find((r) => this.delayTimers.has(r));
    const line = register === undefined ? undefined : this.delayTimers.get(register);
    this.delayTimers.clear();
    return line;
  }

  closePool(): void {
    const pool = this.recordedPool;
    if (pool === undefined && this.targetPool.length === 0) return;
    const line = pool?.line ?? 0;
    const place: EventPlace = { kind: 'time', marker: pool === undefined ? 'none recorded' : [...pool.kinds].join(', ') };
    const packetLine = this.packetDelayFired(pool?.events ?? []);
    const result = comparePlace({
      line, seq: pool?.seq ?? -1, place, taint: this.taint, held: this.held, throttled: this.throttled, registers: this.registers,
      ...(packetLine === undefined ? {} : { packetLine }),
    }, pool?.events ?? [], this.targetPool);
    const { kept, cancelled } = this.shifted.pool(result.divergences, [...result.recorded, ...result.target]);
    // The earlier pools' differences a firing here cancelled are none.
    if (cancelled.size > 0) this.divergences.splice(0, this.divergences.length, ...this.divergences.filter((d) => !cancelled.has(d)));
    const divergences = this.heldSurplus.explain(this.displaced.explain(kept, result.recorded));
    this.add({ ...result, divergences });
    this.taint.observe(result.recorded, packetLine);
    for (const marker of pool?.receivingAgain ?? []) this.timePlaceOf.set(marker, line);
    this.heldSurplus.note(this.held, divergences, result.recorded, result.target);
    // The target ran time here: the timers it held fired, and both sides are alike again — but for
    // an ITR timer it armed late in this stretch (see itrBefore).
    this.held.release();
    this.targetItrArmed = this.itr !== undefined && !this.clockPaced && this.itrArmedLast(this.targetPool) ? { line, inTime: true } : undefined;
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
  /** Injected frames QEMU had handed over inside a timer's callback (see timer-flush.ts). */
  private readonly timerFlushes: TimerFlush[] = [];
  /** The recording's events before its first access, until the first access is seen. */
  private startRecorded: SideEvent[] = [];
  private startTarget: readonly SideEvent[] = [];
  private startCompared = false;

  /**
   * `clockPaced`: the target's clock follows the recording's between accesses (clock_step pacing);
   * otherwise it runs only where the replay lets time run for a marker.
   */
  constructor(private readonly registers: RegisterDatabase, model: DeviceModel, options: { readonly clockPaced?: boolean } = {}) {
    this.walk = new Walk(registers, model, options.clockPaced === true);
  }

  /** Checks one window; returns the ICR/EICR reads of it whose difference unreplayed packets explain, by seq. */
  window(input: EventCheckWindow): ReadonlyMap<number, string> {
    const walk = this.walk;
    walk.explainedReads.clear();
    if (input.target.start.length > 0) this.startTarget = input.target.start;
    walk.logged(input.target.time);
    const placesOf = placesBySeq(input.places, input.placeBase);
    const injected = (line: number): boolean => input.received?.has(line) === true;
    const done = new Set<number>();
    for (let r = 0; r < input.records.length; r++) {
      const record = input.records[r]!;
      if (record.type === 'marker' && done.has(record.line)) continue;
      walk.throttled.observe(record.events);
      if (record.type === 'marker') {
        if (injected(record.line)) {
          walk.packet(record, undefined, undefined);
          this.noteTimerFlush(input.records, r);
        }
        else if (record.afterSeq >= 0) walk.pool(record.events, record.line, record.afterSeq, record.kind, input.frozenTime?.get(record.line));
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
      let targetEvents = places.flatMap((p) => input.target.byPlace.get(p) ?? []);
      let recordedEvents = record.events;
      // The markers right after this access, in order, where frames were injected: some may have
      // been received inside it, and then raised their interrupts inside it too. (Most accesses
      // have no marker after them: nothing to gather.)
      const after = input.records[r + 1]?.type === 'marker' ? markersAfter(input.records, r) : NO_MARKERS;
      const receivedAfter = after.some((marker) => injected(marker.line));
      const transmitted = after.length > 0 && input.transmitsAt?.has(record.seq) === true;
      /** What the recording's device did on the receive path with frames it switched to itself here, and how many. */
      const switchedReceivePath: SideEvent[] = [];
      let switchedFrames = 0;
      for (let m = 0; (receivedAfter || transmitted) && m < after.length; m++) {
        const marker = after[m]!;
        const next = after[m + 1];
        done.add(marker.line);
        walk.throttled.observe(marker.events);
        if (!injected(marker.line)) {
          // Frames the device switched to itself, and nothing else: the target received them inside the write.
          const frames = transmitted && marker.kind === 'rx-packet' ? recordedFrames(marker, { ...record, events: recordedEvents }, next?.line) : [];
          if (frames.length > 0 && frames.every((frame) => frame.switched)) {
            const { receivePath, rest } = splitSwitched(frames);
            switchedReceivePath.push(...receivePath);
            switchedFrames += frames.length;
            // The marker's events before its first receipt (none, as the receipt starts it) and after it: the write's.
            const inFrames = new Set(frames.flatMap((frame) => frame.events));
            recordedEvents = [...recordedEvents, ...rest, ...marker.events.filter((e) => !inFrames.has(e))].sort((x, y) => x.line - y.line);
          } else walk.pool(marker.events, marker.line, marker.afterSeq, marker.kind, input.frozenTime?.get(marker.line));
          continue;
        }
        const split = walk.packet(marker, { ...record, events: recordedEvents }, next?.line);
        this.noteTimerFlush(input.records, r + 1 + m);
        const { recordedWrite, targetWrite, beforeWrite } = split;
        switchedReceivePath.push(...split.switchedReceivePath);
        switchedFrames += split.switchedFrames;
        recordedEvents = recordedWrite;
        // In the order the target raised them: frames handed over before the write raised theirs first.
        targetEvents = beforeWrite ? [...targetWrite, ...targetEvents] : [...targetEvents, ...targetWrite];
      }
      if (switchedFrames > 0) {
        // The target made them inside the write (the only receipts there: injected frames come at their markers).
        const targetReceivePath = targetEvents.filter((e) => isReceivePathEvent(e.name));
        targetEvents = targetEvents.filter((e) => !isReceivePathEvent(e.name));
        walk.add(comparePlace({
          line: switchedReceivePath[0]?.line ?? record.line, seq: record.seq, place: { kind: 'packet', frames: switchedFrames, switched: true },
          taint: walk.taint, held: walk.held, throttled: walk.throttled, registers: this.registers,
        }, switchedReceivePath, targetReceivePath));
      }
      // A read whose value differs only by what packets set differs in what it does for the same reason.
      const packetLine = record.events.find(isPacketEvent)?.line ?? explainRead(walk, record, input.actualOf(record.seq));
      if (recordedEvents.length === 0 && targetEvents.length === 0) {
        // Most accesses: nothing to compare (comparePlace would find nothing), only the read to follow.
        walk.taint.observe(NO_EVENTS, undefined, causeRead(record));
        continue;
      }
      walk.itrBefore(recordedEvents, targetEvents, record.line);
      const result = comparePlace({
        line: record.line, seq: record.seq, taint: walk.taint, held: walk.held, throttled: walk.throttled, registers: this.registers,
        place: { kind: 'access', access: record.kind, register: registerOf(this.registers, record).name, value: record.value },
        ...(packetLine === undefined ? {} : { packetLine }),
      }, recordedEvents, targetEvents);
      walk.add(result);
      walk.shifted.atAccess(result.divergences);
      if (isDeviceReset(recordedEvents) || isDeviceReset(targetEvents)) walk.shifted.reset(record.line);
      if (packetLine !== undefined) walk.packetArmed(record.events, packetLine);
      // A write the recording received frames inside: the throttling timers its interrupts armed run on the replay's clock (see packet()).
      const movedPacket = record.events.find(isPacketEvent)?.line;
      walk.taint.observe(result.recorded, movedPacket, causeRead(record), !receivedAfter);
      if (movedPacket !== undefined) walk.taint.targetAtPacket(result.target, movedPacket);
    }
    return new Map(walk.explainedReads);
  }

  finish(): EventCheckResult {
    const walk = this.walk;
    this.compareStart();
    walk.timeBefore(Number.POSITIVE_INFINITY);
    walk.closePool();
    return {
      divergences: explainTimerFlushes(walk.divergences, this.timerFlushes, walk.timePlaceOf),
      tally: { compared: walk.compared, excluded: [...walk.excluded].map(([reason, events]) => ({ reason, events })).sort((a, b) => b.events - a.events) },
    };
  }

  private noteTimerFlush(records: readonly TraceRecord[], index: number): void {
    const flush = timerFlushAt(records, index, this.registers);
    if (flush !== undefined) this.timerFlushes.push(flush);
  }

  /** Realize and reset: compared once, before the first access (or at the end of a trace without one). */
  private compareStart(): void {
    if (this.startCompared) return;
    this.startCompared = true;
    const events = this.startRecorded;
    this.startRecorded = [];
    this.walk.add(comparePlace({ line: events[0]?.line ?? 0, seq: -1, place: { kind: 'start' }, taint: this.walk.taint, held: this.walk.held, throttled: this.walk.throttled, registers: this.registers },
      events, this.startTarget));
  }
}

/** The whole check over a replay held in memory at once (one window). */
export function compareDeviceEvents(input: Omit<EventCheckWindow, 'placeBase'> & { readonly registers: RegisterDatabase; readonly model?: DeviceModel; readonly clockPaced?: boolean }): EventCheckResult & { readonly explainedReads: ReadonlyMap<number, string> } {
  const check = new DeviceEventCheck(input.registers, input.model ?? DEFAULT_DEVICE_MODEL, { clockPaced: input.clockPaced === true });
  const explainedReads = check.window({ ...input, placeBase: 0 });
  return { ...check.finish(), explainedReads };
}

const NO_MARKERS: readonly Marker[] = [];

/** The run of markers right after record `index`. */
function markersAfter(records: readonly TraceRecord[], index: number): Marker[] {
  const markers: Marker[] = [];
  for (let m = index + 1; m < records.length; m++) {
    const record = records[m]!;
    if (record.type !== 'marker') break;
    markers.push(record);
  }
  return markers;
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

function typedEvents(events: readonly SideEvent[]): DeviceEvent[] {
  return events.map((e) => deviceEvent(e)).filter((e): e is DeviceEvent => e !== undefined);
}
