// How a differing read is classed, on the real igb register database: statistics counters are
// volatile while traffic is not replayed, and compared once the data path replays every frame.
import { describe, expect, it } from '@jest/globals';
import { classifyDifference } from '../../src/replay/compare-policy.js';
import { igbRegisters } from '../../src/regs/index.js';

const registers = igbRegisters();
const GPRC = registers.lookupOffset(0x4074);
const SYSTIML = registers.lookupOffset(0xb600);

describe('classifyDifference', () => {
  it('tolerates a statistics counter as volatile when traffic is not replayed, and counts it with --strict', () => {
    expect(classifyDifference(GPRC, false, { strict: false })).toEqual({ class: 'volatile', reason: expect.stringMatching(/statistics counter/) });
    expect(classifyDifference(GPRC, false, { strict: true }).class).toBe('mismatch');
  });

  it('counts a statistics counter that differs when the data path replayed every frame', () => {
    expect(classifyDifference(GPRC, false, { strict: false, trafficReplayed: true })).toEqual({ class: 'mismatch', reason: expect.stringMatching(/replayed the recording's frames/) });
  });

  it('keeps the free-running time-sync clock volatile even then', () => {
    expect(SYSTIML?.def.volatile).toBe(true);
    expect(classifyDifference(SYSTIML, false, { strict: false, trafficReplayed: true }).class).toBe('volatile');
  });
});
