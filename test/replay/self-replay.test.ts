// Every real recording replayed against the QEMU device it was recorded on (QEMU 10.0.2: igb, or
// e1000e for the e1000e driver's recording — replay takes it from the trace's sidecar) must agree
// with itself: no failing divergence in reads, config reads or device events; only registers that
// move on their own (statistics counters with no traffic replayed, the free-running SYSTIM clock),
// what unreplayed packets left behind and what throttling timers the replay could not let fire left
// behind may differ, and each says why; config space reads back exactly, COMMAND included (the
// replay's own PCI set-up no longer shows: see plan.ts CommandTracker). Then the
// replay must be deterministic: five replays of one trace diverge in exactly the same reads and
// events with exactly the same values, SYSTIML/SYSTIMH included (under
// the markers mode virtual time runs by icount, so the clock the driver reads is a function of the
// replay, not of the host).
import { beforeAll, describe, expect, it } from '@jest/globals';
import { FAILING_EVENT_CLASSES } from '../../src/model/events.js';
import { FAILING_CLASSES, STRICT_CLASSES, type ReplayResult } from '../../src/model/replay.js';
import { divergenceKeys, INIT_TRACE, realTraces, replayFile, requireQemu } from './replay-env.js';

beforeAll(async () => {
  await requireQemu();
});

describe.each(realTraces())('self-replay of %s against its recorded device', (trace) => {
  let result: ReplayResult;

  beforeAll(async () => {
    result = await replayFile(trace, { time: 'auto', strict: false });
  });

  it('completes with no failing divergence', () => {
    expect(result.completed).toBe(true);
    expect(result.stopped).toBeUndefined();
    expect(result.counts.reads).toBeGreaterThan(1000);
    expect(result.divergences.filter((d) => FAILING_CLASSES.has(d.class))).toEqual([]);
  });

  it('differs only where a reason explains it, each saying so', () => {
    for (const divergence of result.divergences) {
      expect(STRICT_CLASSES.has(divergence.class)).toBe(true);
      expect(divergence.reason.trim()).not.toBe('');
    }
    const explained = [...STRICT_CLASSES].reduce((n, cls) => n + result.byClass[cls], 0);
    expect(explained).toBe(result.divergences.length);
    expect(result.byClass.match + explained).toBe(result.counts.reads + result.counts.configReads);
    expect(result.byClass['set-up']).toBe(0);
  });

  it('logs the same device events as the recording, but for what unreplayed packets and frozen time explain', () => {
    if (trace.endsWith('.txt')) {
      // Linux mmiotrace records the driver's accesses only: nothing to compare, and the result says so.
      expect(result.events).toMatchObject({ compared: false, note: expect.stringMatching(/no QEMU device events/) });
      return;
    }
    expect(result.events.compared).toBe(true);
    expect(result.events.tally.compared).toBeGreaterThan(400);
    expect(result.events.divergences.filter((d) => FAILING_EVENT_CLASSES.has(d.class))).toEqual([]);
    for (const d of result.events.divergences) {
      // Throttling timers the recording fired while an autonegotiation was pending (the SR-IOV
      // recording's VF mailbox vector), where the replay lets no time run.
      if (d.class === 'explained-by-frozen-time') expect(d.reason).toMatch(/throttling timer fired at line [\d,]+, where the replay let no time run \(.+\)/);
      else expect(d.reason).toMatch(/moved a packet at line [\d,]+/);
    }
  });
});

describe('determinism', () => {
  it('replays linux-6.1-init.log 5 times with identical divergences, SYSTIM values included', async () => {
    const runs: ReplayResult[] = [];
    for (let i = 0; i < 5; i++) runs.push(await replayFile(INIT_TRACE, { device: 'igb', time: 'auto', strict: false }));
    expect(runs[0]!.target.timeMode).toBe('markers');
    const first = divergenceKeys(runs[0]!);
    // SYSTIM is read before the first time advance (still 0) and again at the end (after time ran).
    const systim = runs[0]!.divergences.filter((d) => d.register === 'SYSTIML' || d.register === 'SYSTIMH');
    expect(systim.length).toBeGreaterThanOrEqual(4);
    expect(systim.some((d) => d.actual !== 0)).toBe(true);
    for (const run of runs.slice(1)) {
      expect(run.completed).toBe(true);
      expect(divergenceKeys(run)).toEqual(first);
      expect(run.byClass).toEqual(runs[0]!.byClass);
      expect(run.events.divergences).toEqual(runs[0]!.events.divergences);
      expect(run.events.tally).toEqual(runs[0]!.events.tally);
      expect(run.counts).toEqual(runs[0]!.counts);
    }
  });
});
