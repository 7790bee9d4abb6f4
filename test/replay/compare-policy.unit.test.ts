// How a differing read is classed, on the real igb register database: statistics counters are
// volatile while traffic is not replayed, and compared once the data path replays every frame.
import { describe, expect, it } from '@jest/globals';
import { classifyDifference } from '../../src/replay/compare-policy.js';
import { igbRegisters } from '../../src/regs/index.js';

const registers = igbRegisters();
const GPRC = registers.lookupOffset(0x4074);
const SYSTIML = registers.lookupOffset(0xb600);
const RDH1 = registers.lookupOffset(0xc050);
/** The legacy alias of RDH(0) (igb keeps the 82575 layout's offset for it). */
const RDH_A0 = registers.lookupOffset(0x2810);
const TDH0 = registers.lookupOffset(0xe010);

describe('classifyDifference', () => {
  it('tolerates a statistics counter as volatile when traffic is not replayed, and counts it with --strict', () => {
    expect(classifyDifference(GPRC, false, { strict: false })).toEqual({ class: 'volatile', reason: expect.stringMatching(/statistics counter/) });
    expect(classifyDifference(GPRC, false, { strict: true }).class).toBe('mismatch');
  });

  it('counts a statistics counter that differs when the data path replayed every frame', () => {
    expect(classifyDifference(GPRC, false, { strict: false, trafficReplayed: true })).toEqual({ class: 'mismatch', reason: expect.stringMatching(/replayed the recording's frames/) });
  });

  // ethtool -d (the driver's register dump) reads the receive heads, which moved past the frames
  // the recording received: found on the real ethtool recording, RDH(0) 0x2 against 0x0.
  it('treats a receive descriptor head (and its legacy alias) like a counter: volatile without traffic, compared with it', () => {
    for (const rdh of [RDH1, RDH_A0]) {
      expect(classifyDifference(rdh, false, { strict: false })).toEqual({ class: 'volatile', reason: expect.stringMatching(/receive descriptor head.*not replayed/) });
      expect(classifyDifference(rdh, false, { strict: false, trafficReplayed: true }).class).toBe('mismatch');
    }
  });

  it('compares a transmit descriptor head always: the replayed tail writes move it alike', () => {
    expect(classifyDifference(TDH0, false, { strict: false }).class).toBe('mismatch');
  });

  it('keeps the free-running time-sync clock volatile even then', () => {
    expect(SYSTIML?.def.volatile).toBe(true);
    expect(classifyDifference(SYSTIML, false, { strict: false, trafficReplayed: true }).class).toBe('volatile');
  });
});
