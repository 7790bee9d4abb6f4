// The paced clock's arithmetic, without QEMU: steps follow the recording's time from the last
// anchor, never reach a pending timer's deadline, keep arming points 1 ns apart at least, and
// leave room below a deadline the recording's clock passed before the timer fired. (Against a
// real QEMU it is exercised by every data-path replay with the qtest accelerator:
// scripts/check-clock-step.sh.)
import { describe, expect, it } from '@jest/globals';
import { PacedClock } from '../../src/replay/paced-clock.js';
import { accessTimersArmed, ArmedTimerLog, frameTimersArmed, timersArmed } from '../../src/devices/throttle-timers.js';
import type { SideEvent } from '../../src/model/access.js';

const armed = (register: number, delayNs: number): SideEvent => ({
  name: 'e1000e_irq_rearm_timer', category: 'irq', line: 1, text: `Mitigation timer armed for register 0x${register.toString(16).toUpperCase()}, delay ${delayNs} ns`,
});
const fired = (vector: number): SideEvent => ({ name: 'e1000e_irq_msix_notify_postponed_vec', category: 'irq', line: 2, text: `Sending MSI-X postponed by EITR[${vector}]` });
const EITR0 = 0x1680;
const EITR1 = 0x1684;

describe('timersArmed', () => {
  it('reads the register and delay of each arming, in order, and nothing else', () => {
    expect(timersArmed([armed(0xe8, 128000), fired(0), armed(EITR1, 200704)])).toEqual([
      { register: 0xe8, delayNs: 128000n }, { register: EITR1, delayNs: 200704n },
    ]);
  });
});

describe('PacedClock', () => {
  it('follows the recording from its first paced point, in nanoseconds', () => {
    const clock = new PacedClock();
    clock.ranTo(5_000n);
    expect(clock.stepBefore(1_000_000, [])).toBe(0n);
    expect(clock.stepBefore(1_000_250, [])).toBe(250_000n);
  });

  it('keeps arming points at least 1 ns apart where the recording shows no time between them', () => {
    const clock = new PacedClock();
    expect(clock.stepBefore(10, timersArmed([armed(EITR0, 128000)]))).toBe(0n);
    expect(clock.stepBefore(10, timersArmed([armed(EITR1, 128000)]))).toBe(1n);
  });

  it('never reaches a pending deadline: it stops 1 µs short, then goes on 1 ns at a time below it', () => {
    const clock = new PacedClock();
    clock.stepBefore(0, timersArmed([armed(EITR0, 128000)]));
    // The recording's clock went 600 µs on while its timer waited for QEMU's busy main loop.
    expect(clock.stepBefore(600, [])).toBe(128_000n - 1n - 1000n);
    expect(clock.stepBefore(700, timersArmed([armed(EITR1, 128000)]))).toBe(1n);
    expect(clock.stepBefore(800, [])).toBe(1n);
  });

  it('forgets a timer once the clock ran past its deadline, and anchors on the marker that ran it', () => {
    const clock = new PacedClock();
    clock.stepBefore(0, timersArmed([armed(EITR0, 128000)]));
    clock.ranTo(128_000n);
    clock.ranFor(600, [fired(0)]);
    expect(clock.stepBefore(650, [])).toBe(50_000n);
  });

  it('takes as pending the timers a marker armed after the last one it fired', () => {
    const clock = new PacedClock();
    clock.ranTo(1_000n);
    clock.ranFor(10, [fired(0), armed(0x1688, 372736)]);
    expect(clock.stepBefore(1_000, [])).toBe(372_736n - 1n - 1000n);
  });

  it('does not move for an access of a trace without times beyond the 1 ns that orders armings', () => {
    const clock = new PacedClock();
    expect(clock.stepBefore(undefined, timersArmed([armed(EITR0, 128000)]))).toBe(0n);
    expect(clock.stepBefore(undefined, [])).toBe(1n);
  });
});

// e1000e in INTx/MSI mode: ITR's timer, and the receive/transmit delay timers (RDTR 0x2820,
// RADV 0x282C, TIDV 0x3820, TADV 0x382C), as a Linux 6.1 e1000e guest with pci=nomsi armed them.
const ITR = 0xc4;
const at = (event: SideEvent, line: number, timeUs: number): SideEvent => ({ ...event, line, timeUs });
const shot = (register: number): SideEvent => ({
  name: 'e1000e_irq_throttling_timer', category: 'irq', line: 3, text: `Mitigation timer shot for register 0x${register.toString(16).toUpperCase()}`,
});

describe('PacedClock with e1000e\'s ITR and delay timers', () => {
  it('paces to when the first timer was armed, where the trace says', () => {
    const clock = new PacedClock();
    clock.stepBefore(1_000, []);
    // The access began at 1,000 µs; its timer was armed 33 µs into it.
    expect(clock.stepBefore(1_010, timersArmed([at(armed(0x3820, 8192), 5, 1_043)]))).toBe(43_000n);
  });

  it('lets a timer armed again pass its old deadline: QEMU arms only a timer that is not running', () => {
    const clock = new PacedClock();
    clock.stepBefore(0, timersArmed([armed(EITR0, 128000)]));
    expect(clock.stepBefore(600, timersArmed([armed(EITR0, 128000)]))).toBe(600_000n);
  });

  it('is not held back by a timer that may run out unseen (ITR with nothing pending)', () => {
    const clock = new PacedClock([ITR]);
    clock.stepBefore(0, timersArmed([armed(ITR, 128000)]));
    expect(clock.stepBefore(600, [])).toBe(600_000n);
  });

  it('forgets every delay timer once one ran out (it fires all delayed causes and stops the others)', () => {
    const clock = new PacedClock();
    clock.stepBefore(0, timersArmed([armed(0x3820, 8192), armed(0x382c, 32768)]));
    clock.ranTo(8_192n);
    clock.ranFor(9, [shot(0x3820)]);
    expect(clock.stepBefore(1_000, [])).toBe(1_000n * 1000n - 9_000n);
  });
});

