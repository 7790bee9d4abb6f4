// Throttling timers (MSI-X vectors' EITR, and e1000e's ITR for INTx and MSI) the recording fired
// where the replay let no virtual time run (the
// planner's frozen markers: an autonegotiation was pending, and running the clock would have
// completed it early). From there the recording's timer is idle while the target's is still armed,
// so the target holds back that vector's interrupts (postponed, not notified), leaves its EICR bit
// set (EIAC clears it only when it notifies) and fires the timer late, once time runs again. A
// difference in exactly that state is explained by frozen time, with the recorded timer's line and
// the planner's reason; any other difference still fails. The hold ends where the target next ran
// time for a recorded marker (its timers fired then).

import type { DeviceEvent } from './device-event.js';
import { EICR, vectorOfEitr } from './traffic-taint.js';
import type { MsixLayout } from '../../devices/table.js';

const EIAC_CLEAR = /^Clearing ICR bits due to EIAC, ICR: 0x([0-9a-fA-F]+)/;
/** e1000e's ITR timer running out with an interrupt pending, which it then sends (INTx or MSI). */
export const ITR_TIMER_FIRED = /^e1000e_irq_(legacy|msi)_notify_postponed$/;

/** Why a difference is explained: the recorded timer's line, and why time stood still there. */
export interface HeldTimer {
  /** The timer as the report names it: `EITR(n)`, or `ITR`. */
  readonly timer: string;
  /** What it holds back: `vector n`, or `INTx and MSI interrupts`. */
  readonly holds: string;
  readonly line: number;
  readonly reason: string;
}

/**
 * Firings of a vector's timer the recording made at frozen markers beyond the first: the target's
 * timer, armed through the whole stretch with no time running, fires once for them all when time
 * runs, and then, armed again by a notification in that time run, once more for a later recorded
 * firing, which is then the one without a counterpart.
 */
export interface HeldSurplus {
  readonly held: HeldTimer;
  /** The recording's firings of the vector at frozen markers, in order. */
  readonly lines: readonly number[];
  /** How many later recorded firings of the vector may have no counterpart in the target. */
  readonly count: number;
}

export class HeldTimers {
  /** Vectors whose recorded timer fired at a frozen marker, with the first such firing. */
  private readonly held = new Map<number, HeldTimer>();
  /** Every firing of a held vector's recorded timer at frozen markers, by vector (lines, in order). */
  private readonly firings = new Map<number, number[]>();
  /** e1000e's ITR timer, when the recording fired it at a frozen marker. */
  private itr: HeldTimer | undefined;
  /** A vector's cause is its EICR bit (igb); on e1000e causes are ICR bits, which name no vector. */
  private readonly eicrBits: boolean;

  constructor(private readonly msix: MsixLayout) {
    this.eicrBits = msix.causes === 'EICR';
  }

  /** The recording's timer for `vector` fired at `line`, where the replay let no time run, for `reason`. */
  hold(vector: number, line: number, reason: string): void {
    if (!this.held.has(vector)) this.held.set(vector, { timer: `EITR(${vector})`, holds: `vector ${vector}`, line, reason });
    const lines = this.firings.get(vector) ?? [];
    lines.push(line);
    this.firings.set(vector, lines);
  }

  /**
   * Before time runs again (release): each held vector the recording fired more than once at frozen
   * markers and whose timer the target, in the time that ran, armed anew and fired more often than
   * the recording did there (`firedEarly(vector)`: the target's re-armed firings in this stretch of
   * time less the recording's), with how many of those firings beyond the first no difference has
   * explained yet (`explained(vector)`: the vector's missing firings explained by frozen time) —
   * at most as many as the target fired early.
   */
  surplus(explained: (vector: number) => number, firedEarly: (vector: number) => number): Map<number, HeldSurplus> {
    const result = new Map<number, HeldSurplus>();
    for (const [vector, held] of this.held) {
      const lines = this.firings.get(vector) ?? [];
      const count = Math.min(lines.length - 1 - explained(vector), firedEarly(vector));
      if (count > 0) result.set(vector, { held, lines, count });
    }
    return result;
  }

  /** The recording's ITR timer fired at `line`, where the replay let no time run, for `reason`. */
  holdItr(line: number, reason: string): void {
    this.itr ??= { timer: 'ITR', holds: 'INTx and MSI interrupts', line, reason };
  }

  /** The target ran time for a recorded marker: its held timers fired, both sides are alike again. */
  release(): void {
    this.held.clear();
    this.firings.clear();
    this.itr = undefined;
  }

  /** The held timer when every bit of `xor` in `register` is a held vector's EICR bit. */
  explainsBits(register: number, xor: number): HeldTimer | undefined {
    if (!this.eicrBits || register !== EICR || xor === 0) return undefined;
    const vectors = [...this.held.keys()];
    const bits = vectors.reduce((all, v) => all | (1 << v), 0);
    return (xor & ~bits) === 0 ? this.held.get(vectors.find((v) => (xor & (1 << v)) !== 0)!) : undefined;
  }

  /** The held timer an event is about: its vector's notification, throttling or timer, or its EICR bit. */
  involves(event: DeviceEvent): HeldTimer | undefined {
    switch (event.kind) {
      case 'notify': return event.how === 'msix' ? this.held.get(event.value) : event.how === 'msi' || event.value === 1 ? this.itr : undefined;
      case 'postponed': return event.register === this.msix.itr ? this.itr : this.held.get(vectorOfEitr(this.msix, event.register) ?? -1);
      case 'timer-fired': return this.held.get(event.vector);
      case 'irq-register': return this.eicrBits && event.register === EICR ? this.bitTimer(event.from | event.to) : undefined;
      case 'pending': return undefined;
      case 'other': {
        if (ITR_TIMER_FIRED.test(event.name)) return this.itr;
        const eiac = EIAC_CLEAR.exec(event.text);
        return eiac === null || !this.eicrBits ? undefined : this.bitTimer(Number.parseInt(eiac[1]!, 16));
      }
    }
  }

  private bitTimer(eicr: number): HeldTimer | undefined {
    for (const [vector, timer] of this.held) if ((eicr & (1 << vector)) !== 0) return timer;
    return undefined;
  }
}
