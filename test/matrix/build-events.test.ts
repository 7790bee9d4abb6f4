// A build's device events gathered by place, on a SYNTHETIC run and target log: by the recording's
// seq (a folded polling loop's reads are one place), time after the access it followed (named by
// the plan's markers), realize and reset first; and a plain note when they cannot be placed.
import { describe, expect, it } from '@jest/globals';
import type { Access, Marker, SideEvent } from '../../src/model/access.js';
import type { TargetEventLog } from '../../src/model/events.js';
import type { Phase } from '../../src/model/phase.js';
import { buildEvents, stopOrder } from '../../src/matrix/build-events.js';
import type { EngineRun } from '../../src/replay/engine.js';
import type { ReplayPlan } from '../../src/replay/plan.js';
import { igbRegisters } from '../../src/regs/index.js';

const ev = (text: string): SideEvent => ({ name: 'igb_irq_write_eims', category: 'irq', line: 77, text });
const access = (seq: number, kind: 'read' | 'write', offset: number, value: number): Access =>
  ({ type: 'access', seq, line: 100 + seq, kind, space: 'mmio', offset, size: 4, value, verdict: 'ok', events: [] });
const marker = (afterSeq: number): Marker => ({ type: 'marker', kind: 'itr-timer', line: 200 + afterSeq, afterSeq, events: [] });
const phase: Phase = { kind: 'queue-setup', occurrence: 1, label: 'queue-setup', startSeq: 0, endSeq: 10, firstLine: 100, lastLine: 110, cause: 'synthetic' };

const places = [access(0, 'write', 0x1524, 0x7), access(1, 'read', 0x8, 0x80080483), access(1, 'read', 0x8, 0x80080483), access(2, 'read', 0x1580, 0)];
const plan = { steps: [{ kind: 'advance-time', marker: marker(1) }], phases: [phase] } as unknown as ReplayPlan;
const run = { places } as unknown as EngineRun;

function log(parts: Partial<TargetEventLog>): TargetEventLog {
  return { start: [], byPlace: new Map(), time: [], placesLogged: places.length, ...parts };
}

describe('buildEvents', () => {
  it('gathers events by seq and by the time after each access, in replay order', () => {
    const events = buildEvents({
      model: 'igb', plan, registers: igbRegisters(), run,
      observations: {
        verdicts: { accesses: [], phyUnhandled: [] },
        events: log({
          start: [ev('reset')],
          byPlace: new Map([[0, [ev('eims')]], [1, [ev('poll 1')]], [2, [ev('poll 2')]], [3, [ev('eicr')]]]),
          time: [{ afterPlace: 3, cause: 'marker', events: [ev('timer')] }, { afterPlace: 2, cause: 'poll', events: [ev('poll time')] }],
        }),
      },
    });
    expect(events.note).toBeUndefined();
    expect(events.stops.map((s) => [s.key, s.line, s.events.map((e) => e.text)])).toEqual([
      ['start', 0, ['reset']],
      ['a0', 100, ['eims']],
      ['a1', 101, ['poll 1', 'poll 2']],
      ['t1', 201, ['timer', 'poll time']],
      ['a2', 102, ['eicr']],
    ]);
    expect(events.stops[1]!.place).toEqual({ kind: 'access', access: 'write', register: 'EIMS', value: 7 });
    expect(events.stops[3]!.place).toEqual({ kind: 'time', marker: 'itr-timer' });
    expect(events.stops[1]!.phase).toBe('queue-setup');
    expect(events.stops[0]!.phase).toBeUndefined();
    // The target log's own line numbers are dropped: they mean nothing next to the trace's.
    expect(events.stops[1]!.events[0]!.line).toBe(0);
  });

  it('says why there is nothing to compare', () => {
    const base = { model: 'igb' as const, plan, registers: igbRegisters(), run };
    expect(buildEvents({ ...base, observations: { verdicts: { accesses: [], phyUnhandled: [] } } }).note).toBe('the target logs no device events');
    const misaligned = buildEvents({ ...base, observations: { verdicts: { accesses: [], phyUnhandled: [] }, events: log({ placesLogged: 3 }) } });
    expect(misaligned).toMatchObject({ stops: [], note: 'the target\'s log shows 3 accesses where 4 were sent' });
  });

  it('orders stop keys start, access, time after it, next access', () => {
    expect(['t3', 'a4', 'start', 'a3', 't-1'].sort((a, b) => stopOrder(a) - stopOrder(b))).toEqual(['start', 't-1', 'a3', 't3', 'a4']);
  });
});