describe('frameTimersArmed and accessTimersArmed', () => {
  // A transmit (line 10) whose answer was received during it (receipt at line 20): the frame
  // armed ITR, then the transmit its delay timers.
  const events = [at(armed(ITR, 128000), 30, 100), at(armed(0x3820, 8192), 31, 222), at(armed(0x382c, 32768), 32, 226)];

  it('give the frame the timers it armed before the transmit\'s delay timers', () => {
    expect(frameTimersArmed(events).map((t) => t.register)).toEqual([ITR]);
  });

  it('give the transmit its own timers once its frames\' receipts are known', () => {
    expect(accessTimersArmed(events, [20]).map((t) => t.register)).toEqual([0x3820, 0x382c]);
    expect(accessTimersArmed(events, [20])[0]!.atUs).toBe(222);
    // Without receipts (or without a transmit delay timer after a frame, as on igb) every arming counts.
    expect(accessTimersArmed(events).map((t) => t.register)).toEqual([ITR, 0x3820, 0x382c]);
    expect(accessTimersArmed([at(armed(EITR0, 128000), 30, 100)], [20]).map((t) => t.register)).toEqual([EITR0]);
  });
});

describe('PacedClock and a pending autonegotiation', () => {
  it('stays below the negotiation\'s 500 ms deadline, counted from the access that started it, which anchors the clocks', () => {
    const clock = new PacedClock();
    clock.ranTo(1_000n);
    clock.ranFor(0, []);
    // The recording's clock went 2 s on before the negotiation started (the replay's did not).
    expect(clock.stepBefore(2_000_000, [], true)).toBe(2_000_000_000n);
    // 30 ms after the start: paced from the start, not from the older anchor.
    expect(clock.stepBefore(2_030_000, [])).toBe(30_000_000n);
    // 600 ms after: held 1 µs short of the negotiation's deadline.
    expect(clock.stepBefore(2_600_000, [])).toBe(500_000_000n - 30_000_000n - 1n - 1000n);
    // Once time ran past it (the autoneg marker), the clock follows the recording again.
    clock.ranTo(1_000n + 2_000_000_000n + 500_000_000n);
    clock.ranFor(2_700_000, []);
    expect(clock.stepBefore(2_700_100, [])).toBe(100_000n);
  });

  // Found on a Linux 5.10 e1000e nomsi recording (not shipped): the target's negotiation ran out
  // 169 µs before the deadline estimated from the access that started it; the clock stood still
  // after it, below a deadline no negotiation had any more, and an ITR timer the recording saw run
  // out still held the driver's next interrupt back in the target.
  it('holds nothing back once the recording\'s negotiation completed, wherever the estimate put its deadline', () => {
    const clock = new PacedClock();
    clock.ranTo(1_000n);
    clock.ranFor(0, []);
    expect(clock.stepBefore(2_000_000, [], true)).toBe(2_000_000_000n);
    // The target's negotiation ran out 169 µs before the estimate: the replay stepped to it.
    const done = { name: 'e1000x_link_negotiation_done', category: 'link', line: 3, text: 'Auto negotiation is completed' } as const;
    clock.ranTo(1_000n + 2_000_000_000n + 500_000_000n - 169_000n);
    clock.ranFor(2_500_000, [done]);
    // 11 ms later the recording armed ITR again: the clock follows it all the way.
    expect(clock.stepBefore(2_511_000, [])).toBe(11_000_000n);
  });
});

describe('ArmedTimerLog (a target\'s own log, line by line)', () => {
  it('follows timers by register: ITR is not followed, a delay timer firing stops the others, a vector\'s firing its EITR', () => {
    const log = new ArmedTimerLog(0xe8, [ITR]);
    expect(log.follow('e1000e_irq_rearm_timer Mitigation timer armed for register 0xC4, delay 128000 ns')).toBe(false);
    expect(log.count).toBe(0);
    log.follow('e1000e_irq_rearm_timer Mitigation timer armed for register 0x3820, delay 8192 ns');
    log.follow('e1000e_irq_rearm_timer Mitigation timer armed for register 0x382C, delay 32768 ns');
    log.follow('e1000e_irq_rearm_timer Mitigation timer armed for register 0xEC, delay 200704 ns');
    expect(log.count).toBe(3);
    expect(log.follow('e1000e_irq_throttling_timer Mitigation timer shot for register 0x3820')).toBe(true);
    expect(log.count).toBe(1);
    expect(log.follow('e1000e_irq_msix_notify_postponed_vec Sending MSI-X postponed by EITR[1]')).toBe(true);
    expect(log.count).toBe(0);
    expect(log.follow('e1000e_irq_legacy_notify_postponed Raising legacy IRQ postponed by ITR')).toBe(true);
    expect(log.follow('e1000e_core_read Read from register 0x8, 4 byte(s), value: 0x80080783')).toBe(false);
  });
});
