// Choosing what to minimise to, its signature and where to cut the trace: unit tests on a SYNTHETIC
// replay result and SYNTHETIC records (made up here, shaped like the init trace against e1000e).
import { describe, expect, it } from '@jest/globals';
import type { Access, Marker } from '../../src/model/access.js';
import { eventsNotCompared, type EventDivergence } from '../../src/model/events.js';
import { READ_CLASSES, ZERO_COUNTS, type Divergence, type ReadClass, type ReplayResult } from '../../src/model/replay.js';
import { chooseTarget, cutLine, firstKeptSeq, MinimiseError, reproduces, signatureOf } from '../../src/minimise/choose-target.js';

const EICS_WRITE = { kind: 'access', access: 'write', register: 'EICS', value: 0x6 } as const;

function read(line: number, register: string, cls: Divergence['class']): Divergence {
  return { seq: line - 1, line, space: 'mmio', offset: 8, register, block: 'general', expected: 1, actual: 0, class: cls, reason: 'synthetic', fields: [] };
}

function event(line: number, subject: string, overrides: Partial<EventDivergence> = {}): EventDivergence {
  return {
    class: 'interrupt-missing', line, seq: line - 1, place: EICS_WRITE, subject, expected: `notified ${subject}`, actual: 'none',
    fields: [], reason: 'synthetic', ...overrides,
  };
}

function result(reads: Divergence[], events: readonly EventDivergence[]): ReplayResult {
  return {
    schema: 'igb-replay/replay-result', version: 1, trace: 'synthetic', completed: true, notices: [],
    target: { binary: 'qemu', version: 'synthetic', device: 'e1000e', qtestAccelerator: false, timeMode: 'markers' },
    events: { ...eventsNotCompared(''), compared: true, divergences: events },
    counts: ZERO_COUNTS,
    byClass: Object.fromEntries(READ_CLASSES.map((c) => [c, 0])) as Record<ReadClass, number>,
    divergences: reads, phases: [], unknownInTarget: [], registersRead: [], lastLine: 100, durationMs: 0,
  };
}

const start = event(1, 'igb_core_vf_reset', { class: 'event-missing', place: { kind: 'start' }, seq: -1 });
const full = result([read(10, 'EECD', 'volatile'), read(20, 'STATUS', 'mismatch')], [
  start, event(30, 'igb_irq_write_eics', { class: 'event-missing' }), event(30, 'MSI-X vector 1'),
  event(30, 'MSI-X vector 2', { class: 'explained-by-traffic' }),
  event(45, 'MSI-X vector 0', { place: { kind: 'time', marker: 'autoneg' }, seq: 40 }),
]);

describe('chooseTarget', () => {
  it('keeps the defaults: the first failing read, a read at --line, the first failing read of --register', () => {
    expect(chooseTarget(full, {})).toEqual({ kind: 'read', divergence: full.divergences[1] });
    expect(chooseTarget(full, { line: 10 })).toEqual({ kind: 'read', divergence: full.divergences[0] });
    expect(chooseTarget(full, { register: 'status' }).divergence).toBe(full.divergences[1]);
  });

  it('picks device-event differences: --line without a read there, --event by subject, --line with --event', () => {
    expect(chooseTarget(full, { line: 30 }).divergence).toMatchObject({ subject: 'igb_irq_write_eics' });
    expect(chooseTarget(full, { event: 'msi-x vector 0' }).divergence).toMatchObject({ subject: 'MSI-X vector 0', line: 45 });
    // Explained ones only when asked for at their line.
    expect(() => chooseTarget(full, { event: 'MSI-X vector 2' })).toThrow(MinimiseError);
    expect(chooseTarget(full, { event: 'MSI-X vector 2', line: 30 }).divergence).toMatchObject({ class: 'explained-by-traffic' });
  });

  it('with no failing read, takes the first failing event difference after realize', () => {
    const events = result([], full.events.divergences);
    expect(chooseTarget(events, {})).toMatchObject({ kind: 'event', divergence: { subject: 'igb_irq_write_eics' } });
  });

  it('names what exists when the choice matches nothing', () => {
    expect(() => chooseTarget(full, { event: 'MSI-X vector 9' })).toThrow(/no failing device-event difference of MSI-X vector 9/);
    try {
      chooseTarget(full, { event: 'MSI-X vector 9' });
    } catch (error) {
      expect((error as MinimiseError).hint).toBe('subjects with one: MSI-X vector 1, MSI-X vector 0, igb_irq_write_eics');
    }
    expect(() => chooseTarget(full, { line: 31 })).toThrow(/no divergence at trace line 31/);
    expect(() => chooseTarget(result([], [start]), {})).toThrow(/no failing divergence to reproduce/);
    expect(() => chooseTarget({ ...full, events: eventsNotCompared('the target logs no device events') }, { event: 'ICR' }))
      .toThrow(/device events were not compared: the target logs no device events/);
  });
});

