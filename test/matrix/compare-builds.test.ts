// Comparing two builds on one trace, on SYNTHETIC results and event logs (hand-made, in the line
// formats of QEMU 10.0.2's hw/net/trace-events): failing divergences new and fixed by baseline key,
// values that changed, and device events compared place by place with the reference as the
// expected side — decoded, tied to the access that caused them, in replay order.
import { describe, expect, it } from '@jest/globals';
import type { SideEvent } from '../../src/model/access.js';
import type { EventPlace } from '../../src/model/events.js';
import type { Divergence, ReplayResult } from '../../src/model/replay.js';
import type { BuildEvents, EventStop } from '../../src/matrix/build-events.js';
import { compareBuildEvents, compareBuilds } from '../../src/matrix/compare-builds.js';

const ev = (name: string, text: string): SideEvent => ({ name, category: 'irq', line: 0, text });
const postponed = (eitr: number): SideEvent => ev('e1000e_irq_postponed_by_xitr', `Interrupt postponed by [E]ITR register 0x${eitr.toString(16)}`);
const eiacClear = (): SideEvent => ev('e1000e_irq_icr_clear_eiac', 'Clearing ICR bits due to EIAC, ICR: 0x0, EIAC: 0x7');
const notify = (vector: number): SideEvent => ev('e1000e_irq_msix_notify_vec', `MSI-X notify vector 0x${vector.toString(16)}`);
const icrSet = (from: number, to: number): SideEvent => ev('e1000e_irq_set', `Setting interrupt register 0xc0: 0x${from.toString(16)} --> 0x${to.toString(16)}`);

const EICS_WRITE: EventPlace = { kind: 'access', access: 'write', register: 'EICS', value: 6 };
const TIME: EventPlace = { kind: 'time', marker: 'itr-timer' };

function stop(key: string, line: number, place: EventPlace, events: SideEvent[]): EventStop {
  return { key, seq: key === 'start' ? -1 : Number(key.slice(1)), line, place, phase: 'link-up', events };
}

function build(stops: EventStop[]): BuildEvents {
  return { model: 'igb', stops };
}

const LABELS = ['old', 'new'] as const;

describe('device events of two builds', () => {
  it('finds nothing when both logged the same', () => {
    const stops = [stop('a10', 3412, EICS_WRITE, [notify(1), notify(2)]), stop('t10', 3420, TIME, [eiacClear()])];
    const result = compareBuildEvents(build(stops), build(stops), LABELS);
    expect(result).toEqual({ compared: true, events: 6, differences: [] });
  });

  it('names throttling only the new build did, and an auto-clear it left out, at the place they happened', () => {
    const a = build([stop('a10', 3412, EICS_WRITE, [notify(1), notify(2)]), stop('t10', 3420, TIME, [eiacClear()])]);
    const b = build([stop('a10', 3412, EICS_WRITE, [notify(1), postponed(0x1684), postponed(0x1688)]), stop('t10', 3420, TIME, [])]);
    const { differences } = compareBuildEvents(a, b, LABELS);
    expect(differences.map((d) => [d.class, d.line, d.subject, d.expected, d.actual])).toEqual([
      ['interrupt-missing', 3412, 'MSI-X vector 2', 'notified MSI-X vector 2', 'none'],
      ['event-extra', 3412, 'EITR(1) throttling', 'none', 'interrupt postponed'],
      ['event-extra', 3412, 'EITR(2) throttling', 'none', 'interrupt postponed'],
      ['event-missing', 3420, 'e1000e_irq_icr_clear_eiac', 'Clearing ICR bits due to EIAC, ICR: 0x0, EIAC: 0x7', 'none'],
    ]);
    expect(differences[0]!.place).toEqual(EICS_WRITE);
    expect(differences[0]!.reason).toBe('old sent this interrupt here; new did not');
    expect(differences[1]!.reason).toBe('only new logged this here');
    expect(differences.every((d) => d.phase === 'link-up')).toBe(true);
  });

  it('counts a throttling timer fired one stretch of time apart as shifted in markers time, as a difference otherwise', () => {
    // As the same QEMU binary twice on a real arm64 ethtool recording in markers time (1 run in 3):
    // EITR[2] fires in the stretch of time after line 12,181 on one and after 12,186 on the other.
    const fired = (): SideEvent[] => [ev('e1000e_irq_msix_notify_postponed_vec', 'Sending MSI-X postponed by EITR[2]'), eiacClear()];
    const read: EventPlace = { kind: 'access', access: 'read', register: 'STATUS', value: 0x80080483 };
    const a = build([stop('a10', 12180, read, []), stop('t10', 12181, TIME, []), stop('a11', 12185, read, []), stop('t11', 12186, TIME, fired())]);
    const b = build([stop('a10', 12180, read, []), stop('t10', 12181, TIME, fired()), stop('a11', 12185, read, []), stop('t11', 12186, TIME, [])]);
    expect(compareBuildEvents(a, b, LABELS, { pairShiftedTimers: true })).toEqual({ compared: true, events: 4, differences: [], shiftedTimers: 4 });
    expect(compareBuildEvents(a, b, LABELS).differences.map((d) => `${d.class} ${d.line} ${d.subject}`)).toEqual([
      'event-extra 12181 EITR(2) throttling timer', 'event-extra 12181 e1000e_irq_icr_clear_eiac',
      'event-missing 12186 EITR(2) throttling timer', 'event-missing 12186 e1000e_irq_icr_clear_eiac',
    ]);
    // A firing two stretches apart with another firing of the vector between is no shift.
    const c = build([...a.stops.slice(0, 3), stop('t11', 12186, TIME, fired()), stop('a12', 12190, read, []), stop('t12', 12191, TIME, fired())]);
    const d = build([...b.stops.slice(0, 3), stop('t11', 12186, TIME, fired()), stop('a12', 12190, read, []), stop('t12', 12191, TIME, [])]);
    expect(compareBuildEvents(c, d, LABELS, { pairShiftedTimers: true }).differences.length).toBeGreaterThan(0);
  });

  it('decodes a cause register that went to another value', () => {
    const a = build([stop('a3', 100, EICS_WRITE, [icrSet(0, 0x4)])]);
    const b = build([stop('a3', 100, EICS_WRITE, [icrSet(0, 0x5)])]);
    const [d] = compareBuildEvents(a, b, LABELS).differences;
    expect(d).toMatchObject({ class: 'cause-differs', subject: 'ICR', expected: 'set 0x0 → 0x4', actual: 'set 0x0 → 0x5' });
    expect(d!.fields).toEqual([{ field: 'TXDW', expected: 0, actual: 1 }]);
  });

  it('compares a place only one build logged events at, in replay order', () => {
    const a = build([stop('start', 0, { kind: 'start' }, [notify(0)])]);
    const b = build([stop('t7', 50, TIME, [notify(0)])]);
    const { differences } = compareBuildEvents(a, b, LABELS);
    expect(differences.map((d) => [d.class, d.place.kind])).toEqual([['interrupt-missing', 'start'], ['interrupt-extra', 'time']]);
  });
});

