// Throttling timers the recording fired where the replay let no time run (HeldTimers), for
// e1000e's ITR, which throttles INTx and MSI: while it is held, the target's postponed and missing
// notifications are the held timer's doing; a vector's MSI-X notification and other registers are
// not. Events are SYNTHETIC, in QEMU 10.0.2's exact formats.
import { describe, expect, it } from '@jest/globals';
import { deviceEvent, type DeviceEvent } from '../../src/checks/events/device-event.js';
import { HeldTimers } from '../../src/checks/events/held-timers.js';
import { deviceRow } from '../../src/devices/table.js';
import type { SideEvent } from '../../src/model/access.js';

const typed = (name: string, text: string): DeviceEvent => {
  const event: SideEvent = { name, category: 'irq', line: 1, text };
  const result = deviceEvent(event);
  if (result === undefined) throw new Error(`${name} is not compared`);
  return result;
};

describe('HeldTimers and e1000e\'s ITR', () => {
  const held = (): HeldTimers => {
    const timers = new HeldTimers(deviceRow('e1000e').msix);
    timers.holdItr(4433, 'an autonegotiation was pending');
    return timers;
  };

  it('explains what the held ITR timer holds back: INTx and MSI notifications, its postponing, its firing', () => {
    const timers = held();
    for (const event of [
      typed('e1000e_irq_legacy_notify', 'IRQ line state: 1'),
      typed('e1000e_irq_msi_notify', 'MSI notify 0x80'),
      typed('e1000e_irq_postponed_by_xitr', 'Interrupt postponed by [E]ITR register 0xc4'),
      typed('e1000e_irq_legacy_notify_postponed', 'Raising legacy IRQ postponed by ITR'),
    ]) expect(timers.involves(event)).toMatchObject({ timer: 'ITR', holds: 'INTx and MSI interrupts', line: 4433 });
  });

  it('leaves the rest to fail: the line going low, an EITR postponing, a vector\'s notification; and ends when time runs', () => {
    const timers = held();
    expect(timers.involves(typed('e1000e_irq_legacy_notify', 'IRQ line state: 0'))).toBeUndefined();
    expect(timers.involves(typed('e1000e_irq_postponed_by_xitr', 'Interrupt postponed by [E]ITR register 0xe8'))).toBeUndefined();
    expect(timers.involves(typed('e1000e_irq_msix_notify_vec', 'MSI-X notify vector 0x0'))).toBeUndefined();
    timers.release();
    expect(timers.involves(typed('e1000e_irq_legacy_notify', 'IRQ line state: 1'))).toBeUndefined();
  });

  it('is never held on igb, whose INTx and MSI are throttled by EITR(0)', () => {
    expect(deviceRow('igb').msix.itr).toBeUndefined();
    expect(deviceRow('e1000e').msix.itr).toBe(0xc4);
  });
});
