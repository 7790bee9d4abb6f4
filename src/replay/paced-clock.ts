// The replay's virtual clock between accesses, with the qtest accelerator (clock_step). The
// recording's clock ran between the driver's accesses; the replay's moves only where it steps it.
// Left still, every throttling timer armed between two time steps gets the same deadline, so the
// step that lets the recording's earliest timer fire fires them all at once, and interrupts the
// recording held back by a running timer go out at once in the replay: differences that are the
// replay's doing, not the device's.
//
// So before each access or received frame that armed a throttling timer in the recording, the
// clock is stepped to where the recording's clock was when it armed the first (measured from the
// last point both clocks were known to agree: the last time the replay ran time for a marker, or
// an autonegotiation's start), but never onto the deadline of a timer the recording armed and has
// not fired yet (it fires only where the recording shows it fire), nor onto a pending
// autonegotiation's (a step past it would complete the negotiation early), and always at least 1 ns
// past the previous such point (so timers armed one after the other get deadlines in that order).
// Timers that may run out or stop without a trace line (e1000e's ITR, its delay timers once one
// fired) hold nothing back. Pure: it computes the steps; the target sends them.

import type { SideEvent } from '../model/access.js';
import { delayTimerShot, isDelayRegister, TIMER_FIRED, timersArmed, type ArmedTimer } from '../devices/throttle-timers.js';
import { NEGOTIATION_DONE } from './plan.js';

/**
 * Room kept below a pending deadline. The recording's clock may pass a deadline whose timer QEMU's
 * busy main loop fires only later (it shows the firing where it happened); the replay's cannot
 * without firing it. What the recording did meanwhile is paced into the last microsecond before the
 * deadline, 1 ns apart, so timers armed then keep their order.
 */
const ROOM_NS = 1000n;
/** QEMU's autonegotiation takes 500 ms of virtual time (e1000x_restart_autoneg). */
const AUTONEG_NS = 500_000_000n;

export class PacedClock {
  /**
   * `silentTimers`: registers whose timer may run out without a trace line (e1000e's ITR, when no
   * interrupt is pending): the recording cannot show where they fired, so they hold nothing back.
   */
  constructor(private readonly silentTimers: readonly number[] = []) {}

  /** The target's virtual clock (ns), as its clock_step replies gave it and the steps sent since. */
  private now = 0n;
  /** A moment both clocks agree on: the virtual time, and the recording's time (µs) then. */
  private anchor: { readonly virtual: bigint; readonly recordedUs: number } | undefined;
  /** Deadlines of the timers the recording armed and has not fired yet, by register. */
  private readonly pending = new Map<number, bigint>();
  /** Where the target's autonegotiation timer runs out, while one is pending: the clock stays below it. */
  private negotiationDeadline: bigint | undefined;
  /** The last paced point's virtual time: the next is at least 1 ns later. */
  private lastPaced = -1n;

  /** The clock moved for another reason (a marker's time, a poll): `now` from its clock_step reply. */
  ranTo(now: bigint, recordedUs?: number): void {
    this.now = now;
    for (const [register, deadline] of this.pending) if (deadline <= now) this.pending.delete(register);
    if (this.negotiationDeadline !== undefined && this.negotiationDeadline <= now) this.negotiationDeadline = undefined;
    if (recordedUs !== undefined) this.anchor = { virtual: now, recordedUs };
  }

  /**
   * Time ran for a recorded happening at `recordedUs` (a marker): both clocks are at that moment
   * now, and the timers it armed after the last one it fired (the link interrupt of a completed
   * autonegotiation, say) are pending from here.
   */
  ranFor(recordedUs: number | undefined, events: readonly SideEvent[]): void {
    if (recordedUs !== undefined) this.anchor = { virtual: this.now, recordedUs };
    // The recording's negotiation completed here, and the replay ran its time until the target's
    // did: none is pending on either clock, wherever the estimate put its deadline (an estimate a
    // little later than the target's real one would hold every later step below it).
    if (events.some((event) => event.name === NEGOTIATION_DONE)) this.negotiationDeadline = undefined;
    let lastFired = -1;
    events.forEach((event, i) => { if (TIMER_FIRED.test(event.name)) lastFired = i; });
    // A delay timer running out fires every delayed cause and stops the other delay timers
    // (e1000e_intmgr_collect_delayed_causes), silently: none of them is pending any more.
    if (events.some((event) => delayTimerShot(event) !== undefined)) {
      for (const register of this.pending.keys()) if (isDelayRegister(register)) this.pending.delete(register);
    }
    for (const timer of timersArmed(events.slice(lastFired + 1))) this.arm(timer);
  }

  /**
   * Before something the recording did at `accessUs` that armed `timers`: how far to step the
   * clock (0n: not at all), given that the step is sent. Its timers are then pending from there.
   */
  stepBefore(accessUs: number | undefined, timers: readonly ArmedTimer[], startsNegotiation = false): bigint {
    // The first arming's own time where the trace has it: an access that arms timers late in its
    // work (a transmit whose answer was received first) is paced to when its delays started.
    const recordedUs = timers[0]?.atUs ?? accessUs;
    if (recordedUs !== undefined && this.anchor === undefined) this.anchor = { virtual: this.now, recordedUs };
    // QEMU arms a throttling timer only when it is not running, so one armed again has run out
    // before this, whether or not the recording shows it fire (ITR's timer runs out silently when
    // no interrupt is pending): it no longer holds the clock back.
    for (const timer of timers) this.pending.delete(timer.register);
    const desired = recordedUs === undefined || this.anchor === undefined
      ? this.now : this.anchor.virtual + BigInt(Math.max(0, Math.round((recordedUs - this.anchor.recordedUs) * 1000)));
    let target = desired > this.lastPaced ? desired : this.lastPaced + 1n;
    const deadline = this.earliestDeadline();
    if (deadline !== undefined && target > deadline - 1n - ROOM_NS) {
      const squeezed = deadline - 1n - ROOM_NS > this.lastPaced ? deadline - 1n - ROOM_NS : this.lastPaced + 1n;
      target = squeezed < deadline ? squeezed : deadline - 1n;
    }
    const step = target > this.now ? target - this.now : 0n;
    this.now += step;
    this.lastPaced = this.now;
    for (const timer of timers) this.arm(timer);
    if (startsNegotiation) {
      // Its timer counts from here on both clocks: later steps measure from here, so the time the
      // replay did not run before (an earlier negotiation's) does not carry the clock to its deadline.
      this.negotiationDeadline = this.now + AUTONEG_NS;
      if (recordedUs !== undefined) this.anchor = { virtual: this.now, recordedUs };
    }
    return step;
  }

  /** A timer armed now is pending until its deadline, unless it may run out unseen. */
  private arm(timer: ArmedTimer): void {
    if (!this.silentTimers.includes(timer.register)) this.pending.set(timer.register, this.now + timer.delayNs);
  }

  private earliestDeadline(): bigint | undefined {
    let earliest = this.negotiationDeadline;
    for (const deadline of this.pending.values()) if (earliest === undefined || deadline < earliest) earliest = deadline;
    return earliest;
  }
}
