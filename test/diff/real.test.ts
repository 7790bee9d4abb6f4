// The diff on the real recordings in traces/ (see traces/README.md for what differs between them).
import { describe, expect, it } from '@jest/globals';
import { diffTraces, type DiffOptions } from '../../src/diff/compare.js';
import { readTracePair } from '../../src/diff/read-pair.js';
import { parseSelectors } from '../../src/diff/registers.js';
import type { ChangedValue, DiffResult, Hunk } from '../../src/diff/result.js';
import { igbRegisters } from '../../src/regs/index.js';

const INIT = 'traces/linux-6.1-init.log';
const NEWER = 'traces/linux-6.12-init.log';
const RELOAD = 'traces/linux-6.1-reload.log';

async function diff(a: string, b: string, options: Partial<DiffOptions> = {}): Promise<DiffResult> {
  const db = igbRegisters();
  const pair = await readTracePair(a, b, db);
  return diffTraces(pair.a, pair.b, pair.table, db, { ignoreVolatile: true, ...options });
}

describe('diff of real traces', () => {
  it('finds a trace equivalent to itself, even without --ignore-volatile', async () => {
    const r = await diff(INIT, INIT, { ignoreVolatile: false });
    expect(r.equivalent).toBe(true);
    expect(r.differences).toEqual([]);
    expect(r.alignment).toEqual({ matched: r.a.accesses, onlyInA: 0, onlyInB: 0, hunks: 0 });
  });

  it('6.1 vs 6.12: first difference is the config write 6.12 skips; SYSTIML values are ignored by default', async () => {
    const r = await diff(INIT, NEWER);
    expect(r.equivalent).toBe(false);
    expect(r.first).toMatchObject({ type: 'hunk', a: { count: 1, firstLine: 123 }, b: { count: 0 } });
    expect((r.first as Hunk).registers.map((x) => x.label)).toEqual(['config 0xa8']);
    expect(r.counts.changedReads).toBe(0);
    expect(r.counts.ignored.reads).toBeGreaterThan(0);
    expect(r.registers.find((t) => t.label === 'SYSTIML')?.ignored).toBe(2);
    // Tallies put the first difference first.
    expect(r.registers[0]?.label).toBe('config 0xa8');
    expect(r.blocks[0]?.block).toBe('unmapped');
  });

  it('6.1 vs 6.12 with --no-ignore-volatile: changed reads include SYSTIML, decoded per field', async () => {
    const r = await diff(INIT, NEWER, { ignoreVolatile: false });
    const reads = r.differences.filter((d): d is ChangedValue => d.type === 'changed-read');
    expect(reads.map((d) => d.register.label)).toContain('SYSTIML');
    const writes = r.differences.filter((d): d is ChangedValue => d.type === 'changed-write').map((d) => d.register.label);
    expect(writes).toEqual(expect.arrayContaining(['RDBAL(0)', 'TDBAL(0)', 'RSSRK(0)']));
    expect(r.counts.ignored).toEqual({ reads: 0, writes: 0 });
  });

  it('6.1 init vs reload: the second driver load is only in B and A is aligned (but for interrupt-timing EIMS writes)', async () => {
    const r = await diff(INIT, RELOAD);
    const hunks = r.differences.filter((d): d is Hunk => d.type === 'hunk');
    const longest = hunks.reduce((x, y) => (y.b.count > x.b.count ? y : x));
    expect(longest.a.count).toBe(0);
    expect(longest.b.count).toBeGreaterThan(5_900);
    // rmmod + insmod sit between the first load's DHCP and B's own end, which aligns with A's end.
    expect(longest.b.firstLine).toBeGreaterThan(4_000);
    expect(longest.b.lastLine).toBeGreaterThan(10_000);
    // A's only unmatched accesses are EIMS writes, which vary from run to run (traces/README.md).
    expect(r.alignment.onlyInA).toBeLessThanOrEqual(2);
    for (const h of hunks.filter((x) => x.a.count > 0)) expect(h.registers.map((x) => x.label)).toEqual(['EIMS']);
  });

  it('6.1 init vs reload: phases show the second driver load, and its accesses sit in A\'s traffic phase', async () => {
    const r = await diff(INIT, RELOAD);
    expect(r.phases.b.length).toBeGreaterThan(r.phases.a.length);
    expect(r.phases.b).toContain('probe #2');
    expect(r.phases.b).toContain('traffic #2');
    expect(r.phases.a).not.toContain('probe #2');
    const traffic = r.phases.byPhase.find((p) => p.phase === 'traffic');
    expect(traffic?.onlyInB).toBeGreaterThan(5_900);
    const longest = r.differences.filter((d): d is Hunk => d.type === 'hunk').reduce((x, y) => (y.b.count > x.b.count ? y : x));
    expect(longest.phase).toBe('traffic');
  });

  it('6.1 vs 6.12: every difference is placed in a phase of A (probe: the config write; traffic: the EIMS/TDT writes)', async () => {
    const r = await diff(INIT, NEWER);
    expect(r.phases.a).toEqual(r.phases.b);
    expect(r.differences.every((d) => d.phase !== undefined)).toBe(true);
    expect(r.differences[0]?.phase).toBe('probe');
    expect(r.phases.byPhase.map((p) => p.phase)).toContain('traffic');
  });

  it('--registers and --block restrict what is reported', async () => {
    const db = igbRegisters();
    const status = await diff(INIT, NEWER, { ignoreVolatile: false, registers: ['STATUS'], selectors: parseSelectors(db, ['STATUS']) });
    expect(status.equivalent).toBe(true);
    const systim = await diff(INIT, NEWER, { ignoreVolatile: false, registers: ['SYSTIML'], selectors: parseSelectors(db, ['SYSTIML']) });
    expect(new Set(systim.differences.map((d) => d.type === 'hunk' ? 'hunk' : d.register.label))).toEqual(new Set(['SYSTIML']));
    const stats = await diff(INIT, NEWER, { ignoreVolatile: false, block: 'statistics' });
    expect(stats.differences.length).toBeGreaterThan(0);
    expect(stats.blocks.map((b) => b.block)).toEqual(['statistics']);
    for (const d of stats.differences) expect(d.type === 'hunk' ? d.registers.every((x) => x.block === 'statistics') : d.register.block === 'statistics').toBe(true);
  });

  it('--registers RDBAL selects the whole array, RDBAL(1) only one element', () => {
    const db = igbRegisters();
    expect(parseSelectors(db, ['RDBAL'])[0]).not.toHaveProperty('index');
    expect(parseSelectors(db, ['RDBAL(1)'])[0]).toMatchObject({ index: 1 });
    expect(parseSelectors(db, ['0xc000'])[0]).toMatchObject({ index: 0 });
  });
});
