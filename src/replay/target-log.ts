// Reading what the target QEMU logged during a replay, with the same parser as recordings: its
// verdict on each register access, and the device events of each place (each access it was sent,
// in order), of the start (realize, reset, the replay's own PCI set-up) and of each stretch of time
// it ran. The target marks where time ran by log offsets (QEMU flushes its log after every
// event, so the size of the log when a command is answered covers everything that command did):
// the log is read segment by segment, so an event is never attributed across a time boundary,
// which the parser could not tell from the text alone (the target has no vCPU thread to tell by).

import type { Access, Marker, SideEvent } from '../model/access.js';
import type { TargetEventLog, TimeSegment } from '../model/events.js';
import type { TargetObservations, TargetVerdicts } from '../model/replay.js';
import { readQemuLogRange } from '../formats/read-trace.js';
import type { OpenLog } from '../target/log-tail.js';

/** A stretch of the log written while time ran (or the link changed). */
export interface LoggedTime {
  readonly from: number;
  readonly to: number;
  readonly afterPlace: number;
  readonly cause: TimeSegment['cause'];
  /** For received frames: the line of the recording's packet marker. */
  readonly markerLine?: number;
}

/** Register and config accesses: what the replay sends (PHY accesses are derived from MDIC writes). */
function isPlace(access: Access): boolean {
  return access.space !== 'phy';
}

class Collector {
  /** `nicAddress`: the NIC's `BB:DD.F` (see QemuLogOptions.nicAddress). */
  constructor(private readonly nicAddress: string | undefined) {}

  verdicts: TargetVerdicts = { accesses: [], phyUnhandled: [] };
  byPlace = new Map<number, SideEvent[]>();
  /** Places read so far, over every read of the log. */
  places = 0;

  /** Hands over what was collected since the last call; place numbers go on. */
  take(): { verdicts: TargetVerdicts; byPlace: Map<number, SideEvent[]> } {
    const taken = { verdicts: this.verdicts, byPlace: this.byPlace };
    this.verdicts = { accesses: [], phyUnhandled: [] };
    this.byPlace = new Map();
    return taken;
  }

  /** One access segment: places in order; events between places belong to the place before them. */
  accesses(log: OpenLog, from: number, to: number): void {
    const sentBySeq = new Map<number, number>();
    let last: number | undefined;
    let leading: SideEvent[] = [];
    readSegment(log, from, to, {
      access: (access) => {
        if (access.space === 'phy') {
          const sentIndex = access.cause === undefined ? undefined : sentBySeq.get(access.cause);
          if (access.verdict === 'phy-unhandled' && sentIndex !== undefined) this.verdicts.phyUnhandled.push({ register: access.offset, sentIndex });
          return;
        }
        if (!isPlace(access)) return;
        if (access.space === 'mmio' || access.space === 'io') {
          sentBySeq.set(access.seq, this.verdicts.accesses.length);
          this.verdicts.accesses.push(access.verdict);
        }
        last = this.places++;
        this.add(last, [...leading, ...access.events]);
        leading = [];
      },
      marker: (marker: Marker) => {
        if (last === undefined) leading.push(...marker.events);
        else this.add(last, marker.events);
      },
    }, this.nicAddress);
    if (leading.length > 0 && this.places > 0) this.add(this.places - 1, leading);
  }

  private add(place: number, events: readonly SideEvent[]): void {
    if (events.length === 0) return;
    const list = this.byPlace.get(place);
    if (list === undefined) this.byPlace.set(place, [...events]);
    else list.push(...events);
  }
}

/** Every event of a segment, attached to accesses or markers alike. */
function allEvents(log: OpenLog, from: number, to: number, nicAddress: string | undefined): SideEvent[] {
  const events: SideEvent[] = [];
  readSegment(log, from, to, { access: (a) => events.push(...a.events), marker: (m) => events.push(...m.events) }, nicAddress);
  return events;
}

function readSegment(log: OpenLog, from: number, to: number, sink: { access(a: Access): void; marker(m: Marker): void },
  nicAddress: string | undefined): void {
  if (to <= from) return;
  const fd = log.fd();
  readQemuLogRange(log.path, from, to, sink, { lenient: true, ...(nicAddress === undefined ? {} : { nicAddress }), ...(fd === undefined ? {} : { fd }) });
}

/**
 * Reads the target's log as the replay goes: each `read` covers what was logged since the previous
 * one (the start, on the first), so a long replay never holds its whole log. Verdicts are by access
 * sent since the previous read; places (byPlace keys, time segments) count from the replay's start.
 */
export class TargetLogReader {
  private readonly collector: Collector;
  private at = 0;
  private started = false;

  /** `nicAddress`: the NIC's `BB:DD.F` in the target, so each segment tells its VFs' config lines apart. */
  constructor(private readonly log: OpenLog, private readonly startEnd: number, private readonly nicAddress?: string) {
    this.collector = new Collector(nicAddress);
  }

  /** `time`: the stretches logged while time ran since the previous read, in order; `end`: the log's size now. */
  read(time: readonly LoggedTime[], end: number): TargetObservations {
    const start = this.started ? [] : allEvents(this.log, 0, this.startEnd, this.nicAddress);
    if (!this.started) this.at = this.startEnd;
    this.started = true;
    const segments: TimeSegment[] = [];
    for (const segment of time) {
      this.collector.accesses(this.log, this.at, segment.from);
      segments.push({
        afterPlace: segment.afterPlace, cause: segment.cause, events: allEvents(this.log, segment.from, segment.to, this.nicAddress),
        ...(segment.markerLine === undefined ? {} : { markerLine: segment.markerLine }),
      });
      this.at = segment.to;
    }
    this.collector.accesses(this.log, this.at, end);
    this.at = Math.max(this.at, end);
    const { verdicts, byPlace } = this.collector.take();
    const events: TargetEventLog = { start, byPlace, time: segments, placesLogged: this.collector.places };
    return { verdicts, events };
  }
}

