// The replay engine and runner against an in-memory FakeTarget (no QEMU): order of accesses, read
// classification, folded polls waiting for time, time advances at markers, and a target dying
// midway. The records are SYNTHETIC (hand-made, a few accesses each); the register database is the
// real igb one, so names, fields and the volatile rule are the ones real replays use.

import { describe, expect, it } from '@jest/globals';
import type { Marker, TraceRecord } from '../../src/model/access.js';
import { igbRegisters } from '../../src/regs/index.js';
import { parseDeviceOption } from '../../src/replay/device-option.js';
import { configWritesRecorded, negotiationVisible, planReplay } from '../../src/replay/plan.js';
import { runPlan } from '../../src/replay/engine.js';
import type { RxInjection } from '../../src/datapath/rx-path.js';
import type { ReplayJob } from '../../src/replay/prepare.js';
import { runReplay } from '../../src/replay/run.js';
import { accesses, type AccessSpec } from '../analysis/synthetic.js';
import { FakeTarget, type FakeDevice } from './fake-target.js';
import { ROOT_BUS } from '../../src/target/topology.js';

const CTRL = 0x0;
const STATUS = 0x8;
const GPRC = 0x4074;
const LINK_DOWN = 0x80080481;
const LINK_UP = 0x80080483;

function job(records: readonly TraceRecord[], strict = false): ReplayJob {
  const registers = igbRegisters();
  return {
    trace: 'synthetic', source: { kind: 'memory', records }, registers,
    accessCount: records.filter((r) => r.type === 'access').length, negotiationVisible: negotiationVisible(records), configWritesRecorded: configWritesRecorded(records),
    target: { device: parseDeviceOption('igb'), placement: ROOT_BUS, time: 'markers' }, compare: { strict },
  };
}

async function replay(records: readonly TraceRecord[], device: FakeDevice = {}, strict = false): Promise<{ result: Awaited<ReturnType<typeof runReplay>>; target: FakeTarget }> {
  const target = new FakeTarget(device);
  const result = await runReplay(job(records, strict), async () => target);
  return { result, target };
}

const reads = (offset: number, values: readonly number[]): AccessSpec[] => values.map((value) => ({ offset, value }));

/** Records in trace order with a marker after access `afterSeq`. */
function withMarker(list: TraceRecord[], kind: Marker['kind'], afterSeq: number): TraceRecord[] {
  const marker: Marker = { type: 'marker', kind, line: 1000 + afterSeq, afterSeq, events: [] };
  const at = list.findIndex((r) => r.type === 'access' && r.seq === afterSeq) + 1;
  return [...list.slice(0, at), marker, ...list.slice(at)];
}

