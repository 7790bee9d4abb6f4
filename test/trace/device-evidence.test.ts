// Which device a trace was recorded on (igb or e1000e), from events, the PCI device id and the
// registers QEMU handled. Synthetic records are hand-made and labelled so; the real recordings in
// traces/ (whose sidecars name the device) check the whole chain.

import { describe, expect, it } from '@jest/globals';
import { afterAll } from '@jest/globals';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelOwningEvent } from '../../src/devices/table.js';
import { DeviceModelDetector, inferDeviceModel } from '../../src/trace/device-evidence.js';
import { decideDevice } from '../../src/trace/load.js';
import { commonDevice, sniffRecordedDevice } from '../../src/trace/head.js';
import type { Access, SideEvent } from '../../src/model/access.js';
import type { RecordedDevice } from '../../src/model/trace.js';
import { loadRecords } from '../replay/replay-env.js';
import { accesses } from '../analysis/synthetic.js';
import { ROOT_BUS } from '../../src/target/topology.js';

function event(name: string): SideEvent {
  return { name, category: 'other', line: 1, text: '' };
}

/** SYNTHETIC: one MMIO read carrying the given side events. */
function readWithEvents(offset: number, names: readonly string[]): Access {
  const [a] = accesses([{ offset }]);
  if (a === undefined) throw new Error('no access');
  return { ...a, events: names.map(event) };
}

describe('modelOwningEvent (the device table)', () => {
  it.each([
    ['igb_core_mdic_read', 'igb'], ['igbvf_wrn_io_addr_unknown', 'igb'], ['e1000e_core_mdic_read', 'e1000e'],
    ['e1000e_link_status', 'e1000e'], ['e1000e_irq_itr_set', 'e1000e'],
    // Emitted by both devices: no evidence either way.
    ['e1000e_core_read', undefined], ['e1000e_cb_pci_realize', undefined], ['e1000x_rx_oversized', undefined],
  ])('%s -> %s', (name, model) => {
    expect(modelOwningEvent(name)).toBe(model);
  });
});

describe('inferDeviceModel on SYNTHETIC records', () => {
  it('decides by device-only events first, naming the first one', () => {
    const result = inferDeviceModel([readWithEvents(0x8, ['e1000e_link_status']), readWithEvents(0x20, ['e1000e_core_mdic_read'])]);
    expect(result).toEqual({ model: 'e1000e', reason: '2 e1000e-only events (first e1000e_link_status)' });
    expect(inferDeviceModel([readWithEvents(0x20, ['igb_core_mdic_read'])]).model).toBe('igb');
  });

  it('takes event counts from a reader instead of the records, without counting twice', () => {
    const records = [readWithEvents(0x20, ['igb_core_mdic_read'])];
    const result = inferDeviceModel(records, new Map([['igb_core_mdic_read', 3], ['e1000e_core_read', 40]]));
    expect(result.reason).toBe('3 igb-only events (first igb_core_mdic_read)');
  });

  it('reads the PCI device id from a config read at 0 (dword) or 2 (word)', () => {
    const [dword] = accesses([{ space: 'pci-config', offset: 0, value: 0x10d38086 }]);
    expect(inferDeviceModel(dword === undefined ? [] : [dword])).toEqual({ model: 'e1000e', reason: 'PCI device id 0x10d3' });
    const [word] = accesses([{ space: 'pci-config', offset: 2, value: 0x10c9 }]);
    expect(inferDeviceModel(word === undefined ? [] : [{ ...word, size: 2 }]).model).toBe('igb');
  });

  it('falls back to registers only one device has, counting only accesses QEMU handled', () => {
    // TARC(0), EXTCNF_CTRL: e1000e only; CTRL and STATUS: both.
    expect(inferDeviceModel(accesses([{ offset: 0x0 }, { offset: 0x8 }, { offset: 0x3840 }, { offset: 0xf00 }])))
      .toEqual({ model: 'e1000e', reason: '2 registers only e1000e has' });
    // The igb queue block at 0xC000 and EICR.
    expect(inferDeviceModel(accesses([{ offset: 0xc000 }, { offset: 0xc018 }, { offset: 0x1580 }])).model).toBe('igb');
    // An igb driver probing an e1000e: the target logged the 0xC000 reads as unknown, so they do not count.
    expect(inferDeviceModel(accesses([{ offset: 0xc000, verdict: 'unknown' }, { offset: 0x3840 }])).model).toBe('e1000e');
  });

  it('says so when nothing tells the devices apart, and the loader then picks igb', () => {
    const records = accesses([{ offset: 0x0 }, { offset: 0x8 }]);
    expect(inferDeviceModel(records).model).toBeUndefined();
    expect(decideDevice(undefined, inferDeviceModel(records))).toMatchObject({ model: 'igb', source: 'default' });
  });

  it('works as a streaming sink', () => {
    const detector = new DeviceModelDetector();
    for (const a of accesses([{ offset: 0x2820 }, { offset: 0x3940 }])) detector.access(a);
    expect(detector.result().model).toBe('e1000e');
  });
});

