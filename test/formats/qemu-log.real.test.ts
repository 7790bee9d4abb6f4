// Parser checks on the real recordings in traces/ (made by scripts/record-linux-traces.sh).
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parseFile, parseInChunks } from './helpers.js';

const TRACES = ['linux-6.1-init', 'linux-6.1-init-ts', 'linux-6.1-traffic', 'linux-6.1-reload', 'linux-6.1-init-pcicfg', 'linux-6.12-init'];
const path = (name: string): string => `traces/${name}.log`;

function countLines(text: string, pattern: RegExp): number {
  return text.split('\n').filter((line) => pattern.test(line)).length;
}

describe.each(TRACES)('real trace %s', (name) => {
  const text = readFileSync(path(name), 'latin1');

  it('turns every primary line into exactly one access', async () => {
    const { accesses, result } = await parseFile(path(name));
    const guest = accesses.filter((a) => a.space !== 'phy');
    const reads = countLines(text, /(^|:)e1000e_core_read |e1000e_wrn_regs_read_unknown /);
    const writes = countLines(text, /(^|:)e1000e_core_write |e1000e_wrn_regs_write_(unknown|ro) /);
    const configWrites = countLines(text, /(^|:)igb_write_config /);
    const nicConfigReads = countLines(text, /(^|:)pci_cfg_read igb /);
    expect(guest.filter((a) => a.space === 'mmio' && a.kind === 'read')).toHaveLength(reads);
    expect(guest.filter((a) => a.space === 'mmio' && a.kind === 'write')).toHaveLength(writes);
    expect(guest.filter((a) => a.space === 'pci-config' && a.kind === 'write')).toHaveLength(configWrites);
    expect(guest.filter((a) => a.space === 'pci-config' && a.kind === 'read')).toHaveLength(nicConfigReads);
    expect(result.stats.lines).toBe(text.split('\n').length - 1);
    expect(result.stats.malformedLines).toBe(0);
    expect(result.stats.otherTextLines).toBe(0);
  });

  it('derives one PHY access per MDIC event', async () => {
    const { accesses } = await parseFile(path(name));
    const mdic = countLines(text, /igb_core_mdic_(read|write)(_unhandled)? /);
    const phy = accesses.filter((a) => a.space === 'phy');
    expect(phy).toHaveLength(mdic);
    for (const access of phy) {
      const cause = accesses[access.cause!]!;
      expect(cause.space).toBe('mmio');
      expect(cause.offset).toBe(0x20);
      expect(cause.kind).toBe('write');
    }
  });

  it('keeps invariants: seq order, widths, offsets, lines increasing', async () => {
    const { records } = await parseFile(path(name));
    let seq = 0;
    let line = 0;
    for (const record of records) {
      if (record.type === 'access') {
        expect(record.seq).toBe(seq++);
        expect([1, 2, 4, 8]).toContain(record.size);
        if (record.space === 'mmio') expect(record.offset).toBeLessThan(0x20000);
        if (record.space === 'mmio') expect(record.offset % 4).toBe(0);
      } else {
        expect(record.afterSeq).toBe(seq - 1);
      }
      expect(record.line).toBeGreaterThanOrEqual(line);
      line = record.line;
    }
  });

  it('gives the same records whatever the chunk boundaries', async () => {
    const whole = await parseFile(path(name));
    for (const chunkSize of [1, 7, 4093]) {
      const chunked = parseInChunks(text, chunkSize);
      expect(chunked.records).toEqual(whole.records);
    }
  });
});

describe('attribution of side events (linux-6.1-init-ts, with thread ids)', () => {
  it('puts timer events in autoneg markers, not on the vCPU accesses', async () => {
    const { markers, accesses } = await parseFile(path('linux-6.1-init-ts'));
    const autoneg = markers.filter((m) => m.kind === 'autoneg');
    expect(autoneg.length).toBe(countLines(readFileSync(path('linux-6.1-init-ts'), 'latin1'), /e1000x_link_negotiation_done/));
    for (const marker of autoneg) expect(marker.events.map((e) => e.name)).toContain('e1000e_link_autoneg_flowctl');
    const vcpu = new Set(accesses.filter((a) => a.space === 'mmio').map((a) => a.thread));
    expect(vcpu.size).toBe(1);
    for (const marker of autoneg) expect(vcpu.has(marker.thread)).toBe(false);
  });

  it('attaches the ICR clear-on-read events to the ICR read that caused them', async () => {
    const { accesses } = await parseFile(path('linux-6.1-init'));
    const icrReads = accesses.filter((a) => a.offset === 0xc0 && a.kind === 'read' && a.events.length > 0);
    expect(icrReads.length).toBeGreaterThan(0);
    for (const read of icrReads) {
      for (const event of read.events) expect(event.line).toBeLessThan(read.line);
    }
    const clears = accesses.flatMap((a) => a.events).filter((e) => e.name === 'e1000e_irq_icr_clear_zero_ims');
    for (const clear of clears) {
      const owner = accesses.find((a) => a.events.includes(clear))!;
      expect(owner.offset).toBe(0xc0);
      expect(owner.kind).toBe('read');
    }
  });

  it('marks partially implemented registers with the recording QEMU verdict', async () => {
    const { accesses } = await parseFile(path('linux-6.1-init'));
    const eecd = accesses.filter((a) => a.space === 'mmio' && a.offset === 0x10 && a.kind === 'read');
    expect(eecd.length).toBeGreaterThan(0);
    expect(eecd.every((a) => a.verdict === 'partial')).toBe(true);
    const unknown = accesses.filter((a) => a.verdict === 'unknown' && a.kind === 'read');
    expect(unknown.every((a) => a.value === 0)).toBe(true);
  });
});
