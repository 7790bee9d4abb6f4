// Throttling-timer firings shifted in time between the recording and the replay. A replay lets
// virtual time run only at markers, so a timer of a few hundred microseconds may fire one stretch
// of time earlier or later in the target than in the recording: a firing missing in one stretch
// and extra in a neighbouring one is one firing on each side, and no difference. This module pairs
// them across the walk of the device-event check (compare-events.ts), and knows what ends a wait
// for a counterpart: a firing at an access (QEMU fires running timers when the device resets) and
// a software reset, which stops every timer on both sides.

import type { SideEvent } from '../../model/access.js';
import type { EventDivergence } from '../../model/events.js';
import type { DeviceEvent } from './device-event.js';

/** A throttling timer's firing as a divergence names it, and with its vector. */
const TIMER_SUBJECT = /^EITR\(\d+\) throttling timer$/;
/**
 * QEMU's EIAC auto-clear, logged with each MSI-X notification (so also with the one a throttling
 * timer sends, shifting with it); with a throttled one it clears nothing left.
 */
const EIAC_CLEAR_EVENT = 'e1000e_irq_icr_clear_eiac';
const EIAC_CLEARED_NOTHING = /ICR: 0x0,/;
export const TIMER_VECTOR = /^EITR\((\d+)\) throttling timer$/;

/** An EIAC auto-clear that cleared nothing (`text`: its logged text on the side that has it): one a throttling timer's firing logs. */
export function isEmptyEiacClear(d: EventDivergence, text: string): boolean {
  return d.subject === EIAC_CLEAR_EVENT && EIAC_CLEARED_NOTHING.test(text);
}

/**
 * QEMU's software reset of the device (a CTRL write with RST, igb's and e1000e's alike): it stops
 * every throttling timer (e1000e deletes them; igb fires them at the write, logged there), so no
 * firing before it can be shifted past it.
 */
const DEVICE_RESET_EVENT = 'e1000e_core_ctrl_sw_reset';

/** Whether a place's events, on either side, show the device reset by software (DEVICE_RESET_EVENT). */
export function isDeviceReset(events: readonly SideEvent[]): boolean {
  return events.some((e) => e.name === DEVICE_RESET_EVENT);
}

/** What QEMU logs with the notification a throttling timer sends: EIAC's auto-clear of the vector's EICR bit. */
const shiftsWithTimer = (d: EventDivergence): boolean => d.subject === EIAC_CLEAR_EVENT;

/**
 * Whether an event is missing on the target or extra there: as classified, or, for one explained by
 * frozen time (a timer the replay let fire later), as it would be otherwise.
 */
function direction(d: EventDivergence): 'missing' | 'extra' | undefined {
  if (d.class === 'event-missing' || d.class === 'event-extra') return d.class === 'event-missing' ? 'missing' : 'extra';
  if (d.class !== 'explained-by-frozen-time') return undefined;
  return d.actual === 'none' ? 'missing' : d.expected === 'none' ? 'extra' : undefined;
}

function opposite(a: EventDivergence, b: EventDivergence): boolean {
  const [x, y] = [direction(a), direction(b)];
  return x !== undefined && y !== undefined && x !== y;
}

/** The pairing, fed by the device-event check's walk: each closed time pool, each access's differences, each reset. */
export class ShiftedTimers {
  /** Throttling-timer differences of the last time pool, which the next pool may cancel. */
  private unmatchedTimers: EventDivergence[] = [];
  /** Throttling-timer firings at accesses since the last time pool closed that no waiting firing took (atAccess). */
  private accessTimers: EventDivergence[] = [];
  /** The line of the last access that reset the device (reset). */
  private lastResetLine = 0;