let seq = 0;
function read(register: string, expected: number, actual: number, cls: Divergence['class'] = 'mismatch'): Divergence {
  seq++;
  return { seq, line: 100 + seq, space: 'mmio', offset: 8, register, block: 'general', expected, actual, class: cls, reason: 'synthetic', fields: [] };
}

/** Only what the comparison reads of a result. */
function result(divergences: Divergence[], completed = true): ReplayResult {
  return {
    trace: 'traces/x.log', completed, divergences,
    events: { compared: true, tally: { compared: 0, excluded: [] }, byClass: {}, divergences: [] },
  } as unknown as ReplayResult;
}

function pair(reference: ReplayResult, candidate: ReplayResult) {
  return compareBuilds({ reference, candidate, labels: LABELS, indexes: [0, 1], strict: false });
}

describe('failing divergences of two builds', () => {
  it('splits them into new, fixed and changed by baseline key', () => {
    const status = read('STATUS', 0x80080483, 0x80080481);
    const ctrl = read('CTRL', 0x40, 0x41);
    const ims = read('IMS', 0x4, 0x0);
    const imsOther = { ...ims, actual: 0x0 };
    const cmp = pair(result([status, ims]), result([ctrl, imsOther]));
    expect(cmp.verdict).toBe('regressed');
    expect(cmp.new.map((k) => k.key)).toEqual(['x.log|CTRL|mismatch|0x40→0x41#0']);
    expect(cmp.fixed.map((k) => k.key)).toEqual(['x.log|STATUS|mismatch|0x80080483→0x80080481#0']);
    expect(cmp.changed).toEqual([]);
    expect(cmp.readsIdentical).toBe(false);
  });

  it('keeps a divergence both have under one key, and lists it when its value changed', () => {
    // Keys name the differing fields: the same fields differing with other values is one divergence, changed.
    const speed = { ...read('STATUS', 0x80080483, 0x80080443), fields: [{ field: 'SPEED', expected: 2, actual: 1 }] };
    const cmp = pair(result([speed]), result([{ ...speed, actual: 0x80080403, fields: [{ field: 'SPEED', expected: 2, actual: 0 }] }]));
    expect(cmp.verdict).toBe('changed');
    expect(cmp.new).toEqual([]);
    expect(cmp.changed).toEqual([expect.objectContaining({ key: 'x.log|STATUS|mismatch|SPEED#0', kind: 'read' })]);
    expect((cmp.changed[0]!.candidate as Divergence).actual).toBe(0x80080403);
  });

  it('calls a build that only fixed something changed, not regressed; identical ones the same', () => {
    const status = read('STATUS', 0x80080483, 0x80080481);
    expect(pair(result([status]), result([])).verdict).toBe('changed');
    const same = pair(result([status]), result([status]));
    expect(same).toMatchObject({ verdict: 'same', new: [], fixed: [], changed: [], readsIdentical: true });
    expect(same.events).toMatchObject({ compared: false });
  });

  it('ignores volatile reads for "every read the same", and says incomplete when a replay stopped', () => {
    const systim = read('SYSTIML', 1, 2, 'volatile');
    expect(pair(result([systim]), result([{ ...systim, actual: 3 }])).readsIdentical).toBe(true);
    expect(pair(result([]), result([], false)).verdict).toBe('incomplete');
  });
});