describe('signature and reproduction', () => {
  const target = chooseTarget(full, { event: 'MSI-X vector 1' });

  it('identifies an event difference by subject, class, kind of place and both sides, not by line', () => {
    expect(signatureOf(target)).toEqual({ kind: 'event', subject: 'MSI-X vector 1', class: 'interrupt-missing', place: 'EICS write', difference: 'notified MSI-X vector 1→none' });
    const moved = result([], [event(7, 'MSI-X vector 1', { place: { ...EICS_WRITE, value: 0x2 } })]);
    expect(reproduces(moved, signatureOf(target))).toBe(true);
    expect(reproduces(result([], [event(7, 'MSI-X vector 1', { place: { ...EICS_WRITE, register: 'EIMS' } })]), signatureOf(target))).toBe(false);
    expect(reproduces(result([], [event(7, 'MSI-X vector 1', { class: 'interrupt-extra' })]), signatureOf(target))).toBe(false);
    expect(reproduces({ ...moved, events: { ...moved.events, compared: false } }, signatureOf(target))).toBe(false);
  });

  it('uses the decoded fields when there are some', () => {
    const icr = event(9, 'ICR', { class: 'cause-differs', expected: 'clear 0x4 → 0x0', actual: 'clear 0x80000004 → 0x0', fields: [{ field: 'INT_ASSERTED', expected: 0, actual: 1 }] });
    const signature = signatureOf({ kind: 'event', divergence: icr });
    expect(signature).toMatchObject({ difference: 'INT_ASSERTED' });
    expect(reproduces(result([], [{ ...icr, expected: 'clear 0x6 → 0x0', actual: 'clear 0x80000006 → 0x0' }]), signature)).toBe(true);
  });
});

describe('where the trace is cut', () => {
  const access = (seq: number, line: number, eventLines: number[], cause?: number): Access => ({
    type: 'access', seq, line, kind: 'write', space: 'mmio', offset: 0x1520, size: 4, value: 6, verdict: 'ok',
    events: eventLines.map((l) => ({ name: 'e1000e_irq_msix_notify_vec', category: 'irq', line: l, text: 'MSI-X notify vector 0x1' })),
    ...(cause === undefined ? {} : { cause }),
  });
  const marker: Marker = { type: 'marker', kind: 'autoneg', line: 45, afterSeq: 40, events: [] };
  // The write's events follow it (a read's precede it); the next access's own events come before its line.
  const records = [access(29, 30, [31, 32]), access(30, 35, [], 29), access(40, 41, []), marker, access(41, 48, [46, 47])];

  it('keeps the events after the access they belong to, and the PHY accesses it caused', () => {
    const target = chooseTarget(full, { event: 'MSI-X vector 1' });
    expect(cutLine(target, records)).toBe(35);
    expect(firstKeptSeq(target)).toBe(29);
  });

  it('ends a stretch of time before the next access and its events; the access before it may go', () => {
    const target = chooseTarget(full, { event: 'MSI-X vector 0' });
    expect(cutLine(target, records)).toBe(45);
    expect(firstKeptSeq(target)).toBe(41);
  });
});