describe('engine and runner against a fake target', () => {
  it('sends every access in trace order and finds nothing when the device answers as recorded', async () => {
    const records = accesses([{ kind: 'write', offset: CTRL, value: 0x4 }, { offset: STATUS, value: LINK_UP }, { offset: CTRL, value: 0x4 }]);
    const { result, target } = await replay(records, { registers: new Map([[STATUS, LINK_UP]]) });
    expect(target.log).toEqual(['w 0x0=0x4', 'r 0x8', 'r 0x0']);
    expect(result.completed).toBe(true);
    expect(result.byClass.match).toBe(2);
    expect(result.divergences).toEqual([]);
    expect(result.counts).toMatchObject({ reads: 2, writes: 1, accesses: 3 });
    expect(target.closed).toBe(true);
  });

  it('classifies a different value as a mismatch, decoded to fields', async () => {
    const { result } = await replay(accesses([{ offset: STATUS, value: LINK_UP }]), { registers: new Map([[STATUS, LINK_DOWN]]) });
    expect(result.divergences).toHaveLength(1);
    expect(result.divergences[0]).toMatchObject({ register: 'STATUS', class: 'mismatch', expected: LINK_UP, actual: LINK_DOWN, line: 1 });
    expect(result.divergences[0]!.fields).toContainEqual({ field: 'LU', expected: 1, actual: 0 });
  });

  it('tolerates statistics counters as volatile, and counts them with --strict', async () => {
    const records = accesses([{ offset: GPRC, value: 5 }]);
    expect((await replay(records)).result.divergences[0]).toMatchObject({ register: 'GPRC', class: 'volatile' });
    expect((await replay(records, {}, true)).result.divergences[0]).toMatchObject({ register: 'GPRC', class: 'mismatch' });
  });

  it('says unknown-in-target when the target reports the register unknown', async () => {
    const { result } = await replay(accesses([{ offset: 0x5b5c, value: 0x40 }]), { unknown: new Set([0x5b5c]) });
    expect(result.divergences[0]).toMatchObject({ register: 'SW_FW_SYNC', class: 'unknown-in-target', actual: 0 });
    expect(result.unknownInTarget).toEqual([{ register: 'SW_FW_SYNC', count: 1, diverging: 1, firstLine: 1 }]);
    expect(result.byClass['unknown-in-target']).toBe(1);
  });

  it('folds a polling loop, letting time run until its outcome appears', async () => {
    // The recording polled STATUS four times until the link came up.
    const records = accesses(reads(STATUS, [LINK_DOWN, LINK_DOWN, LINK_DOWN, LINK_UP]));
    const { result, target } = await replay(records, {
      registers: new Map([[STATUS, LINK_DOWN]]),
      onTime: (registers) => registers.set(STATUS, LINK_UP),
    });
    expect(result.counts.polls).toBe(1);
    expect(target.timeAdvances).toEqual(['poll']);
    expect(target.log).toEqual(['r 0x8', 'r 0x8', 'r 0x8', 'r 0x8', 't poll', 'r 0x8']);
    expect(result.divergences).toHaveLength(1);
    expect(result.divergences[0]).toMatchObject({ class: 'poll-satisfied', reason: expect.stringMatching(/after 5 reads \(time advanced 1 times\); recorded: 4 reads/) });
    // The loop stands for the four reads recorded: they are compared (in its class), five were sent.
    expect(result.byClass['poll-satisfied']).toBe(4);
    expect(result.counts).toMatchObject({ recorded: 4, oneByOne: 0, pollReads: 4, pollReadsSent: 5, accesses: 5, compared: 4, reads: 4 });
  });

  it('reports a polling loop that never reaches its outcome, after bounded retries', async () => {
    const records = accesses(reads(STATUS, [LINK_DOWN, LINK_DOWN, LINK_DOWN, LINK_UP]));
    const { result, target } = await replay(records, { registers: new Map([[STATUS, LINK_DOWN]]) });
    expect(target.timeAdvances.length).toBe(20);
    expect(result.divergences[0]).toMatchObject({ class: 'poll-never-satisfied', expected: LINK_UP, actual: LINK_DOWN });
  });

  it('lets time run at a timer marker, between the accesses around it', async () => {
    const records = withMarker(accesses([{ offset: STATUS, value: LINK_DOWN }, { offset: STATUS, value: LINK_UP }]), 'autoneg', 0);
    const { result, target } = await replay(records, {
      registers: new Map([[STATUS, LINK_DOWN]]),
      onTime: (registers) => registers.set(STATUS, LINK_UP),
    });
    expect(target.log).toEqual(['r 0x8', 't autoneg@1000', 'r 0x8']);
    expect(result.counts.timeAdvances).toBe(1);
    expect(result.divergences).toEqual([]);
  });

  it('never lets time run against a frozen target: the timer-dependent read then diverges', async () => {
    const records = withMarker(accesses([{ offset: STATUS, value: LINK_DOWN }, { offset: STATUS, value: LINK_UP }]), 'autoneg', 0);
    const { result, target } = await replay(records, { registers: new Map([[STATUS, LINK_DOWN]]), frozen: true });
    expect(target.timeAdvances).toEqual([]);
    expect(result.divergences[0]).toMatchObject({ register: 'STATUS', line: 2, class: 'mismatch' });
  });

  it('returns a partial result saying where it stopped when the target dies midway, and closes it', async () => {
    // 600 writes and reads of CTRL: the engine sends them in batches of 256.
    const records = accesses(Array.from({ length: 600 }, (_, i) => (i % 2 === 0 ? { kind: 'write' as const, offset: CTRL, value: i } : { offset: CTRL, value: i - 1 })));
    const { result, target } = await replay(records, { dieAtAccess: 300 });
    expect(result.completed).toBe(false);
    expect(result.stopped?.reason).toMatch(/fake target died at access 300/);
    expect(result.stopped?.line).toBeGreaterThan(0);
    expect(result.counts.reads).toBeLessThan(300);
    expect(target.closed).toBe(true);
    // Every access of the recording is accounted for, the ones after the stop as not reached.
    const c = result.counts;
    expect(c.recorded).toBe(600);
    expect(c.notReached).toBeGreaterThan(0);
    expect(c.oneByOne + c.pollReads + c.skipped + c.notReached).toBe(c.recorded);
    expect(c.registerReads + c.writes + c.configWrites + c.configReads + c.pollReadsSent).toBe(c.accesses);
    expect(c.registerReads + c.pollReads + c.configReads - c.unanswered).toBe(c.compared);
    expect(Object.values(result.byClass).reduce((a, b) => a + b, 0)).toBe(c.compared);
  });

  it('sends the target\'s own BAR writes again after a function-level reset, as config writes the report counts apart', async () => {
    const records = withMarker(accesses([
      { offset: STATUS, value: LINK_UP }, { kind: 'write', space: 'pci-config', offset: 0xa8, value: 0x8000 }, { offset: STATUS, value: LINK_UP },
    ]), 'reset', 1);
    const bars = [{ offset: 0x10, value: 0xfeba0000 }, { offset: 0x14, value: 0xfebc0000 }];
    const target = Object.assign(new FakeTarget({ registers: new Map([[STATUS, LINK_UP]]) }), { barWrites: bars });
    const result = await runReplay(job(records), async () => target);
    expect(target.configWrites.map((w) => [w.offset, w.value])).toEqual([[0xa8, 0x8000], [0x10, 0xfeba0000], [0x14, 0xfebc0000]]);
    expect(result.divergences).toEqual([]);
    const c = result.counts;
    expect(c).toMatchObject({ configWrites: 1, barWrites: 2, registerReads: 2 });
    expect(c.registerReads + c.writes + c.configWrites + c.configReads + c.pollReadsSent + c.barWrites).toBe(c.accesses);
  });

  it('counts the accesses of windows after a stop as not reached, and still lists the registers they read', async () => {
    const records = accesses(Array.from({ length: 60 }, (_, i) => (i < 30 ? { kind: 'write' as const, offset: CTRL, value: i } : { offset: STATUS, value: LINK_UP })));
    const target = new FakeTarget({ dieAtAccess: 10, registers: new Map([[STATUS, LINK_UP]]) });
    const result = await runReplay({ ...job(records), windowRecords: 20 }, async () => target);
    expect(result.completed).toBe(false);
    expect(result.counts.recorded).toBe(60);
    expect(result.counts.oneByOne + result.counts.notReached).toBe(60);
    expect(result.registersRead.map((r) => r.register)).toEqual(['STATUS']);
    expect(result.lastLine).toBe(60);
  });
});

