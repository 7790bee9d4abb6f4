// What a replay reveals when the target is not what the driver was written for:
//  - against e1000e (the 82574 model igb's code derives from) the igb driver's init reaches
//    registers e1000e does not have: extended interrupts and per-queue advanced rx;
//  - with the clock frozen, timers never fire, so autonegotiation never completes and STATUS.LU
//    stays 0 where the recording had the link up. The markers mode (default here) fixes exactly
//    these (self-replay.test.ts), which is the evidence that time control matters.
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { ReplayResult } from '../../src/model/replay.js';
import { INIT_TRACE, replayFile, requireQemu } from './replay-env.js';

beforeAll(async () => {
  await requireQemu();
});

describe('linux-6.1-init.log against e1000e', () => {
  let result: ReplayResult;

  beforeAll(async () => {
    result = await replayFile(INIT_TRACE, { device: 'e1000e', time: 'auto', strict: false });
  });

  it('completes, with reads of registers e1000e lacks', () => {
    expect(result.completed).toBe(true);
    expect(result.target.device).toMatch(/^e1000e\b/);
    expect(result.byClass['unknown-in-target']).toBeGreaterThan(0);
    expect(result.divergences.some((d) => d.class === 'unknown-in-target')).toBe(true);
  });

  it('names igb-only extended-interrupt and advanced-rx registers as unknown to the target', () => {
    const unknown = result.unknownInTarget.map((tally) => tally.register);
    expect(unknown).toEqual(expect.arrayContaining(['EIMS', 'EIAC', 'EIAM', 'GPIE', 'IVAR(0)']));
    expect(unknown).toEqual(expect.arrayContaining(['SRRCTL(0)', 'RXDCTL(0)']));
    for (const tally of result.unknownInTarget) expect(tally.count).toBeGreaterThan(0);
  });
});

describe('linux-6.1-init.log with the clock frozen', () => {
  let result: ReplayResult;

  beforeAll(async () => {
    result = await replayFile(INIT_TRACE, { device: 'igb', time: 'frozen', strict: false });
  });

  it('completes without advancing time', () => {
    expect(result.completed).toBe(true);
    expect(result.target.timeMode).toBe('frozen');
    expect(result.counts.timeAdvances).toBe(0);
  });

  it('reads STATUS with the link down where the recording had it up', () => {
    const status = result.divergences.filter((d) => d.register === 'STATUS' && d.class === 'mismatch');
    expect(status.length).toBeGreaterThan(0);
    expect(status[0]!.fields).toContainEqual({ field: 'LU', expected: 1, actual: 0 });
    // LU is the only difference in every one of them.
    for (const divergence of status) expect(divergence.fields.map((f) => f.field)).toEqual(['LU']);
  });
});
