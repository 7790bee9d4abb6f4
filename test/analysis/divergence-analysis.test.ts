// Unit tests of write-readback evidence and cascades on SYNTHETIC divergences and records (made up
// here, not from a replay): small enough to check every number by hand.
import { describe, expect, it } from '@jest/globals';
import { cascades, writeReadbacks } from '../../src/analysis/divergence-analysis.js';
import type { Divergence } from '../../src/model/replay.js';
import { accesses } from './synthetic.js';

/** A synthetic divergence of the read at `seq` (line = seq + 1, as accesses() numbers them). */
function divergence(seq: number, register: string, expected: number, actual: number,
  cls: Divergence['class'] = 'mismatch'): Divergence {
  return {
    seq, line: seq + 1, space: 'mmio', offset: 0, register, block: 'general', expected, actual,
    class: cls, reason: 'synthetic', fields: [],
  };
}

describe('writeReadbacks (synthetic)', () => {
  it('counts reads of the driver\'s own last write that the replay did not return', () => {
    const records = accesses([
      { kind: 'write', offset: 0x5b5c, value: 0x40 }, // 0 SW_FW_SYNC write
      { offset: 0x5b5c, value: 0x40 }, //               1 read back: replay got 0
      { kind: 'write', offset: 0x1524, value: 0x7 }, //  2 EIMS write
      { offset: 0x1524, value: 0x7 }, //                 3 read back: replay got 0
      { offset: 0x5b5c, value: 0x40 }, //               4 read back again: replay got 0
      { offset: 0x8, value: 0x80 }, //                   5 STATUS, never written: not a read-back
    ]);
    const result = {
      divergences: [
        divergence(1, 'SW_FW_SYNC', 0x40, 0, 'unknown-in-target'),
        divergence(3, 'EIMS', 0x7, 0),
        divergence(4, 'SW_FW_SYNC', 0x40, 0, 'unknown-in-target'),
        divergence(5, 'STATUS', 0x80, 0),
      ],
    };
    expect(writeReadbacks(result, records)).toEqual([
      { register: 'SW_FW_SYNC', block: 'general', count: 2, firstSeq: 1, firstLine: 2 },
      { register: 'EIMS', block: 'general', count: 1, firstSeq: 3, firstLine: 4 },
    ]);
  });

  it('ignores reads of another value than the last write, and volatile divergences', () => {
    const records = accesses([
      { kind: 'write', offset: 0x0, value: 0x1 },
      { kind: 'write', offset: 0x0, value: 0x2 },
      { offset: 0x0, value: 0x1 }, // equals an earlier write, not the last one
      { kind: 'write', offset: 0x4010, value: 0x5 },
      { offset: 0x4010, value: 0x5 },
    ]);
    const result = { divergences: [divergence(2, 'CTRL', 0x1, 0), divergence(4, 'MPC', 0x5, 0, 'volatile')] };
    expect(writeReadbacks(result, records)).toEqual([]);
  });
});

describe('cascades (synthetic)', () => {
  it('reports each register\'s first failing divergence, later ones in other registers as possible consequences', () => {
    const result = {
      divergences: [
        divergence(2, 'TCTL', 1, 0), //      before any decision register: independent
        divergence(5, 'STATUS', 1, 0), //    decision register: trigger
        divergence(6, 'STATUS', 1, 0),
        divergence(8, 'MANC', 1, 0), //      after STATUS: possible consequence
        divergence(9, 'EIMS', 1, 0, 'unknown-in-target'), // direct evidence: never a consequence
        divergence(10, 'SYSTIML', 1, 2, 'volatile'), //      not failing: ignored
        divergence(12, 'EERD', 1, 0), //     decision register after STATUS: consequence and new trigger
        divergence(14, 'GCR', 1, 0), //      after EERD
      ],
    };
    const { firstByRegister, triggers } = cascades(result);
    expect(firstByRegister.map((f) => [f.register, f.line, f.count, f.possibleConsequenceOf?.register])).toEqual([
      ['TCTL', 3, 1, undefined],
      ['STATUS', 6, 2, undefined],
      ['MANC', 9, 1, 'STATUS'],
      ['EIMS', 10, 1, undefined],
      ['EERD', 13, 1, 'STATUS'],
      ['GCR', 15, 1, 'EERD'],
    ]);
    expect(firstByRegister.filter((f) => f.decision).map((f) => f.register)).toEqual(['STATUS', 'EERD']);
    expect(triggers).toEqual([
      { register: 'STATUS', line: 6, consequences: 2 },
      { register: 'EERD', line: 13, consequences: 1 },
    ]);
  });

  it('finds no cascade without a decision register', () => {
    const { firstByRegister, triggers } = cascades({ divergences: [divergence(1, 'TCTL', 1, 0), divergence(2, 'RCTL', 1, 0)] });
    expect(firstByRegister.every((f) => f.possibleConsequenceOf === undefined)).toBe(true);
    expect(triggers).toEqual([]);
  });
});