describe('received frames (data path)', () => {
  // SYNTHETIC: a write, the recording's device receiving a frame, a read.
  const receipt = { name: 'e1000e_rx_receive_iov', category: 'rx', line: 3, text: 'Received vector of 1 fragments' } as const;
  const records: TraceRecord[] = [
    { type: 'access', seq: 0, line: 2, kind: 'write', space: 'mmio', offset: 0xc018, size: 4, value: 5, verdict: 'ok', events: [] },
    { type: 'marker', kind: 'rx-packet', line: 3, afterSeq: 0, events: [receipt] },
    { type: 'access', seq: 1, line: 4, kind: 'read', space: 'mmio', offset: 0x8, size: 4, value: 0, verdict: 'ok', events: [] },
  ];

  it('plans a receive step where the recording received, and the engine hands the frames over there, in order', async () => {
    const plan = planReplay(records, igbRegisters());
    expect(plan.steps.map((s) => s.kind)).toEqual(['write', 'receive', 'read']);
    const target = new FakeTarget();
    const order: string[] = [];
    const injection: RxInjection = {
      line: 3, seq: 0, beforeWrite: false,
      packets: [{ line: 3, frame: new Uint8Array(60), captureIndex: 0, writes: [], descriptors: 1, events: [receipt], buffers: [], expected: new Uint8Array(60), writebacks: { decoded: [], undecoded: [] } }],
    };
    const withFrames = Object.assign(target, {
      receiveFrames: async (given: RxInjection) => {
        order.push(`frames@${given.line} after ${target.log.length} accesses`);
        return { taken: given.packets.length, written: [], writebacks: [] };
      },
    });
    const run = await runPlan(plan, withFrames, { injections: new Map([[3, injection]]) });
    expect(order).toEqual(['frames@3 after 1 accesses']);
    expect(run.received).toEqual(new Map([[3, { taken: 1, written: [], writebacks: [] }]]));
    expect(target.log).toHaveLength(2);
  });

  it('hands over frames received inside a transmit tail write just before that write, once', async () => {
    const plan = planReplay(records, igbRegisters());
    const target = new FakeTarget();
    const order: string[] = [];
    const injection: RxInjection = {
      line: 3, seq: 0, beforeWrite: true,
      packets: [{ line: 3, frame: new Uint8Array(60), captureIndex: 0, writes: [], descriptors: 1, events: [receipt], buffers: [], expected: new Uint8Array(60), writebacks: { decoded: [], undecoded: [] } }],
    };
    const withFrames = Object.assign(target, {
      receiveFrames: async (given: RxInjection) => {
        order.push(`frames@${given.line} after ${target.log.length} accesses`);
        return { taken: given.packets.length, written: [], writebacks: [] };
      },
    });
    const run = await runPlan(plan, withFrames, { injections: new Map([[3, injection]]) });
    expect(order).toEqual(['frames@3 after 0 accesses']);
    expect(run.received.size).toBe(1);
    expect(target.log).toHaveLength(2);
  });

  it('lets the receive step pass when no frames are to be injected (no capture, no accelerator)', async () => {
    const { result, target } = await replay(records);
    expect(result.completed).toBe(true);
    expect(target.log).toHaveLength(2);
  });
});

