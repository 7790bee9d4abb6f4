// Unit tests of the record aggregator on SYNTHETIC record lists (see synthetic.ts).
import { describe, expect, it } from '@jest/globals';
import { TraceSummaryBuilder } from '../../src/analysis/trace-summary.js';
import type { Access, Marker } from '../../src/model/access.js';
import { accesses, marker, syntheticNames } from './synthetic.js';

function aggregate(records: readonly (Access | Marker)[]): ReturnType<TraceSummaryBuilder['result']> {
  const builder = new TraceSummaryBuilder(syntheticNames());
  for (const r of records) {
    if (r.type === 'access') builder.access(r);
    else builder.marker(r);
  }
  return builder.result();
}

describe('TraceSummaryBuilder (synthetic records)', () => {
  const list = accesses([
    { offset: 0x10, verdict: 'partial' },
    { offset: 0x8, value: 0x80080483 },
    { kind: 'write', offset: 0x0 },
    { offset: 0x8 },
    { offset: 0x4038, verdict: 'unknown' },
    { kind: 'write', offset: 0x4038, verdict: 'read-only' },
    { offset: 0x4038, verdict: 'unknown' },
    { kind: 'write', offset: 0x59ec, verdict: 'unknown' },
    { space: 'phy', offset: 20, verdict: 'phy-unhandled' },
    { space: 'phy', offset: 1 },
    { space: 'pci-config', kind: 'write', offset: 0x4 },
    { space: 'io', kind: 'read', offset: 4, register: 0x8 },
    { space: 'io', kind: 'write', offset: 0 },
  ]);

  it('counts accesses by space and kind, and by verdict', () => {
    const s = aggregate(list);
    expect(s.accesses).toBe(13);
    expect(s.bySpace.mmio).toEqual({ read: 5, write: 3 });
    expect(s.bySpace.phy).toEqual({ read: 2, write: 0 });
    expect(s.bySpace['pci-config']).toEqual({ read: 0, write: 1 });
    expect(s.bySpace.io).toEqual({ read: 1, write: 1 });
    expect(s.verdicts).toEqual({ ok: 7, unknown: 3, 'read-only': 1, partial: 1, 'phy-unhandled': 1 });
  });

  it('tallies registers by name, most accessed first, with per-verdict counts and first lines', () => {
    const { registers } = aggregate(list);
    expect(registers.mmio.map((t) => t.name ?? t.offset)).toEqual(['STATUS', 'SEC', 'CTRL', 'EECD', 0x59ec]);
    const status = registers.mmio[0]!;
    // The IODATA read of STATUS counts with STATUS (viaIo), not as an IO-port register.
    expect(status).toMatchObject({ reads: 3, writes: 0, viaIo: 1, firstSeq: 1, firstLine: 2, lastLine: 12, block: 'general' });
    const sec = registers.mmio[1]!;
    expect(sec.verdicts).toEqual([
      { verdict: 'unknown', kind: 'read', count: 2, firstSeq: 4, firstLine: 5 },
      { verdict: 'read-only', kind: 'write', count: 1, firstSeq: 5, firstLine: 6 },
    ]);
    const unmapped = registers.mmio[4]!;
    expect(unmapped.name).toBeUndefined();
    expect(unmapped.block).toBe('unmapped');
    expect(registers.phy.map((t) => [t.name, t.verdicts.map((v) => v.verdict)])).toEqual([
      ['BMSR', []], ['GMII_FIFO', ['phy-unhandled']],
    ]);
    expect(registers.io.map((t) => t.offset)).toEqual([0]);
    expect(registers['pci-config'].map((t) => t.offset)).toEqual([4]);
  });

  it('counts markers by kind and spans the timestamps of accesses and markers', () => {
    const timed = accesses([
      { offset: 0x8, timeUs: 1_000_100, thread: 7 },
      { offset: 0x8, timeUs: 1_000_050, thread: 7 },
    ]);
    const s = aggregate([...timed, marker('autoneg', 1, 3, 1_500_000), marker('autoneg', 1, 4), marker('rx-packet', 1, 5)]);
    expect(s.markers).toBe(3);
    expect(s.markersByKind.autoneg).toBe(2);
    expect(s.markersByKind['rx-packet']).toBe(1);
    expect(s.time).toEqual({ firstUs: 1_000_050, lastUs: 1_500_000, durationUs: 499_950, threads: 1 });
  });

  it('has no time span when the trace has no timestamps', () => {
    expect(aggregate(accesses([{ offset: 0 }])).time).toBeUndefined();
  });

  it('keeps one tally per register however many accesses (bounded memory)', () => {
    const builder = new TraceSummaryBuilder(syntheticNames());
    const template = accesses([{ offset: 0x8 }])[0]!;
    for (let seq = 0; seq < 100_000; seq++) builder.access({ ...template, seq, line: seq + 1 });
    const s = builder.result();
    expect(s.registers.mmio).toHaveLength(1);
    expect(s.registers.mmio[0]!.reads).toBe(100_000);
  });
});
