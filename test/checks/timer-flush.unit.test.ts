// The swapped order of a frame QEMU handed over inside the autonegotiation timer, on the real
// linux-6.1-aarch64-ethtool recording (frame at line 13,459 between the timer's negotiation-done
// marker 13,457 and its tail 13,484: flow control, LSC, MSI-X vector 0). The six divergences the
// source-built QEMU showed there before (copied from that run's JSON) are explained; a difference
// that is not that swap, at the same places, still fails.
import { describe, expect, it } from '@jest/globals';
import { readTrace } from '../../src/formats/read-trace.js';
import type { TraceRecord } from '../../src/model/access.js';
import type { EventDivergence, EventPlace } from '../../src/model/events.js';
import { registersFor } from '../../src/regs/database.js';
import { explainTimerFlushes, timerFlushAt, type TimerFlush } from '../../src/checks/events/timer-flush.js';

/** Where the replay compared the timer's marker 13,457: the stretch of time starting at 13,452 (from the same run). */
const TIME_PLACE = new Map([[13457, 13452]]);
const records: TraceRecord[] = [];
await readTrace('traces/linux-6.1-aarch64-ethtool.log', { access: (a) => records.push(a), marker: (m) => records.push(m) }, {});
const registers = registersFor('igb');

const TIME: EventPlace = { kind: 'time', marker: 'itr-timer, autoneg' };
const TAIL: EventPlace = { kind: 'time', marker: 'autoneg' };
const PACKET: EventPlace = { kind: 'packet', frames: 1 };

function divergence(cls: EventDivergence['class'], line: number, place: EventPlace, subject: string, fields: EventDivergence['fields'] = []): EventDivergence {
  return { class: cls, line, seq: 11933, place, subject, expected: 'x', actual: 'y', fields, reason: 'as compared' };
}

/** What the source-built QEMU reported before the swap was explained. */
const OBSERVED = [
  divergence('event-extra', 13452, TIME, 'e1000e_link_autoneg_flowctl'),
  divergence('interrupt-extra', 13452, TIME, 'MSI-X vector 0'),
  divergence('event-extra', 13452, TIME, 'e1000e_irq_icr_clear_eiac'),
  divergence('cause-differs', 13459, PACKET, 'ICR', [{ field: 'LSC', expected: 0, actual: 1 }]),
  divergence('event-missing', 13484, TAIL, 'e1000e_link_autoneg_flowctl'),
  divergence('interrupt-missing', 13484, TAIL, 'MSI-X vector 0'),
];

function flush(): TimerFlush {
  const index = records.findIndex((r) => r.type === 'marker' && r.line === 13459);
  const found = timerFlushAt(records, index, registers);
  if (found === undefined) throw new Error('no timer flush at line 13,459');
  return found;
}

describe('a frame flushed inside the autoneg timer', () => {
  it('is found with the timer\'s tail: its markers, what its events are called, the ICR bits it sets', () => {
    const found = flush();
    expect(found).toMatchObject({ frameLine: 13459, timerLine: 13457, timer: 'autoneg', tailLines: new Set([13484]) });
    expect([...found.tailSubjects]).toEqual(expect.arrayContaining(['e1000e_link_autoneg_flowctl', 'MSI-X vector 0', 'e1000e_irq_icr_clear_eiac', 'ICR']));
    expect([...found.icrFieldsSet]).toEqual(['LSC']);
    expect(records.filter((r, i) => r.type === 'marker' && timerFlushAt(records, i, registers) !== undefined)).toHaveLength(1);
  });

  it('explains the divergences that are the swap, naming the frame and the timer', () => {
    const result = explainTimerFlushes(OBSERVED, [flush()], TIME_PLACE);
    expect(result.map((d) => d.class)).toEqual(Array(OBSERVED.length).fill('explained-by-traffic'));
    for (const d of result) expect(d.reason).toMatch(/^order: QEMU handed the frame at line 13,459 to the device inside the autoneg timer/);
  });

  it('still fails what is not the swap at the same places: another vector, another ICR bit, an earlier stretch of time', () => {
    const others = [
      divergence('interrupt-missing', 13484, TAIL, 'MSI-X vector 3'),
      divergence('cause-differs', 13459, PACKET, 'ICR', [{ field: 'LSC', expected: 0, actual: 1 }, { field: 'RXT0', expected: 1, actual: 0 }]),
      divergence('event-extra', 13100, TIME, 'e1000e_link_autoneg_flowctl'),
      divergence('event-differs', 13484, TAIL, 'e1000e_link_autoneg_flowctl'),
    ];
    const result = explainTimerFlushes([...OBSERVED, ...others], [flush()], TIME_PLACE);
    expect(result.slice(OBSERVED.length)).toEqual(others);
  });

  it('explains no extra event in time without the stretch the timer was compared in', () => {
    const result = explainTimerFlushes(OBSERVED, [flush()], new Map());
    expect(result.filter((d) => d.class !== 'explained-by-traffic').map((d) => `${d.line} ${d.subject}`))
      .toEqual(['13452 e1000e_link_autoneg_flowctl', '13452 MSI-X vector 0', '13452 e1000e_irq_icr_clear_eiac']);
  });

  it('changes nothing without a flush', () => {
    expect(explainTimerFlushes(OBSERVED, [], TIME_PLACE)).toEqual(OBSERVED);
  });
});
