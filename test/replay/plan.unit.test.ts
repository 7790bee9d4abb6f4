// The replay planner (pure): which accesses are replayed, where time runs, which reads are polls.
import { describe, expect, it } from '@jest/globals';
import { createReadStream } from 'node:fs';
import { parseFile } from '../formats/helpers.js';
import type { Access, Marker, TraceRecord } from '../../src/model/access.js';
import { igbRegisters } from '../../src/regs/index.js';
import { planReplay } from '../../src/replay/plan.js';
import { parseDeviceOption } from '../../src/replay/device-option.js';
import { loadTrace } from '../../src/trace/load.js';

const registers = igbRegisters();

describe('planReplay on a real recording (linux-6.1-init)', () => {
  it('freezes no timer marker of an init (no interrupt is throttled while an autonegotiation is pending)', async () => {
    const { records } = await parseFile('traces/linux-6.1-init.log');
    expect(planReplay(records, registers).frozenTime).toEqual([]);
  });

  it('replays every MMIO access, skips PHY accesses and BAR programming, keeps other config writes', async () => {
    const { records, accesses } = await parseFile('traces/linux-6.1-init.log');
    const plan = planReplay(records, registers);
    const kinds = (kind: string): number => plan.steps.filter((s) => s.kind === kind).length;
    const mmio = accesses.filter((a) => a.space === 'mmio');
    expect(kinds('read') + kinds('write')).toBe(mmio.length);
    for (const step of plan.steps) {
      if (step.kind === 'skip') expect(['phy', 'pci-config']).toContain(step.access.space);
      if (step.kind === 'config-write') {
        expect(step.access.offset < 0x10 || step.access.offset > 0x27).toBe(true);
        // As recorded, COMMAND too (decoding off while the kernel sizes BARs: see plan.ts CommandTracker).
        expect(step.value).toBe(step.access.value);
      }
    }
    expect(plan.skipped).toBe(kinds('skip'));
  });

  it('lets time run at both autoneg completions, and never at a reset or received packet', async () => {
    const { records } = await parseFile('traces/linux-6.1-init.log');
    const plan = planReplay(records, registers);
    const advanced = plan.steps.flatMap((s) => (s.kind === 'advance-time' ? [s.marker.kind] : []));
    expect(advanced.filter((k) => k === 'autoneg')).toHaveLength(2);
    expect(advanced).not.toContain('reset');
    expect(advanced).not.toContain('rx-packet');
  });

  it('finds the EEPROM polling loops and never treats side-effect reads as polls', async () => {
    const { records } = await parseFile('traces/linux-6.1-init.log');
    const plan = planReplay(records, registers);
    const names = plan.polls.map((p) => registers.lookupOffset(p.offset)!.name);
    expect(new Set(names)).toEqual(new Set(['EECD', 'EEMNGCTL']));
    for (const poll of plan.polls) {
      expect(poll.reads).toBeGreaterThanOrEqual(3);
      expect(registers.lookupOffset(poll.offset)!.def.readSideEffect).toBe(false);
    }
  });
});

// SYNTHETIC records, built here to pin down edge cases.
function read(seq: number, offset: number, value: number): Access {
  return { type: 'access', seq, line: seq + 1, kind: 'read', space: 'mmio', offset, size: 4, value, verdict: 'ok', events: [] };
}

