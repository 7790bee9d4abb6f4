// Unit tests of the offline triage on SYNTHETIC record lists (see synthetic.ts).
import { describe, expect, it } from '@jest/globals';
import { offlineTriage } from '../../src/analysis/offline-triage.js';
import { TraceSummaryBuilder } from '../../src/analysis/trace-summary.js';
import type { Access } from '../../src/model/access.js';
import { accesses, syntheticNames } from './synthetic.js';

const SOURCE = { file: 'synthetic', dialectDescription: 'synthetic records' };

function triage(list: readonly Access[]): ReturnType<typeof offlineTriage> {
  const builder = new TraceSummaryBuilder(syntheticNames());
  for (const a of list) builder.access(a);
  return offlineTriage(builder.result(), SOURCE);
}

describe('offlineTriage (synthetic records)', () => {
  it('lists only registers QEMU flagged, grouped by block, unmapped offsets in their own group', () => {
    const t = triage(accesses([
      { offset: 0x8 },
      { offset: 0x10, verdict: 'partial' },
      { offset: 0x4038, verdict: 'unknown' },
      { kind: 'write', offset: 0x59ec, verdict: 'unknown' },
      { space: 'phy', offset: 20, verdict: 'phy-unhandled' },
    ]));
    expect(t.schema).toBe('igb-replay/triage');
    expect(t.registers).toBe(4);
    expect(t.groups.map((g) => g.block).sort()).toEqual(['nvm', 'phy', 'statistics', 'unmapped']);
    const unmapped = t.groups.find((g) => g.block === 'unmapped')!;
    expect(unmapped.title).toMatch(/not in the register database/);
    expect(unmapped.entries[0]!.label).toBe('0x59ec');
    const phy = t.groups.find((g) => g.block === 'phy')!;
    expect(phy.entries[0]!.label).toBe('PHY[20] GMII_FIFO');
  });

  it('ranks earlier gaps first when counts are equal', () => {
    const t = triage(accesses([
      { offset: 0x0, verdict: 'unknown' },
      { offset: 0x8 }, { offset: 0x8 }, { offset: 0x8 },
      { offset: 0x10, verdict: 'partial' },
    ]));
    const ranked = t.groups.flatMap((g) => g.entries).sort((a, b) => a.rank - b.rank);
    expect(ranked.map((e) => e.label)).toEqual(['CTRL', 'EECD']);
    // Same count (1 each): the count part is equal; earliness decides.
    expect(ranked[0]!.scoreParts.count).toBe(ranked[1]!.scoreParts.count);
    expect(ranked[0]!.scoreParts.earliness).toBe(1);
    expect(ranked[1]!.scoreParts.earliness).toBe(0.2);
    expect(ranked[0]!.score).toBe(100);
    expect(ranked[1]!.score).toBe(60);
  });

  it('weighs statistics counters at 0.6: a counter gap ranks below a control-register gap with the same evidence', () => {
    const t = triage(accesses([
      { offset: 0x4038, verdict: 'unknown' },
      { offset: 0x10, verdict: 'unknown' },
      { offset: 0x8 }, { offset: 0x8 }, { offset: 0x8 },
    ]));
    const ranked = t.groups.flatMap((g) => g.entries).sort((a, b) => a.rank - b.rank);
    expect(ranked.map((e) => e.label)).toEqual(['EECD', 'SEC']);
    expect(ranked[1]!.score).toBe(60);
    expect(ranked[0]!.score).toBe(90);
    expect(t.scoring.formula).toContain('m = block impact (statistics 0.6, else 1)');
  });

  it('ranks a frequently hit gap above a rare one when they start together', () => {
    const list = accesses([
      { offset: 0x10, verdict: 'partial' },
      { offset: 0x4038, verdict: 'unknown' },
      ...Array.from({ length: 20 }, () => ({ offset: 0x10, verdict: 'partial' as const })),
    ]);
    const t = triage(list);
    expect(t.groups[0]!.block).toBe('nvm');
    expect(t.groups[0]!.entries[0]).toMatchObject({ label: 'EECD', flagged: 21, firstLine: 1, rank: 1 });
    // Groups are ordered by their best entry.
    expect(t.groups.map((g) => g.score)).toEqual([...t.groups.map((g) => g.score)].sort((a, b) => b - a));
  });

  it('reports the first flagged access, not the first access, of a register', () => {
    const t = triage(accesses([
      { offset: 0x4038 },
      { offset: 0x8 },
      { kind: 'write', offset: 0x4038, verdict: 'read-only' },
    ]));
    const entry = t.groups[0]!.entries[0]!;
    expect(entry).toMatchObject({ label: 'SEC', firstSeq: 2, firstLine: 3, flagged: 1, accesses: 2 });
    expect(entry.verdicts).toEqual([{ verdict: 'read-only', kind: 'write', count: 1, firstSeq: 2, firstLine: 3 }]);
  });

  it('is empty when QEMU flagged nothing', () => {
    const t = triage(accesses([{ offset: 0x8 }]));
    expect(t.registers).toBe(0);
    expect(t.groups).toEqual([]);
  });
});
