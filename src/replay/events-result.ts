// The device-event part of a replay result: runs the device-event check (src/checks/events/)
// window by window when both sides have events to compare, and says plainly when they do not and why.

import type { TraceRecord } from '../model/access.js';
import { eventsNotCompared, type EventsResult, type TargetEventLog } from '../model/events.js';
import type { Phase } from '../model/phase.js';
import { phaseOf } from '../analysis/phases.js';
import type { RegisterDatabase } from '../regs/database.js';
import type { DeviceModel } from '../devices/table.js';
import { DeviceEventCheck } from '../checks/events/compare-events.js';
import { isDeviceEvent } from '../formats/qemu-log/events.js';
import type { EngineRun } from './engine.js';
import type { FrozenMarker } from './plan.js';

export interface EventsWindow {
  readonly records: readonly TraceRecord[];
  readonly run: EngineRun;
  /** The replay-wide number of the run's first place. */
  readonly placeBase: number;
  readonly target: TargetEventLog | undefined;
  /** The window plan's timer markers where time stayed frozen (see plan.ts FrozenMarker). */
  readonly frozenTime?: readonly FrozenMarker[];
  /** Seqs of the tail writes whose transmits the data path handed over (see EventCheckWindow). */
  readonly transmitsAt?: ReadonlySet<number>;
}

const TARGET_SILENT = 'the target logs no device events';
const NO_EXPLAINED: ReadonlyMap<number, string> = new Map();

/** Feeds the device-event check window by window and builds the events part of the result at the end. */
export class EventsCollector {
  private readonly check: DeviceEventCheck;
  /** Why the events cannot be compared, once known. */
  private note: string | undefined;
  private recordedEvents = false;

  /** `clockPaced`: the target's clock follows the recording's between accesses (see DeviceEventCheck). */
  constructor(registers: RegisterDatabase, model: DeviceModel, options: { readonly clockPaced?: boolean } = {}) {
    this.check = new DeviceEventCheck(registers, model, options);
  }

  /** Checks a window; returns its ICR/EICR reads whose difference unreplayed packets explain, by seq, with the reason. */
  window(window: EventsWindow): ReadonlyMap<number, string> {
    this.recordedEvents ||= window.records.some((record) => record.events.some((event) => isDeviceEvent(event.name)));
    if (this.note !== undefined) return NO_EXPLAINED;
    const { run, target } = window;
    if (target === undefined) {
      this.note = TARGET_SILENT;
      return NO_EXPLAINED;
    }
    const sent = window.placeBase + run.places.length;
    if (target.placesLogged !== sent) {
      this.note = `the target's log shows ${target.placesLogged} accesses where ${sent} were sent, so its events cannot be placed`;
      return NO_EXPLAINED;
    }
    return this.check.window({
      records: window.records, places: run.places, placeBase: window.placeBase, target, actualOf: (seq) => run.actual.get(seq),
      frozenTime: new Map((window.frozenTime ?? []).map((f) => [f.line, f.reason])), received: new Set(run.received.keys()),
      ...(window.transmitsAt === undefined ? {} : { transmitsAt: window.transmitsAt }),
    });
  }

  /** `notComparable`: why the recording's interrupts cannot be compared at all (see recordingNotices in result.ts). */
  finish(phases: readonly Phase[], notComparable: string | undefined): EventsResult {
    if (this.note === TARGET_SILENT) return eventsNotCompared(TARGET_SILENT);
    if (!this.recordedEvents) return eventsNotCompared('the recording has no QEMU device events (Linux mmiotrace records only the driver\'s accesses)');
    if (this.note !== undefined) return eventsNotCompared(this.note);
    const check = this.check.finish();
    // Reads keep what the recording's traffic explains; only the event comparison is withheld.
    if (notComparable !== undefined) return eventsNotCompared(notComparable);
    const byClass = { ...eventsNotCompared('').byClass };
    for (const d of check.divergences) byClass[d.class]++;
    const divergences = check.divergences.map((d) => {
      const phase = phaseOf(phases, Math.max(d.seq, 0))?.label;
      return phase === undefined ? d : { ...d, phase };
    });
    return { compared: true, tally: check.tally, byClass, divergences };
  }
}