describe('descriptor write-backs (data path)', () => {
  // SYNTHETIC: two transmit tail writes with a register read between; each handoff seeds memory
  // before its write, the first also reads memory back after it.
  const records: TraceRecord[] = [
    { type: 'access', seq: 0, line: 2, kind: 'write', space: 'mmio', offset: 0xe018, size: 4, value: 1, verdict: 'ok', events: [] },
    { type: 'access', seq: 1, line: 3, kind: 'read', space: 'mmio', offset: 0x8, size: 4, value: 0, verdict: 'ok', events: [] },
    { type: 'access', seq: 2, line: 4, kind: 'write', space: 'mmio', offset: 0xe018, size: 4, value: 2, verdict: 'ok', events: [] },
  ];

  it('reads the memory a tail write makes the device write behind the batch of that write, before the next seed', async () => {
    const plan = planReplay(records, igbRegisters());
    const target = new FakeTarget();
    const withMemory = Object.assign(target, {
      writeMemory: async (writes: readonly { address: number }[]) => { target.log.push(`seed 0x${writes[0]!.address.toString(16)}`); },
      readMemory: async (stretches: readonly { address: number; length: number }[]) => {
        target.log.push(`read back ${stretches.map((s) => `0x${s.address.toString(16)}+${s.length}`).join(' ')}`);
        return new Uint8Array([1, 0, 0, 0]);
      },
    });
    const handoffs = new Map([
      [0, { writes: [{ address: 0x1000, data: new Uint8Array(16) }], readBack: [{ address: 0x100c, length: 4 }] }],
      [2, { writes: [{ address: 0x1010, data: new Uint8Array(16) }] }],
    ]);
    const run = await runPlan(plan, withMemory, { handoffs });
    expect(target.log).toEqual(['seed 0x1000', 'w 0xe018=0x1', 'r 0x8', 'read back 0x100c+4', 'seed 0x1010', 'w 0xe018=0x2']);
    expect(run.readBack).toEqual(new Map([[0, new Uint8Array([1, 0, 0, 0])]]));
  });
});