describe('inferDeviceModel on the real recordings', () => {
  it.each([
    ['traces/linux-6.1-e1000e-init.log', 'e1000e', /^\d+ e1000e-only events \(first e1000e_/],
    ['traces/linux-6.1-init.log', 'igb', /^\d+ igb-only events \(first igb_/],
    // The Linux mmiotrace of the same run has no QEMU events: the registers decide (sidecar: -device igb).
    ['traces/linux-6.1-init-mmiotrace.txt', 'igb', /registers only igb has$/],
  ])('%s was recorded on %s', async (trace, model, reason) => {
    const result = inferDeviceModel(await loadRecords(trace));
    expect(result.model).toBe(model);
    expect(result.reason).toMatch(reason);
  });
});

describe('the device from a trace head, before reading it (diff, parse --jsonl)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'igb-replay-head-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** A copy of a real recording without its sidecar, so only the trace's own evidence counts. */
  const bare = (trace: string): string => {
    const copy = join(dir, trace.split('/').pop()!);
    copyFileSync(trace, copy);
    return copy;
  };

  it('decides from the records of the first MiB, like the loader', async () => {
    expect(await sniffRecordedDevice(bare('traces/linux-6.1-e1000e-init.log'))).toMatchObject({ model: 'e1000e', source: 'trace' });
    expect(await sniffRecordedDevice(bare('traces/linux-6.1-init.log'))).toMatchObject({ model: 'igb', source: 'trace' });
    // mmiotrace has no events: the registers QEMU's igb alone has decide.
    expect(await sniffRecordedDevice(bare('traces/linux-6.1-init-mmiotrace.txt'))).toMatchObject({ model: 'igb', reason: expect.stringMatching(/registers only igb has$/) });
  });

  it('reads SYNTHETIC log text with a device-only event', async () => {
    const file = join(dir, 'synthetic.log');
    writeFileSync(file, 'e1000e_core_read Read from register 0x8, 4 byte(s), value: 0x80080483\ne1000e_link_status Link up: 1, Duplex: 1, Speed: 1000, ASDV: 0\n');
    expect((await sniffRecordedDevice(file)).model).toBe('e1000e');
  });

  it('takes the sidecar first, and the default for stdin or a missing file', async () => {
    expect(await sniffRecordedDevice('traces/linux-6.1-e1000e-init.log')).toMatchObject({ model: 'e1000e', source: 'sidecar' });
    expect(await sniffRecordedDevice('-')).toMatchObject({ model: 'igb', source: 'default' });
    expect(await sniffRecordedDevice('traces/no-such-trace.log')).toMatchObject({ model: 'igb', source: 'default' });
  });

  it('uses one database for a pair: their common device, else igb', () => {
    const of = (model: 'igb' | 'e1000e' | undefined): RecordedDevice => (model === undefined
      ? { model: 'igb', source: 'default', reason: '', properties: {}, placement: ROOT_BUS } : { model, source: 'trace', reason: '', properties: {}, placement: ROOT_BUS });
    expect(commonDevice(of('e1000e'), of('e1000e')).model).toBe('e1000e');
    expect(commonDevice(of('e1000e'), of(undefined)).model).toBe('e1000e');
    expect(commonDevice(of(undefined), of('e1000e')).model).toBe('e1000e');
    expect(commonDevice(of('igb'), of('e1000e')).model).toBe('igb');
    expect(commonDevice(of(undefined), of(undefined)).model).toBe('igb');
  });
});
