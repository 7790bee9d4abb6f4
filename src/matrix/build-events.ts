// What one build did besides answering reads, in a form two builds can be compared in: the device
// events its QEMU logged, gathered by where in the replay they happened — before the first access,
// at each replayed access (by the recording's seq, so a polling loop that took more reads on one
// build still lines up) and in each stretch of time the replay let run after an access. Between two
// builds the traffic and timing a register replay cannot reproduce are the same on both sides, so
// these are compared directly (compare-builds.ts), with no recording in between.

import type { Access, SideEvent } from '../model/access.js';
import { RX_START_EVENT } from '../datapath/rx-path.js';
import type { EventPlace } from '../model/events.js';
import type { Phase } from '../model/phase.js';
import type { TargetObservations } from '../model/replay.js';
import type { DeviceModel } from '../devices/table.js';
import { phaseOf } from '../analysis/phases.js';
import type { RegisterDatabase } from '../regs/database.js';
import { registerOf } from '../regs/naming.js';
import type { EngineRun } from '../replay/engine.js';
import type { ReplayPlan } from '../replay/plan.js';

/** The events of one place of the replay. */
export interface EventStop {
  /** Orders and pairs stops across builds: `start`, then per seq the access, then time after it. */
  readonly key: string;
  readonly seq: number;
  /** Trace line of the access, or of the marker where time ran. */
  readonly line: number;
  readonly place: EventPlace;
  readonly phase?: string;
  readonly events: readonly SideEvent[];
}

/** A build's device events by place; `note` says why there are none to compare. */
export interface BuildEvents {
  /** The register database naming the trace (the comparison decodes cause bits with it). */
  readonly model: DeviceModel;
  readonly stops: readonly EventStop[];
  readonly note?: string;
}

export interface BuildEventsInput {
  readonly model: DeviceModel;
  readonly plan: ReplayPlan;
  readonly registers: RegisterDatabase;
  readonly run: EngineRun;
  readonly observations: TargetObservations;
}

/** A build's events of a replay held in memory at once (one window). */
export function buildEvents(input: BuildEventsInput): BuildEvents {
  const gatherer = new BuildEventsGatherer(input.model, input.registers);
  gatherer.window({ plan: input.plan, run: input.run, placeBase: 0, observations: input.observations });
  return gatherer.finish(input.plan.phases);
}

/** Stop keys in replay order: `start` < `a<seq>` < `t<seq>`, `p<seq>` (time, received frames) < `a<seq+1>`. */
export function stopOrder(key: string): number {
  if (key === 'start') return -2;
  const seq = Number(key.slice(1));
  return seq * 2 + (key.startsWith('a') ? 0 : 1);
}

type Stop = { seq: number; line: number; place: EventPlace; events: SideEvent[] };

/** Gathers a build's events window by window as its replay goes (src/replay/run.ts onWindow). */
export class BuildEventsGatherer {
  private readonly stops = new Map<string, Stop>();
  private note: string | undefined;
  /** The last place of the windows before: time run right at a window's start came after it. */
  private lastPlace: Access | undefined;

  constructor(private readonly model: DeviceModel, private readonly registers: RegisterDatabase) {}

  window(window: { readonly plan: Pick<ReplayPlan, 'steps'>; readonly run: EngineRun; readonly placeBase: number; readonly observations: TargetObservations }): void {
    if (this.note !== undefined) return;
    const { run, placeBase } = window;
    const log = window.observations.events;
    if (log === undefined) {
      this.note = 'the target logs no device events';
      return;
    }
    if (log.placesLogged !== placeBase + run.places.length) {
      this.note = `the target's log shows ${log.placesLogged} accesses where ${placeBase + run.places.length} were sent`;
      return;
    }
    this.add('start', -1, 0, { kind: 'start' }, log.start);
    for (const [index, events] of log.byPlace) {
      const access = run.places[index - placeBase]!;
      this.add(`a${access.seq}`, access.seq, access.line, accessPlace(access, this.registers), events);
    }
    const markers = markersBySeq(window.plan);
    for (const segment of log.time) {
      const before = segment.afterPlace > placeBase ? run.places[segment.afterPlace - placeBase - 1] : this.lastPlace;
      const seq = before?.seq ?? -1;
      if (segment.cause === 'packet') {
        // Injected frames: compared as a packet place, so what each build did with them counts too.
        const frames = segment.events.filter((e) => e.name === RX_START_EVENT).length;
        this.add(`p${seq}`, seq, segment.markerLine ?? before?.line ?? 0, { kind: 'packet', frames }, segment.events);
        continue;
      }
      const marker = markers.get(seq);
      const place: EventPlace = { kind: 'time', marker: segment.cause === 'poll' ? 'polling loop' : marker?.kinds ?? 'time' };
      this.add(`t${seq}`, seq, marker?.line ?? before?.line ?? 0, place, segment.events);
    }
    this.lastPlace = run.places[run.places.length - 1] ?? this.lastPlace;
  }

  finish(phases: readonly Phase[]): BuildEvents {
    if (this.note !== undefined) return { model: this.model, stops: [], note: this.note };
    const stops = [...this.stops].sort((a, b) => stopOrder(a[0]) - stopOrder(b[0])).map(([key, stop]) => {
      const phase = phaseOf(phases, Math.max(stop.seq, 0))?.label;
      return { key, ...stop, ...(phase === undefined || key === 'start' ? {} : { phase }) };
    });
    return { model: this.model, stops };
  }

  private add(key: string, seq: number, line: number, place: EventPlace, events: readonly SideEvent[]): void {
    if (events.length === 0) return;
    const stop = this.stops.get(key);
    if (stop === undefined) this.stops.set(key, { seq, line, place, events: events.map(compact) });
    else stop.events.push(...events.map(compact));
  }
}

/** As the recording check names the access that caused an event (src/checks/events/compare-events.ts). */
function accessPlace(access: Access, registers: RegisterDatabase): EventPlace {
  return { kind: 'access', access: access.kind, register: registerOf(registers, access).name, value: access.value };
}

/** The plan's time markers by the seq they follow: their kinds, and the first one's line. */
function markersBySeq(plan: Pick<ReplayPlan, 'steps'>): Map<number, { kinds: string; line: number }> {
  const bySeq = new Map<number, { kinds: Set<string>; line: number }>();
  for (const step of plan.steps) {
    if (step.kind !== 'advance-time' && step.kind !== 'set-link') continue;
    const entry = bySeq.get(step.marker.afterSeq) ?? { kinds: new Set<string>(), line: step.marker.line };
    entry.kinds.add(step.marker.kind);
    bySeq.set(step.marker.afterSeq, entry);
  }
  return new Map([...bySeq].map(([seq, e]) => [seq, { kinds: [...e.kinds].join(', '), line: e.line }]));
}

/** Only what the comparison reads; the target log's own line numbers mean nothing to a reader. */
function compact(event: SideEvent): SideEvent {
  return { name: event.name, category: event.category, line: 0, text: event.text };
}
