// The device-event part of a replay result: runs the device-event check (src/checks/events/) when
// both sides have events to compare, and says plainly when they do not and why.

import type { TraceRecord } from '../model/access.js';
import { eventsNotCompared, type EventsResult, type TargetEventLog } from '../model/events.js';
import type { Phase } from '../model/phase.js';
import { phaseOf } from '../analysis/phases.js';
import type { RegisterDatabase } from '../regs/database.js';
import { compareDeviceEvents } from '../checks/events/compare-events.js';
import { isDeviceEvent } from '../formats/qemu-log/events.js';
import type { EngineRun } from './engine.js';

export interface EventsInputs {
  readonly records: readonly TraceRecord[];
  readonly run: EngineRun;
  readonly target: TargetEventLog | undefined;
  readonly registers: RegisterDatabase;
  readonly phases: readonly Phase[];
  /** Why the recording's interrupts cannot be compared at all (see recordingNotices in result.ts). */
  readonly notComparable?: string;
}

export interface EventsOutcome {
  readonly events: EventsResult;
  /** ICR/EICR reads whose difference unreplayed packets explain, by seq, with the reason. */
  readonly explainedReads: ReadonlyMap<number, string>;
}

function notCompared(note: string): EventsOutcome {
  return { events: eventsNotCompared(note), explainedReads: new Map() };
}

export function eventsOutcome(inputs: EventsInputs): EventsOutcome {
  const { run, target } = inputs;
  if (target === undefined) return notCompared('the target logs no device events');
  if (!inputs.records.some((record) => record.events.some((event) => isDeviceEvent(event.name)))) {
    return notCompared('the recording has no QEMU device events (Linux mmiotrace records only the driver\'s accesses)');
  }
  if (target.placesLogged !== run.places.length) {
    return notCompared(`the target's log shows ${target.placesLogged} accesses where ${run.places.length} were sent, so its events cannot be placed`);
  }
  const check = compareDeviceEvents({
    records: inputs.records, places: run.places, target, registers: inputs.registers, actualOf: (seq) => run.actual.get(seq),
  });
  // Reads keep what the recording's traffic explains; only the event comparison is withheld.
  if (inputs.notComparable !== undefined) return { events: eventsNotCompared(inputs.notComparable), explainedReads: check.explainedReads };
  const byClass = { ...eventsNotCompared('').byClass };
  for (const d of check.divergences) byClass[d.class]++;
  const divergences = check.divergences.map((d) => {
    const phase = phaseOf(inputs.phases, Math.max(d.seq, 0))?.label;
    return phase === undefined ? d : { ...d, phase };
  });
  return { events: { compared: true, tally: check.tally, byClass, divergences }, explainedReads: check.explainedReads };
}
