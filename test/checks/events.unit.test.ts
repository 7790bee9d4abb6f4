// The device-event check on SYNTHETIC records and target logs (hand-made, in the exact line formats
// of QEMU 10.0.2's hw/net/trace-events): which events are compared, how differences are classed
// and decoded, how time is pooled, and what unreplayed packets explain — and what they do not.

import { describe, expect, it } from '@jest/globals';
import type { Access, Marker, SideEvent, TraceRecord } from '../../src/model/access.js';
import { compareDeviceEvents } from '../../src/checks/events/compare-events.js';
import type { TargetEventLog, TimeSegment } from '../../src/model/events.js';
import { igbRegisters } from '../../src/regs/index.js';

let nextLine = 1;
function ev(name: string, text: string): SideEvent {
  return { name, category: 'irq', line: nextLine++, text };
}
function access(seq: number, kind: 'read' | 'write', offset: number, value: number, events: SideEvent[] = []): Access {
  return { type: 'access', seq, line: 1000 + seq, kind, space: 'mmio', offset, size: 4, value, verdict: 'ok', events };
}
function marker(kind: Marker['kind'], afterSeq: number, events: SideEvent[]): Marker {
  return { type: 'marker', kind, line: 2000 + afterSeq, afterSeq, events };
}
/** A marker at a chosen line (several after one access). */
function at(kind: Marker['kind'], line: number, afterSeq: number, events: SideEvent[]): Marker {
  return { type: 'marker', kind, line, afterSeq, events };
}
const done = (): SideEvent => ev('e1000x_link_negotiation_done', 'Auto negotiation is completed');
const notify = (vector: number): SideEvent => ev('e1000e_irq_msix_notify_vec', `MSI-X notify vector 0x${vector.toString(16)}`);
const irqSet = (register: number, from: number, to: number): SideEvent => ev('e1000e_irq_set', `Setting interrupt register 0x${register.toString(16)}: 0x${from.toString(16)} --> 0x${to.toString(16)}`);
const eics = (value: number): SideEvent => ev('igb_irq_write_eics', `Update EICS: 0x${value.toString(16)} MSI-X: 1`);
const tx = (): SideEvent => ev('e1000e_tx_descr', '0x1066802 : 2b30005a 168000');

const EICS = 0x1520;
const EICR = 0x1580;
const ICR = 0xc0;

function check(records: TraceRecord[], target: Partial<TargetEventLog>, actual: ReadonlyMap<number, number> = new Map(),
  frozenTime: ReadonlyMap<number, string> = new Map()) {
  const places = records.filter((r): r is Access => r.type === 'access');
  return compareDeviceEvents({
    records, places, registers: igbRegisters(), actualOf: (seq) => actual.get(seq), frozenTime,
    target: { start: target.start ?? [], byPlace: target.byPlace ?? new Map(), time: target.time ?? [], placesLogged: places.length },
  });
}

describe('device events of replayed accesses', () => {
  it('finds nothing when the target logs what the recording logged', () => {
    const records = [access(0, 'write', EICS, 0x2, [eics(0x2), irqSet(EICR, 0, 2), notify(1)])];
    const result = check(records, { byPlace: new Map([[0, [eics(0x2), irqSet(EICR, 0, 2), notify(1)]]]) });
    expect(result.divergences).toEqual([]);
    expect(result.tally.compared).toBe(6);
  });

  it('names a missing MSI-X notification with the access that caused it', () => {
    const records = [access(0, 'write', EICS, 0x2, [eics(0x2), irqSet(EICR, 0, 2), notify(1)])];
    const result = check(records, { byPlace: new Map([[0, [eics(0x2), irqSet(EICR, 0, 2)]]]) });
    expect(result.divergences).toEqual([expect.objectContaining({
      class: 'interrupt-missing', line: 1000, subject: 'MSI-X vector 1', expected: 'notified MSI-X vector 1', actual: 'none',
      place: { kind: 'access', access: 'write', register: 'EICS', value: 2 },
    })]);
  });

  it('names a config-space access as one, not as the BAR0 register at the same offset', () => {
    // 0xa8 is PCIe Device Control (an FLR is written there); in BAR0 it is RAL_A(13).
    const records: TraceRecord[] = [{ ...access(0, 'write', 0xa8, 0x8000, [notify(1)]), space: 'pci-config', size: 2 }];
    const result = check(records, { byPlace: new Map([[0, []]]) });
    expect(result.divergences).toEqual([expect.objectContaining({ place: { kind: 'access', access: 'write', register: 'config 0xa8', value: 0x8000 } })]);
  });

  it('decodes a cause register that went to another value into its fields', () => {
    const records = [access(0, 'write', EICS, 0x2, [irqSet(ICR, 0, 0x4)])];
    const result = check(records, { byPlace: new Map([[0, [irqSet(ICR, 0, 0x5)]]]) });
    expect(result.divergences).toHaveLength(1);
    expect(result.divergences[0]).toMatchObject({ class: 'cause-differs', subject: 'ICR', expected: 'set 0x0 → 0x4', actual: 'set 0x0 → 0x5' });
    expect(result.divergences[0]!.fields).toEqual([{ field: 'TXDW', expected: 0, actual: 1 }]);
  });

  it('does not compare data-path events, and says why', () => {
    const records = [access(0, 'write', 0xe018, 1, [tx()])];
    const result = check(records, { byPlace: new Map([[0, [ev('e1000e_tx_descr', '(nil) : 0 0')]]]) });
    expect(result.divergences).toEqual([]);
    expect(result.tally.excluded).toEqual([{ reason: expect.stringMatching(/^data path/), events: 2 }]);
  });
});

