// Throttling timers the target fired early because the replay let time run for a timer that, in
// the recording, a packet armed: the replay does not inject that packet, so its timer is not armed
// in the target, but letting time run fires whatever the target has armed — its own timer of
// another vector, early. That extra firing (and the EIAC clear logged with it), and then the same
// vector's firing missing where the recording makes it, are the packet's doing.

import type { EventDivergence } from '../../model/events.js';
import type { DeviceEvent } from './device-event.js';
import type { TrafficTaint } from './traffic-taint.js';
import { isEmptyEiacClear, TIMER_VECTOR } from './shifted-timers.js';

function lineText(line: number): string {
  return line.toLocaleString('en-US');
}

export class DisplacedTimers {
  /** Vectors whose timer the target fired early, with the line of the packet whose timer time ran for. */
  private readonly early = new Map<number, number>();
  /** A displaced firing was just found missing: the empty EIAC clear logged with it is missing too. */
  private clearPending = false;
  private lastPacketLine = 0;

  constructor(private readonly taint: TrafficTaint) {}

  /** A time pool's divergences, those displaced timers account for explained; `recorded`: the pool's recorded events. */
  explain(divergences: readonly EventDivergence[], recorded: readonly DeviceEvent[]): EventDivergence[] {
    const packetLine = recorded.map((e) => (e.kind === 'timer-fired' ? this.taint.involves(e) : undefined)).find((line) => line !== undefined);
    return divergences.map((d) => {
      const vector = TIMER_VECTOR.exec(d.subject);
      if (d.class === 'event-extra' && packetLine !== undefined && (vector !== null || isEmptyEiacClear(d, d.actual))) {
        if (vector !== null) this.early.set(Number(vector[1]), packetLine);
        return {
          ...d, class: 'explained-by-traffic',
          reason: `time ran here for a throttling timer armed where the recording moved a packet at line ${lineText(packetLine)}, which this replay does not inject; the target's own timer fired in it (otherwise event-extra)`,
        };
      }
      // ...and that timer is then missing where the recording fires it.
      const early = vector === null ? undefined : this.early.get(Number(vector[1]));
      if (d.class === 'event-missing' && early !== undefined) {
        this.early.delete(Number(vector![1]));
        this.clearPending = true;
        this.lastPacketLine = early;
        return { ...d, class: 'explained-by-traffic', reason: `the target's timer fired earlier, in time run for a throttling timer armed where the recording moved a packet at line ${lineText(early)}, which this replay does not inject (otherwise event-missing)` };
      }
      if (d.class === 'event-missing' && this.clearPending && isEmptyEiacClear(d, d.expected)) {
        this.clearPending = false;
        return { ...d, class: 'explained-by-traffic', reason: `the EIAC clear logged with a throttling timer the target fired earlier, in time run for a timer armed where the recording moved a packet at line ${lineText(this.lastPacketLine)}, which this replay does not inject (otherwise event-missing)` };
      }
      return d;
    });
  }
}
