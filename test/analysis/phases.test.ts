// Phase recognition: on SYNTHETIC access lists (made up here, one signal at a time) and on the
// real recordings in traces/ (the phase sequence of a Linux igb init, reload and 6.12 init).
import { describe, expect, it } from '@jest/globals';
import { PhaseTracker, phaseOf, recognisePhases, type Phase } from '../../src/analysis/phases.js';
import type { TraceRecord } from '../../src/model/access.js';
import { igbRegisters } from '../../src/regs/database.js';
import { loadRecords } from '../replay/replay-env.js';
import { accesses, marker } from './synthetic.js';

const registers = igbRegisters();
const CTRL = 0x0;
const STATUS = 0x8;
const EECD = 0x10;
const EERD = 0x14;
const MDIC = 0x20;
const VFTA = 0x5600;
const TDBAL0 = 0xe000;
const TDT0 = 0xe018;
const CTRL_RST = 1 << 26;
/** MDIC: read (OP 10b) of PHY register 2 (PHY identifier), PHY address 1. */
const MDIC_READ_PHYID1 = (2 << 26) | (1 << 21) | (2 << 16);

function kinds(phases: readonly Phase[]): string[] {
  return phases.map((p) => p.label);
}

describe('recognisePhases (synthetic)', () => {
  it('follows probe, reset, identification, hardware init, queue set-up, link-up and traffic', () => {
    const records: TraceRecord[] = accesses([
      { offset: STATUS, value: 0x80080400 }, //                         0 probe
      { offset: EECD, value: 0x1110 }, //                               1 NVM size: identification
      { kind: 'write', offset: CTRL, value: CTRL_RST }, //              2 reset
      { offset: EECD, value: 0x1110 }, //                               3 waits for auto-read: still reset
      { kind: 'write', offset: EERD, value: 0x1 }, //                   4 NVM word read
      { kind: 'write', offset: MDIC, value: MDIC_READ_PHYID1 }, //      5 PHY id (still identification)
      { kind: 'write', offset: VFTA, value: 0 }, //                     6 hardware init
      { kind: 'write', offset: EERD, value: 0x1 }, //                   7 configuration read: stays hw-init
      { offset: STATUS, value: 0x80080400 }, //                         8 LU clear
      { kind: 'write', offset: TDBAL0, value: 0x1000 }, //              9 queue set-up
      { offset: STATUS, value: 0x80080402 }, //                        10 LU set after clear: link-up
      { kind: 'write', offset: TDT0, value: 1 }, //                    11 a frame queued: traffic
    ]);
    const phases = recognisePhases(records, registers);
    expect(kinds(phases)).toEqual(['probe', 'nvm-phy-id', 'reset', 'nvm-phy-id #2', 'hw-init', 'queue-setup', 'link-up', 'traffic']);
    expect(phases.map((p) => [p.startSeq, p.endSeq])).toEqual([[0, 1], [1, 2], [2, 4], [4, 6], [6, 9], [9, 10], [10, 11], [11, 12]]);
    expect(phases[2]).toMatchObject({ cause: 'CTRL write with RST', firstLine: 3, lastLine: 4 });
    expect(phaseOf(phases, 7)?.label).toBe('hw-init');
    expect(phaseOf(phases, 12)).toBeUndefined();
  });

  it('starts link-up and traffic phases at the access after an autoneg or received-packet marker', () => {
    const tracker = new PhaseTracker(registers);
    const list = accesses([
      { kind: 'write', offset: TDBAL0, value: 0x1000 }, // 0 queue set-up
      { offset: STATUS, value: 0x80080402 }, //            1 after autoneg marker: link-up
      { offset: 0x4000, value: 0 }, //                     2 after rx-packet marker: traffic
    ]);
    tracker.observe(list[0]!);
    tracker.observe(marker('autoneg', 0, 2));
    tracker.observe(list[1]!);
    tracker.observe(marker('rx-packet', 1, 3));
    tracker.observe(list[2]!);
    const phases = tracker.phases();
    expect(kinds(phases)).toEqual(['queue-setup', 'link-up', 'traffic']);
    expect(phases[1]?.cause).toBe('autonegotiation completed');
    expect(phases[2]?.cause).toBe('packet received');
  });

  it('opens a new probe when bus mastering is enabled again (driver reload)', () => {
    const records = accesses([
      { kind: 'write', space: 'pci-config', offset: 0x4, value: 0x107 }, // 0 first load: probe already
      { kind: 'write', offset: VFTA, value: 0 }, //                         1 hw-init
      { kind: 'write', space: 'pci-config', offset: 0x4, value: 0x103 }, // 2 remove: bus master off
      { kind: 'write', space: 'pci-config', offset: 0x4, value: 0x107 }, // 3 load again
      { offset: EECD, value: 0x1110 }, //                                   4 identification again
    ]);
    expect(kinds(recognisePhases(records, registers))).toEqual(['probe', 'hw-init', 'probe #2', 'nvm-phy-id']);
  });

  it('gives no phases for an empty trace', () => {
    expect(recognisePhases([], registers)).toEqual([]);
  });
});

describe('recognisePhases on real recordings', () => {
  const INIT = ['probe', 'nvm-phy-id', 'reset', 'nvm-phy-id #2', 'reset #2', 'nvm-phy-id #3', 'hw-init',
    'link-up', 'queue-setup', 'link-up #2', 'traffic', 'reset #3', 'hw-init #2'];

  it.each(['linux-6.1-init', 'linux-6.12-init', 'linux-6.1-traffic'])('%s: the Linux igb load, open, DHCP and shutdown', async (name) => {
    const records = await loadRecords(`traces/${name}.log`);
    const phases = recognisePhases(records, registers);
    expect(kinds(phases)).toEqual(INIT);
    // Phases tile the accesses: contiguous, in order, covering every seq.
    const total = records.filter((r) => r.type === 'access').length;
    expect(phases[0]?.startSeq).toBe(0);
    expect(phases.at(-1)?.endSeq).toBe(total);
    for (let i = 1; i < phases.length; i++) expect(phases[i]!.startSeq).toBe(phases[i - 1]!.endSeq);
  });

  it('linux-6.1-e1000e-init: the e1000e driver writes its rings at the legacy offsets, still queue set-up', async () => {
    const labels = kinds(recognisePhases(await loadRecords('traces/linux-6.1-e1000e-init.log'), registers));
    expect(labels.slice(0, 2)).toEqual(['probe', 'nvm-phy-id']);
    expect(labels.slice(-3)).toEqual(['queue-setup', 'link-up', 'traffic']);
  });

  it('linux-6.1-reload: two driver loads, each with its own probe', async () => {
    const phases = recognisePhases(await loadRecords('traces/linux-6.1-reload.log'), registers);
    const labels = kinds(phases);
    expect(labels.filter((l) => l.startsWith('probe'))).toEqual(['probe', 'probe #2']);
    expect(labels.filter((l) => l.startsWith('traffic'))).toEqual(['traffic', 'traffic #2']);
    expect(phases.find((p) => p.label === 'probe #2')?.cause).toMatch(/bus mastering enabled again/);
  });
});