describe('what unreplayed packets explain', () => {
  it('explains the interrupt a transmit raised at the very access', () => {
    const records = [access(0, 'write', 0xe018, 1, [tx(), irqSet(EICR, 0, 4), notify(2), irqSet(ICR, 0, 1)])];
    const result = check(records, {});
    expect(result.divergences.map((d) => d.class)).toEqual(['explained-by-traffic', 'explained-by-traffic', 'explained-by-traffic']);
    expect(result.divergences[0]!.reason).toMatch(/moved a packet at line \d+, which a register replay does not send, .*\(otherwise event-missing/);
  });

  it('explains later differences in exactly the bits the packet set, and fails any other bit', () => {
    const records = [
      access(0, 'write', 0xe018, 1, [tx(), irqSet(ICR, 0, 0x1)]),
      access(1, 'write', EICS, 0, [irqSet(ICR, 0x1, 0x5)]),
      access(2, 'write', EICS, 0, [irqSet(ICR, 0x5, 0x85)]),
    ];
    const result = check(records, { byPlace: new Map([[1, [irqSet(ICR, 0, 0x4)]], [2, [irqSet(ICR, 0x4, 0x4)]]]) });
    const classesAt = (line: number) => result.divergences.filter((d) => d.line === line).map((d) => d.class);
    expect(classesAt(1001)).toEqual(['explained-by-traffic']);
    // At seq 2 the target is also missing RXT0 (0x80), which no packet set: a real difference.
    expect(classesAt(1002)).toEqual(['cause-differs']);
  });

  it('explains an ICR read whose differing bits a packet set, until the read clears them', () => {
    const records = [
      access(0, 'write', 0xe018, 1, [tx(), irqSet(ICR, 0, 0x1)]),
      access(1, 'read', ICR, 0x1, [ev('e1000e_irq_icr_clear_zero_ims', 'Clearing ICR on read due to zero IMS')]),
      access(2, 'write', EICS, 0, [irqSet(ICR, 0, 0x1)]),
      access(3, 'read', ICR, 0x1),
    ];
    const result = check(records, { byPlace: new Map([[1, [ev('e1000e_irq_icr_clear_zero_ims', 'Clearing ICR on read due to zero IMS')]], [2, [irqSet(ICR, 0, 0x1)]]]) },
      new Map([[1, 0x0], [3, 0x0]]));
    expect([...result.explainedReads.keys()]).toEqual([1]);
  });

  it('explains a throttling timer that traffic armed, until the recording shows it fire', () => {
    const fired = (v: number): SideEvent => ev('e1000e_irq_msix_notify_postponed_vec', `Sending MSI-X postponed by EITR[${v}]`);
    const records: TraceRecord[] = [
      access(0, 'write', 0xe018, 1, [tx(), notify(2)]),
      marker('itr-timer', 0, [fired(2)]),
      access(1, 'write', EICS, 0x4, []),
      marker('itr-timer', 1, [fired(2)]),
    ];
    const time: TimeSegment[] = [{ afterPlace: 1, cause: 'marker', events: [] }, { afterPlace: 2, cause: 'marker', events: [] }];
    const result = check(records, { time });
    const timer = result.divergences.filter((d) => d.subject === 'EITR(2) throttling timer');
    expect(timer.map((d) => d.class)).toEqual(['explained-by-traffic', 'event-missing']);
  });
});

describe('what throttling timers the replay could not let fire explain', () => {
  const fired = (v: number): SideEvent => ev('e1000e_irq_msix_notify_postponed_vec', `Sending MSI-X postponed by EITR[${v}]`);
  const postponed = (v: number): SideEvent => ev('e1000e_irq_postponed_by_xitr', `Interrupt postponed by [E]ITR register 0x${(0x1680 + 4 * v).toString(16)}`);
  const eiacClear = (eicr: number): SideEvent => ev('e1000e_irq_icr_clear_eiac', `Clearing ICR bits due to EIAC, ICR: 0x${eicr.toString(16)}, EIAC: 0x1C00007`);
  const mailbox = (): SideEvent => ev('igb_set_pfmailbox', 'PFMailbox[0]: 0x1');
  // The recording: EITR(23)'s timer fires at a marker where the replay let no time run (the
  // autonegotiation after it is pending); the next mailbox interrupt is sent at once. The target's
  // timer is still armed: it holds the interrupt back, and EICR bit 23 stays set.
  const records = (): TraceRecord[] => [
    access(0, 'write', 0xc00, 1, [mailbox(), irqSet(EICR, 0, 0x800000), notify(23), eiacClear(0x800000)]),
    marker('itr-timer', 0, [fired(23), eiacClear(0)]),
    access(1, 'write', 0xc00, 1, [mailbox(), irqSet(EICR, 0, 0x800000), notify(23), eiacClear(0x800000)]),
    access(2, 'write', 0xc40, 2, [ev('igb_set_vfmailbox', 'VFMailbox[0]: 0x2'), irqSet(ICR, 0, 0x100), notify(0), eiacClear(0x1)]),
    marker('autoneg', 2, [ev('e1000x_link_negotiation_done', 'Auto negotiation is completed')]),
    access(3, 'read', 0x8, 0x80080483),
  ];
  const target = (): Partial<TargetEventLog> => ({
    byPlace: new Map([
      [0, [mailbox(), irqSet(EICR, 0, 0x800000), notify(23), eiacClear(0x800000)]],
      [1, [mailbox(), irqSet(EICR, 0x800000, 0x800000), postponed(23)]],
      [2, [ev('igb_set_vfmailbox', 'VFMailbox[0]: 0x2'), irqSet(ICR, 0, 0x100), notify(0), eiacClear(0x800001)]],
    ]),
    time: [{ afterPlace: 3, cause: 'marker', events: [ev('e1000x_link_negotiation_done', 'Auto negotiation is completed'), fired(23), eiacClear(0x800000)] }],
  });
  const FROZEN = new Map([[2000, 'an autonegotiation was pending']]);

  it('explains exactly that vector\'s differences until time runs, naming the timer\'s line and why', () => {
    const result = check(records(), target(), new Map(), FROZEN);
    expect(result.divergences.length).toBeGreaterThan(0);
    expect(result.divergences.every((d) => d.class === 'explained-by-frozen-time')).toBe(true);
    expect(result.divergences.map((d) => `${d.line} ${d.subject}`)).toEqual(expect.arrayContaining([
      '1001 EICR', '1001 MSI-X vector 23', '1001 EITR(23) throttling', '1002 e1000e_irq_icr_clear_eiac',
    ]));
    expect(result.divergences[0]!.reason).toMatch(/EITR\(23\) throttling timer fired at line \d+, where the replay let no time run \(an autonegotiation was pending\)/);
    // The mailbox events themselves are compared, and agree.
    expect(result.divergences.some((d) => d.subject.startsWith('igb_set_'))).toBe(false);
  });

  it('fails the same differences where the replay did let time run there', () => {
    const classes = check(records(), target()).divergences.map((d) => d.class);
    expect(classes).toEqual(expect.arrayContaining(['cause-differs', 'interrupt-missing', 'event-extra', 'event-differs']));
    expect(classes).not.toContain('explained-by-frozen-time');
  });

  it('fails a difference in another vector or another bit', () => {
    const other = target();
    (other.byPlace as Map<number, SideEvent[]>).set(2, [ev('igb_set_vfmailbox', 'VFMailbox[0]: 0x2'), irqSet(ICR, 0, 0x100), eiacClear(0x800003)]);
    const failing = check(records(), other, new Map(), FROZEN).divergences.filter((d) => d.class !== 'explained-by-frozen-time');
    expect(failing.map((d) => `${d.class} ${d.subject}`)).toEqual(expect.arrayContaining(['interrupt-missing MSI-X vector 0', 'event-differs e1000e_irq_icr_clear_eiac']));
  });
});

/** A throttling timer's firing as QEMU logs it: the held-back notification, and EIAC's clear that clears nothing left. */
const fired = (vector: number): SideEvent[] => [
  ev('e1000e_irq_msix_notify_postponed_vec', `Sending MSI-X postponed by EITR[${vector}]`),
  ev('e1000e_irq_icr_clear_eiac', 'Clearing ICR bits due to EIAC, ICR: 0x0, EIAC: 0x1C00007'),
];

/** Four STATUS reads with a timer marker after each of the first three, where the recording fired `vectors` in turn. */
function timerMarkers(vectors: readonly [number, number, number]): TraceRecord[] {
  return [
    ...vectors.flatMap((vector, i) => [access(i, 'read', 0x8, 0x80080483), marker('itr-timer', i, fired(vector))]),
    access(3, 'read', 0x8, 0x80080483),
  ];
}

describe('time and the start', () => {
  it('pools the recorded markers of one gap against what the target did while time ran', () => {
    const records: TraceRecord[] = [
      access(0, 'read', 0x8, 0x80080481),
      marker('itr-timer', 0, [ev('e1000e_irq_msix_notify_postponed_vec', 'Sending MSI-X postponed by EITR[0]')]),
      marker('autoneg', 0, [done(), irqSet(ICR, 0, 0x4), notify(0)]),
      access(1, 'read', 0x8, 0x80080483),
    ];
    const time: TimeSegment[] = [
      { afterPlace: 1, cause: 'marker', events: [done(), irqSet(ICR, 0, 0x4), notify(0)] },
      { afterPlace: 1, cause: 'marker', events: [ev('e1000e_irq_msix_notify_postponed_vec', 'Sending MSI-X postponed by EITR[0]')] },
    ];
    expect(check(records, { time }).divergences).toEqual([]);
  });

  it('lets throttling timers that fired a stretch of time early, one after the other, take their EIAC clears with them', () => {
    // As in a real SR-IOV recording replayed with the clock frozen between markers: the target's
    // EITR[1] fires in the time run for the recording's EITR[2], and its EITR[23] in the time run
    // for the recording's EITR[1]; each firing logs an EIAC clear that clears nothing.
    const records = timerMarkers([2, 1, 23]);
    const time: TimeSegment[] = [
      { afterPlace: 1, cause: 'marker', events: [...fired(2), ...fired(1)] },
      { afterPlace: 2, cause: 'marker', events: fired(23) },
      { afterPlace: 3, cause: 'marker', events: [] },
    ];
    expect(check(records, { time }).divergences).toEqual([]);
    // A clear that clears something is no shifted timer's: still a difference.
    const other = ev('e1000e_irq_icr_clear_eiac', 'Clearing ICR bits due to EIAC, ICR: 0x4, EIAC: 0x1C00007');
    const withOther: TimeSegment[] = [{ ...time[0]!, events: [...fired(2), ...fired(1), other] }, time[1]!, time[2]!];
    expect(check(records, { time: withOther }).divergences).toEqual([expect.objectContaining({ class: 'event-extra', subject: 'e1000e_irq_icr_clear_eiac', actual: other.text })]);
  });

  it('matches a firing done early with the one it stands for past a stretch of time where that timer fired on neither side', () => {
    // As in a real arm64 SR-IOV recording on a frozen clock: in the time run for the recording's
    // EITR[23] the target fires EITR[23], EITR[1] and EITR[2]; the recording fires EITR[1] in the
    // next stretch (the target's shifted one) and EITR[2] only in the one after.
    const records = timerMarkers([23, 1, 2]);
    const time: TimeSegment[] = [
      { afterPlace: 1, cause: 'marker', events: [...fired(23), ...fired(1), ...fired(2)] },
      { afterPlace: 2, cause: 'marker', events: [] },
      { afterPlace: 3, cause: 'marker', events: [] },
    ];
    expect(check(records, { time }).divergences).toEqual([]);
    // Where the target fires EITR[2] once more in between, the recording's firing is that one
    // shifted, and the first early firing is an extra one: it stays.
    const between: TimeSegment[] = [time[0]!, { ...time[1]!, events: fired(2) }, time[2]!];
    expect(check(records, { time: between }).divergences.filter((d) => d.subject === 'EITR(2) throttling timer'))
      .toEqual([expect.objectContaining({ class: 'event-extra', line: 2000 })]);
  });

  it('explains a later firing left without counterpart where frozen markers took the target\'s re-armed one', () => {
    // As in a real Linux 5.10 e1000e `ethtool -r` recording replayed in markers time: the recording
    // fires EITR[2] at two markers where the replay lets no time run (an autonegotiation is
    // pending), then, after the negotiation's LSC notification armed it again, once more after the
    // next access. The target's timer, armed throughout, fires once for the frozen two when time runs
    // and, armed anew by the LSC notification, again inside that time run: the pools pair it with
    // the second frozen one, and the recording's last firing has no counterpart.
    const records = (last: number): TraceRecord[] => [
      access(0, 'read', 0x8, 0x80080483), at('itr-timer', 3000, 0, fired(2)),
      access(1, 'read', 0x8, 0x80080483), at('itr-timer', 3001, 1, fired(2)), at('autoneg', 3002, 1, [done(), notify(2)]),
      access(2, 'read', 0x8, 0x80080483), at('itr-timer', 3003, 2, fired(last)),
      access(3, 'read', 0x8, 0x80080483),
    ];
    const time = (reArmed = true): TimeSegment[] => [
      { afterPlace: 2, cause: 'marker', events: [...fired(2), done(), ...(reArmed ? [notify(2)] : []), ...fired(2)] },
      { afterPlace: 3, cause: 'marker', events: [] },
    ];
    const frozen = new Map([[3000, 'an autonegotiation was pending'], [3001, 'an autonegotiation was pending']]);
    const result = check(records(2), { time: time() }, new Map(), frozen);
    expect(result.divergences.map((d) => `${d.class} ${d.line} ${d.subject}`)).toEqual([
      'explained-by-frozen-time 3003 EITR(2) throttling timer', 'explained-by-frozen-time 3003 e1000e_irq_icr_clear_eiac',
    ]);
    expect(result.divergences[0]!.reason).toMatch(/fired the EITR\(2\) throttling timer 2 times \(lines \d+, \d+\) where the replay let no time run \(an autonegotiation was pending\)/);
    // Where time did run at those markers, the same firing fails; so does a missing firing of another vector.
    expect(check(records(2), { time: time() }).divergences.map((d) => d.class)).toContain('event-missing');
    expect(check(records(3), { time: time() }, new Map(), frozen).divergences.filter((d) => d.class === 'event-missing').map((d) => d.subject))
      .toContain('EITR(3) throttling timer');
    // So does it where the target's second firing in that time run was not one of a timer armed anew
    // there (as on a QEMU whose device then fails to notify the vector: nothing arms it to fire later).
    expect(check(records(2), { time: time(false) }, new Map(), frozen).divergences.filter((d) => d.class === 'event-missing').map((d) => `${d.line} ${d.subject}`))
      .toContain('3003 EITR(2) throttling timer');
  });

  /**
   * The end both reset cases share: after access 1, the recording fires EITR[1] and then EITR[2] a
   * stretch of time later; the target fires both in the first of those stretches.
   */
  const laterFirings = {
    records: (): TraceRecord[] => [
      access(2, 'read', 0x8, 0x80080483), at('itr-timer', 3002, 2, fired(1)),
      access(3, 'read', 0x8, 0x80080483), at('itr-timer', 3003, 3, fired(2)),
      access(4, 'read', 0x8, 0x80080483),
    ],
    time: (): TimeSegment[] => [
      { afterPlace: 3, cause: 'marker', events: [...fired(1), ...fired(2)] },
      { afterPlace: 4, cause: 'marker', events: [] },
    ],
  };

  it('takes a held timer\'s firing at a reset as the counterpart of the recorded one, not a later firing', () => {
    // As in a real Linux 6.12 arm64 SR-IOV FLR recording replayed in markers time: the recording
    // fires EITR[2] where the replay lets no time run; the target's, still armed, fires when the
    // function-level reset runs every armed timer (at the access); much later the target fires
    // EITR[1] and EITR[2] in one stretch of time where the recording fires EITR[2] one stretch
    // later. The first recorded firing must not wait for, and take, that later one.
    const records: TraceRecord[] = [
      access(0, 'read', 0x8, 0x80080483), at('itr-timer', 3000, 0, fired(2)),
      access(1, 'write', 0x0, 0x4000000), at('autoneg', 3001, 1, [done()]),
      ...laterFirings.records(),
    ];
    const time: TimeSegment[] = [{ afterPlace: 2, cause: 'marker', events: [done()] }, ...laterFirings.time()];
    const frozen = new Map([[3000, 'an autonegotiation was pending']]);
    const result = check(records, { time, byPlace: new Map([[1, fired(2)]]) }, new Map(), frozen);
    expect(result.divergences.filter((d) => d.class !== 'explained-by-frozen-time')).toEqual([]);
    expect(result.divergences.map((d) => `${d.line} ${d.subject}`)).toEqual(expect.arrayContaining(['1001 EITR(2) throttling timer', '3000 EITR(2) throttling timer']));
    // Where the target fired nothing at the reset, its later EITR[2] is the recorded first one's, and the last recorded firing has none.
    expect(check(records, { time }, new Map(), frozen).divergences.filter((d) => d.class === 'event-missing').map((d) => `${d.line} ${d.subject}`))
      .toContain('3003 EITR(2) throttling timer');
  });

  it('lets no firing wait for its counterpart across a device reset', () => {
    // As in a real Linux 7.3 e1000e ethtool recording replayed in markers time: a firing of EITR[2]
    // the target could not match where time stood still waited for one over 12,000 lines and
    // several CTRL.RST writes, then took the target's early firing whose counterpart came one
    // stretch of time later, which was left missing. A software reset stops every timer on both
    // sides: nothing before it is shifted past it.
    const reset = (): SideEvent => ev('e1000e_core_ctrl_sw_reset', 'Doing SW reset');
    const records = (resetEvents: () => SideEvent[]): TraceRecord[] => [
      access(0, 'read', 0x8, 0x80080483), at('itr-timer', 3000, 0, fired(2)), at('autoneg', 3001, 0, [done()]),
      access(1, 'write', 0x0, 0x4000000, resetEvents()),
      ...laterFirings.records(),
    ];
    const time: TimeSegment[] = [{ afterPlace: 1, cause: 'marker', events: [done()] }, ...laterFirings.time()];
    const frozen = new Map([[3000, 'an autonegotiation was pending']]);
    const withReset = check(records(() => [reset()]), { time, byPlace: new Map([[1, [reset()]]]) }, new Map(), frozen);
    expect(withReset.divergences.filter((d) => d.class !== 'explained-by-frozen-time')).toEqual([]);
    // Without the reset the first firing is still waiting, takes the early one, and the last is missing.
    expect(check(records(() => []), { time }, new Map(), frozen).divergences.filter((d) => d.class === 'event-missing').map((d) => `${d.line} ${d.subject}`))
      .toContain('3003 EITR(2) throttling timer');
  });

  it('reports autonegotiation the target never completed at the recorded marker', () => {
    const records: TraceRecord[] = [
      access(0, 'read', 0x8, 0x80080481),
      marker('autoneg', 0, [ev('e1000x_link_negotiation_done', 'Auto negotiation is completed')]),
      access(1, 'read', 0x8, 0x80080483),
    ];
    const result = check(records, { time: [{ afterPlace: 1, cause: 'marker', events: [] }] });
    expect(result.divergences).toEqual([expect.objectContaining({
      class: 'event-missing', subject: 'e1000x_link_negotiation_done', line: 2000, place: { kind: 'time', marker: 'autoneg' },
    })]);
  });

  it('compares realize and reset before the first access', () => {
    const records: TraceRecord[] = [marker('reset', -1, [ev('igb_core_vf_reset', 'VF7')]), access(0, 'read', 0x8, 0)];
    const result = check(records, { start: [ev('igb_core_vf_reset', 'VF6')] });
    expect(result.divergences).toEqual([expect.objectContaining({ class: 'event-differs', place: { kind: 'start' }, expected: 'VF7', actual: 'VF6' })]);
  });
});