describe('planReplay edge cases (synthetic records)', () => {
  it('splits a polling loop at a timer marker, so time runs between its halves', () => {
    const marker: Marker = { type: 'marker', kind: 'autoneg', line: 100, afterSeq: 3, events: [] };
    const records: TraceRecord[] = [0, 1, 2, 3].map((s) => read(s, 0x8, 0x80080481));
    records.push(marker, ...[4, 5, 6].map((s) => read(s, 0x8, 0x80080483)));
    const plan = planReplay(records, registers);
    expect(plan.polls.map((p) => [p.firstSeq, p.reads, p.outcome])).toEqual([[0, 4, 0x80080481], [4, 3, 0x80080483]]);
    expect(plan.steps.findIndex((s) => s.kind === 'advance-time')).toBe(4);
  });

  it('lets time run at idle gaps (mmiotrace) although no autoneg can be seen pending, and never at a MARK (synthetic)', () => {
    const records: TraceRecord[] = [read(0, 0x8, 0x80080481),
      { type: 'marker', kind: 'idle', line: 2, afterSeq: 0, events: [] },
      read(1, 0x8, 0x80080483),
      { type: 'marker', kind: 'mark', line: 3, afterSeq: 1, events: [] },
      read(2, 0x8, 0x80080483)];
    const plan = planReplay(records, registers);
    expect(plan.steps.map((s) => s.kind)).toEqual(['read', 'advance-time', 'read', 'read']);
  });

  it('lets no time run at a throttling timer while an autonegotiation is pending, and says so', () => {
    const event = (name: string, line: number): Marker['events'][number] => ({ name, category: 'link', line, text: '' });
    const timer = (line: number, afterSeq: number): Marker => ({
      type: 'marker', kind: 'itr-timer', line, afterSeq, events: [{ name: 'e1000e_irq_msix_notify_postponed_vec', category: 'irq', line, text: 'Sending MSI-X postponed by EITR[23]' }],
    });
    const start: Access = { ...read(1, 0x8, 0x80080481), events: [event('e1000x_link_negotiation_start', 20)] };
    const records: TraceRecord[] = [read(0, 0x8, 0x80080481), timer(10, 0), start, timer(30, 1),
      { type: 'marker', kind: 'autoneg', line: 40, afterSeq: 1, events: [event('e1000x_link_negotiation_done', 40)] }, timer(50, 1), read(2, 0x8, 0x80080483)];
    const plan = planReplay(records, registers);
    expect(plan.steps.flatMap((s) => (s.kind === 'advance-time' ? [s.marker.line] : []))).toEqual([10, 40, 50]);
    expect(plan.frozenTime).toEqual([{ line: 30, reason: 'an autonegotiation was pending, which letting the clock run would complete early' }]);
  });

  it('programs the replay\'s BARs again where the device reset itself after a PF config write (an FLR), not after a VF\'s or a register write', () => {
    const devCtl = (seq: number, vf?: number): Access => ({
      type: 'access', seq, line: seq + 1, kind: 'write', space: 'pci-config', offset: 0xa8, size: 2, value: 0x8000, verdict: 'ok', events: [],
      ...(vf === undefined ? {} : { vf }),
    });
    const reset = (afterSeq: number): Marker => ({
      type: 'marker', kind: 'reset', line: 100 + afterSeq, afterSeq,
      events: [{ name: 'e1000e_cb_qdev_reset_hold', category: 'reset', line: 100 + afterSeq, text: 'E1000E qdev reset hold' }],
    });
    const kinds = (records: TraceRecord[]): string[] => planReplay(records, registers).steps.map((s) => s.kind);
    const flr = planReplay([read(0, 0x8, 0x80080483), devCtl(1), reset(1), read(2, 0x8, 0)], registers).steps;
    expect(flr.map((s) => s.kind)).toEqual(['read', 'config-write', 'reprogram-bars', 'read']);
    expect(flr[2]!.kind === 'reprogram-bars' && flr[2]!.access.seq).toBe(1);
    expect(kinds([read(0, 0x8, 0x80080483), devCtl(1, 0), reset(1), read(2, 0x8, 0)])).toEqual(['read', 'config-write', 'read']);
    const ctrlWrite: Access = { ...read(1, 0x0, 0x4000000), kind: 'write' };
    expect(kinds([read(0, 0x8, 0x80080483), ctrlWrite, reset(1), read(2, 0x8, 0)])).toEqual(['read', 'write', 'read']);
    // The device's realize, before any access, and a reset that does not follow the config write directly.
    expect(kinds([reset(-1), read(0, 0x8, 0)])).toEqual(['read']);
    expect(kinds([devCtl(0), read(1, 0x8, 0), reset(1)])).toEqual(['config-write', 'read']);
  });

  describe('COMMAND, as the recording had it', () => {
    const config = (seq: number, kind: 'read' | 'write', value: number, vf?: number): Access => ({
      type: 'access', seq, line: seq + 1, kind, space: 'pci-config', offset: 0x4, size: 2, value, verdict: 'ok', events: [],
      ...(vf === undefined ? {} : { vf }),
    });
    const shape = (steps: ReturnType<typeof planReplay>['steps']): unknown[] => steps.map((s) => (s.kind === 'config-write' ? ['write', s.access.vf, s.value]
      : s.kind === 'config-read' ? ['read', s.commandBefore] : s.kind));

    it('replays the PF\'s and a VF\'s COMMAND writes as written, decoding off included', () => {
      expect(shape(planReplay([config(0, 'write', 0x100), config(1, 'write', 0x400, 0)], registers).steps))
        .toEqual([['write', undefined, 0x100], ['write', 0, 0x400]]);
    });

    it('writes the firmware\'s COMMAND before its first read, when that read shows decoding off before any register access', () => {
      const steps = planReplay([config(0, 'read', 0x0), config(1, 'write', 0x103), config(2, 'read', 0x103), read(3, 0x8, 0x80080481)], registers).steps;
      expect(shape(steps)).toEqual([['read', 0], ['write', undefined, 0x103], ['read', undefined], 'read']);
      // A dword read: COMMAND is its low half (STATUS above it is not written).
      expect(shape(planReplay([config(0, 'read', 0x1000000), config(1, 'write', 0x103)], registers).steps)).toEqual([['read', 0], ['write', undefined, 0x103]]);
    });

    it('leaves the set-up\'s COMMAND where decoding was already on, a register access or a COMMAND write came first, or a VF is read', () => {
      const noRestore = (records: TraceRecord[]): boolean => planReplay(records, registers).steps.every((s) => s.kind !== 'config-read' || s.commandBefore === undefined);
      expect(noRestore([config(0, 'read', 0x107), config(1, 'write', 0x107)])).toBe(true);
      expect(noRestore([read(0, 0x8, 0x80080481), config(1, 'read', 0x0), config(2, 'write', 0x103)])).toBe(true);
      expect(noRestore([config(0, 'write', 0x103), config(1, 'read', 0x0)])).toBe(true);
      expect(noRestore([config(0, 'read', 0x0, 1), config(1, 'write', 0x103)])).toBe(true);
    });

    it('turns decoding on again before a register access of a cut or edited trace whose COMMAND says it is off', () => {
      const steps = planReplay([config(0, 'write', 0x100), read(1, 0x8, 0x80080481), read(2, 0x8, 0x80080481), config(3, 'write', 0x406), read(4, 0x8, 0x80080481)], registers).steps;
      // Memory decoding only, once: the later write keeps it on (IO off, as Linux's igb leaves it), so nothing is added.
      expect(shape(steps)).toEqual([['write', undefined, 0x100], ['write', undefined, 0x102], 'read', 'read', ['write', undefined, 0x406], 'read']);
      const fix = steps[1]!;
      expect(fix.kind === 'config-write' && [fix.access.seq, fix.access.line, fix.access.offset, fix.access.size]).toEqual([1, 2, 0x4, 2]);
      // A recording's own order (decoding on again before the next access) needs nothing added.
      expect(shape(planReplay([config(0, 'write', 0x100), config(1, 'write', 0x103), read(2, 0x8, 0x80080481)], registers).steps))
        .toEqual([['write', undefined, 0x100], ['write', undefined, 0x103], 'read']);
    });

    it('leaves it too in a recording that logs no config writes: nothing would turn decoding on again', () => {
      const steps = planReplay([config(0, 'read', 0x0), read(1, 0x8, 0x80080481)], registers).steps;
      expect(shape(steps)).toEqual([['read', undefined], 'read']);
    });
  });

  it('does not fold reads of clear-on-read registers', () => {
    const records = [0, 1, 2, 3].map((s) => read(s, 0xc0, 0));
    expect(planReplay(records, registers).polls).toEqual([]);
  });
});

describe('device and MAC of the replay', () => {
  it('parses --device strings and rejects what the replay owns', () => {
    expect(parseDeviceOption('igb,mac=52:54:00:aa:bb:cc,x-pcie-flr-init=off')).toMatchObject({
      model: 'igb', mac: '52:54:00:aa:bb:cc', properties: { 'x-pcie-flr-init': 'off' },
    });
    expect(() => parseDeviceOption('virtio-net')).toThrow(/unsupported device model/);
    expect(() => parseDeviceOption('igb,addr=3')).toThrow(/set by the replay/);
  });

  it('takes the MAC from the recording QEMU\'s own events', async () => {
    // The sidecar is moved out of the way: the MAC must come from the trace itself.
    const trace = await loadTrace('-', { stdin: createReadStream('traces/linux-6.1-init.log') });
    expect(trace.sidecar).toBeUndefined();
    expect(trace.mac).toBe('52:54:00:12:34:56');
  });
});
