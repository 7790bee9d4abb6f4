// Which device a trace was recorded on (igb or e1000e), from events, the PCI device id and the
// registers QEMU handled. Synthetic records are hand-made and labelled so; the real recordings in
// traces/ (whose sidecars name the device) check the whole chain.

import { describe, expect, it } from '@jest/globals';
import { DeviceModelDetector, deviceModelFromLogText, eventModel, inferDeviceModel, traceDeviceModel } from '../../src/analysis/device-model.js';
import { commonDeviceModel, sniffDeviceModel } from '../../src/analysis/device-sniff.js';
import type { Access, SideEvent } from '../../src/model/access.js';
import { loadRecords } from '../../src/replay/replay-trace.js';
import { accesses } from '../analysis/synthetic.js';

function event(name: string): SideEvent {
  return { name, category: 'other', line: 1, text: '' };
}

/** SYNTHETIC: one MMIO read carrying the given side events. */
function readWithEvents(offset: number, names: readonly string[]): Access {
  const [a] = accesses([{ offset }]);
  if (a === undefined) throw new Error('no access');
  return { ...a, events: names.map(event) };
}

describe('eventModel', () => {
  it.each([
    ['igb_core_mdic_read', 'igb'], ['igbvf_wrn_io_addr_unknown', 'igb'], ['e1000e_core_mdic_read', 'e1000e'],
    ['e1000e_link_status', 'e1000e'], ['e1000e_irq_itr_set', 'e1000e'],
    // Emitted by both devices: no evidence either way.
    ['e1000e_core_read', undefined], ['e1000e_cb_pci_realize', undefined], ['e1000x_rx_oversized', undefined],
  ])('%s -> %s', (name, model) => {
    expect(eventModel(name)).toBe(model);
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

  it('says so when nothing tells the devices apart, and traceDeviceModel then picks igb', () => {
    const records = accesses([{ offset: 0x0 }, { offset: 0x8 }]);
    expect(inferDeviceModel(records).model).toBeUndefined();
    expect(traceDeviceModel(records)).toBe('igb');
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
  it('finds the first device-only event in SYNTHETIC log text', () => {
    expect(deviceModelFromLogText('e1000e_core_read Read from register 0x8\ne1000e_link_status LU 1\n')).toBe('e1000e');
    expect(deviceModelFromLogText('123@1.5:igb_irq_write_eims Update EIMS: 0x1\n')).toBe('igb');
    expect(deviceModelFromLogText('e1000e_core_read Read from register 0x8, 4 byte(s), value: 0x80283\n')).toBeUndefined();
  });

  it.each([
    ['traces/linux-6.1-e1000e-init.log', 'e1000e'], ['traces/linux-6.1-init.log', 'igb'],
    ['traces/linux-6.1-init-mmiotrace.txt', undefined], ['-', undefined], ['traces/no-such-trace.log', undefined],
  ])('sniffs %s as %s', (path, model) => {
    expect(sniffDeviceModel(path)).toBe(model);
  });

  it('uses one database for a pair: their common device, else igb', () => {
    expect(commonDeviceModel('e1000e', 'e1000e')).toBe('e1000e');
    expect(commonDeviceModel('e1000e', undefined)).toBe('e1000e');
    expect(commonDeviceModel(undefined, 'e1000e')).toBe('e1000e');
    expect(commonDeviceModel('igb', 'e1000e')).toBe('igb');
    expect(commonDeviceModel(undefined, undefined)).toBe('igb');
  });
});
