// Which statistics reads a transmitted packet the replay could not rebuild, or a received frame it
// did not inject, explains: every counter until its first read after it (the read clears it on both
// sides), nothing before it, nothing that is not a counter. Records are synthetic (offsets from igb's register database).
import { describe, expect, it } from '@jest/globals';
import type { Access, Marker, TraceRecord } from '../../src/model/access.js';
import { igbRegisters } from '../../src/regs/database.js';
import { StatisticsTaint } from '../../src/datapath/statistics-taint.js';
import type { TxSeed } from '../../src/datapath/tx-path.js';

const registers = igbRegisters();
const offsetOf = (name: string): number => registers.lookupName(name)!.offset;

function access(seq: number, kind: 'read' | 'write', name: string): Access {
  return { type: 'access', seq, line: 10 * seq, kind, space: 'mmio', offset: offsetOf(name), size: 4, value: 0, verdict: 'ok', events: [] } as Access;
}

function seedSkipping(seq: number, reason: string): [number, TxSeed] {
  return [seq, { handoff: {} as TxSeed['handoff'], writes: [], readBack: [], writebacks: [], expected: [], skipped: [{ line: 10 * seq, reason, frames: 0 }] }];
}

describe('StatisticsTaint', () => {
  it('explains each counter\'s first read after an unrebuilt packet, and only counters', () => {
    const taint = new StatisticsTaint(registers);
    const records = [access(1, 'read', 'MPTC'), access(2, 'write', 'TDT'), access(3, 'read', 'MPTC'), access(4, 'read', 'MPTC'),
      access(5, 'read', 'BPTC'), access(6, 'read', 'STATUS')];
    const explained = taint.window(records, new Map([seedSkipping(2, 'handed over while the host link was down')]));
    expect([...explained.keys()]).toEqual([3, 5]);
    expect(explained.get(3)).toMatch(/^statistics counter: it counted a transmitted packet whose bytes the replay could not rebuild \(line 20: handed over while the host link was down\)$/);
  });

  it('carries over windows, and a later unrebuilt packet taints the counters again', () => {
    const taint = new StatisticsTaint(registers);
    expect([...taint.window([access(1, 'write', 'TDT')], new Map([seedSkipping(1, 'x')])).keys()]).toEqual([]);
    expect([...taint.window([access(2, 'read', 'GPTC'), access(3, 'read', 'GPTC')], new Map()).keys()]).toEqual([2]);
    expect([...taint.window([access(4, 'write', 'TDT'), access(5, 'read', 'GPTC')], new Map([seedSkipping(4, 'y')])).keys()]).toEqual([5]);
  });

  it('explains counters after a received frame that was not injected, from its packet marker on', () => {
    const taint = new StatisticsTaint(registers);
    const marker: Marker = { type: 'marker', kind: 'rx-packet', line: 25, afterSeq: 2, events: [] };
    const records: TraceRecord[] = [access(1, 'read', 'GPRC'), access(2, 'read', 'STATUS'), marker, access(3, 'read', 'GPRC'), access(4, 'read', 'GPRC')];
    const explained = taint.window(records, new Map(), new Map([[25, { line: 26, reason: 'the capture ran out' }]]));
    expect([...explained]).toEqual([[3, 'statistics counter: it counted a received frame the replay did not inject (line 26: the capture ran out)']]);
  });

  it('explains nothing without an unrebuilt packet', () => {
    const taint = new StatisticsTaint(registers);
    const seed: [number, TxSeed] = [1, { handoff: {} as TxSeed['handoff'], writes: [], readBack: [], writebacks: [], expected: [], skipped: [] }];
    expect(taint.window([access(1, 'write', 'TDT'), access(2, 'read', 'MPTC')], new Map([seed])).size).toBe(0);
  });
});
