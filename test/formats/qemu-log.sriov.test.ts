// SR-IOV in a QEMU log: config accesses of the PF's virtual functions (`igbvf 01:10.0`) are the
// NIC's too, each with its VF number (from its address and the PF's: igb's First VF Offset 0x80 and
// VF Stride 2), and igbvf_write_config gives a VF write its width as igb_write_config does the PF's.
// Checked on synthetic lines and against grep counts of the real SR-IOV recording.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { readTrace } from '../../src/formats/read-trace.js';
import { collector, parseFile, parseText } from './helpers.js';

const PF = [
  'pci_cfg_read pcie-root-port 00:02.0 @0x0 -> 0xc1b36',
  'pci_cfg_read igb 01:00.0 @0x0 -> 0x10c98086',
  'pci_cfg_write igb 01:00.0 @0x168 <- 0x19',
  'igb_write_config CONFIG write 0x168, value: 0x19, len: 2',
];

const VFS = [
  'pci_cfg_read igbvf 01:10.0 @0x4 -> 0x100000',
  'pci_cfg_write igbvf 01:10.2 @0x72 <- 0xc002',
  'igbvf_write_config CONFIG write 0x72, value: 0xc002, len: 2',
  // Not VFs of this PF: another bus, and a devfn past the eight VFs igb has.
  'pci_cfg_read igbvf 02:10.0 @0x0 -> 0xffffffff',
  'pci_cfg_read igbvf 01:18.0 @0x0 -> 0xffffffff',
];

describe('VF config accesses', () => {
  it('are the NIC\'s, with the VF number, and their write takes the width igbvf_write_config gives', async () => {
    const { accesses, result } = await parseText(`${[...PF, ...VFS].join('\n')}\n`);
    const config = accesses.map((a) => ({ kind: a.kind, offset: a.offset, size: a.size, value: a.value, vf: a.vf }));
    expect(config).toEqual([
      { kind: 'read', offset: 0, size: 4, value: 0x10c98086, vf: undefined },
      { kind: 'write', offset: 0x168, size: 2, value: 0x19, vf: undefined },
      { kind: 'read', offset: 4, size: 4, value: 0x100000, vf: 0 },
      { kind: 'write', offset: 0x72, size: 2, value: 0xc002, vf: 1 },
    ]);
    // The device's own config-write events stay with the write they confirm.
    expect(accesses[3]!.events.map((e) => e.name)).toEqual(['igbvf_write_config']);
    expect(result.stats.otherPciLines).toBe(3);
  });

  it('need the PF\'s address: without it (a log read in segments) only a caller that knows it tells them', async () => {
    const segment = `${VFS.slice(0, 3).join('\n')}\n`;
    expect((await parseText(segment)).accesses).toEqual([]);
    const sink = collector();
    await readTrace('-', sink, { nicAddress: '01:00.0', stdin: Readable.from([Buffer.from(segment, 'latin1')]) });
    expect(sink.accesses.map((a) => [a.kind, a.offset, a.vf])).toEqual([['read', 4, 0], ['write', 0x72, 1]]);
  });
});

describe('the real SR-IOV recording', () => {
  it('has every igbvf config line as a VF access, VF0 at 01:10.0 and VF1 at 01:10.2', async () => {
    const path = 'traces/linux-6.1-sriov.log';
    const text = readFileSync(path, 'latin1');
    const count = (re: RegExp): number => text.split('\n').filter((line) => re.test(line)).length;
    const { accesses } = await parseFile(path);
    const of = (vf: number | undefined, kind: 'read' | 'write'): number =>
      accesses.filter((a) => a.space === 'pci-config' && a.vf === vf && a.kind === kind).length;
    for (const [vf, address] of [[0, '01:10\\.0'], [1, '01:10\\.2']] as const) {
      expect(of(vf, 'read')).toBe(count(new RegExp(`pci_cfg_read igbvf ${address} `)));
      expect(of(vf, 'write')).toBe(count(new RegExp(`pci_cfg_write igbvf ${address} `)));
      expect(of(vf, 'read')).toBeGreaterThan(50);
    }
    expect(of(undefined, 'read')).toBe(count(/pci_cfg_read igb 01:00\.0 /));
    // Every VF write's width came from its igbvf_write_config line.
    const vfWrites = accesses.filter((a) => a.vf !== undefined && a.kind === 'write');
    expect(vfWrites.every((a) => a.events.some((e) => e.name === 'igbvf_write_config'))).toBe(true);
    expect(vfWrites.filter((a) => a.offset === 0x72).map((a) => a.size)).toEqual([2, 2, 2, 2]);
  });
});