  /**
   * A throttling timer of a few hundred microseconds may fire in the stretch of time before or after
   * the one it fired in when recorded (a replay controls time only at markers): a timer missing in
   * one time pool and extra for the same vector in the next (or the other way round) fired once on
   * each side, and is no difference. Nor is the EIAC auto-clear its notification logged (the same
   * text, shifted the same way), at most one per shifted timer. Gives back this pool's differences
   * less the ones cancelled here, and the earlier pools' it cancelled (the caller drops them); then
   * settles the firings at accesses since the last pool (atAccess). `events`: both sides' typed
   * events of this pool (which vectors' timers fired here).
   */
  pool(divergences: readonly EventDivergence[], events: readonly DeviceEvent[]): { readonly kept: EventDivergence[]; readonly cancelled: ReadonlySet<EventDivergence> } {
    const firedHere = new Set(events.flatMap((e) => (e.kind === 'timer-fired' ? [e.vector] : [])));
    const previous = this.unmatchedTimers;
    const kept: EventDivergence[] = [];
    const cancelled = new Set<EventDivergence>();
    const pending: EventDivergence[] = [];
    // Timers cancelled here, by class: an empty EIAC clear that shifted with one is no difference either.
    const shiftedClasses: string[] = [];
    /** Clears of this place that may still cancel one of the previous place's: one per shifted timer whose own clear was not already cancelled with it. */
    let budget = 0;
    for (const d of divergences) {
      if (shiftsWithTimer(d)) {
        pending.push(d);
        continue;
      }
      const match = TIMER_SUBJECT.test(d.subject)
        ? previous.find((p) => !cancelled.has(p) && p.subject === d.subject && opposite(p, d)) : undefined;
      if (match === undefined) kept.push(d);
      else {
        cancelled.add(match);
        shiftedClasses.push(d.class);
        budget++;
        // The empty EIAC clear QEMU logged with that firing shifted with it. Here its counterpart may
        // have paired with the other side's clear of another shifted timer (two timers shifting in a
        // chain, each a pool early): then it is one side's only there, and goes with its timer.
        const companion = previous.find((p) => !cancelled.has(p) && p.line === match.line && p.class === match.class
          && isEmptyEiacClear(p, `${p.expected} ${p.actual}`));
        if (companion !== undefined) {
          cancelled.add(companion);
          budget--;
        }
      }
    }
    for (const d of pending) {
      const match = budget > 0 ? previous.find((p) => !cancelled.has(p) && p.subject === d.subject && opposite(p, d)
        && (p.expected === d.actual || p.actual === d.expected)) : undefined;
      if (match !== undefined) {
        cancelled.add(match);
        budget--;
        continue;
      }
      // The EIAC auto-clear QEMU logs with a shifted timer's postponed notification: in the other
      // pool it matched the other side's clear of another timer (a received packet's, which a
      // replay without injected frames explains), so here it is one side's only.
      const shifted = shiftedClasses.indexOf(d.class);
      if (shifted >= 0 && isEmptyEiacClear(d, `${d.expected} ${d.actual}`)) {
        shiftedClasses.splice(shifted, 1);
        continue;
      }
      kept.push(d);
    }
    // A firing one side did early waits for its counterpart past stretches of time in which that
    // vector's timer fired on neither side (a folded polling loop's, say): until then nothing else
    // can be that firing. Its EIAC clear waits with it.
    const waiting = previous.filter((p) => {
      if (cancelled.has(p)) return false;
      const vector = TIMER_VECTOR.exec(p.subject);
      return vector !== null && !firedHere.has(Number(vector[1]));
    });
    const waitingLines = new Set(waiting.map((p) => p.line));
    const waitingClears = previous.filter((p) => !cancelled.has(p) && shiftsWithTimer(p) && waitingLines.has(p.line));
    this.unmatchedTimers = [...waiting, ...waitingClears,
      ...kept.filter((d) => (TIMER_SUBJECT.test(d.subject) || shiftsWithTimer(d)) && direction(d) !== undefined)]
      .filter((d) => d.line > this.lastResetLine);
    this.settleAccessTimers();
    return { kept, cancelled };
  }

  /**
   * A throttling timer one side fired at an access (QEMU fires every running one when the device
   * resets, a function-level reset say) is the counterpart of that vector's firing the other side
   * did in a stretch of time around it: one still waiting for its counterpart (pool) waits no
   * longer, and one in the stretch of time still open is settled when it closes
   * (settleAccessTimers). Either way it cannot take a later, unrelated firing for its own. How each
   * was classed stays.
   */
  atAccess(divergences: readonly EventDivergence[]): void {
    for (const d of divergences) {
      if (TIMER_SUBJECT.test(d.subject) && direction(d) !== undefined && !this.stopWaiting(d)) this.accessTimers.push(d);
    }
  }

  /**
   * The device was reset at an access (isDeviceReset, on either side): a firing still waiting
   * for its counterpart in a later stretch of time (pool) waits no longer, nor will
   * one of a stretch of time that began before the reset and closes after it, since the reset
   * stopped the timer on both sides; each keeps how it was classed. (Firings at accesses since the
   * stretch began still settle it: a reset is where igb fires them.)
   */
  reset(line: number): void {
    this.unmatchedTimers = [];
    this.lastResetLine = line;
  }

  /** The firings at accesses since the last stretch of time closed, against what that stretch leaves waiting. */
  private settleAccessTimers(): void {
    for (const d of this.accessTimers) this.stopWaiting(d);
    this.accessTimers = [];
  }

  /** Ends the wait of the firing (and its EIAC clear) that `d`, a firing at an access, is the counterpart of; false if none waits. */
  private stopWaiting(d: EventDivergence): boolean {
    const waiting = this.unmatchedTimers.find((p) => p.subject === d.subject && opposite(p, d));
    if (waiting === undefined) return false;
    const clear = this.unmatchedTimers.find((p) => p.line === waiting.line && p.class === waiting.class && shiftsWithTimer(p));
    this.unmatchedTimers = this.unmatchedTimers.filter((p) => p !== waiting && p !== clear);
    return true;
  }
}
