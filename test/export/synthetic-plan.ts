// A SYNTHETIC trace (hand-made records, not a recording) that exercises every kind of export step:
// config writes (COMMAND, a BAR, extended config), MMIO writes and reads, a volatile register, a
// polling loop whose value changed, the IO BAR, a timer marker and a PHY access.

import type { Access, Marker, TraceRecord } from '../../src/model/access.js';
import { igbRegisters } from '../../src/regs/index.js';
import { parseDeviceOption } from '../../src/replay/device-option.js';
import { exportPlan, type ExportPlan } from '../../src/export/steps.js';

type Spec = Pick<Access, 'kind' | 'space' | 'offset' | 'value' | 'line'> & Partial<Pick<Access, 'size' | 'register' | 'cause'>>;

function access(seq: number, spec: Spec): Access {
  return { type: 'access', seq, size: 4, verdict: 'ok', events: [], ...spec };
}

export function syntheticRecords(): TraceRecord[] {
  const specs: Spec[] = [
    { kind: 'write', space: 'pci-config', offset: 0x04, value: 0x100, size: 2, line: 1 },
    { kind: 'write', space: 'pci-config', offset: 0x10, value: 0xfeba0000, line: 2 },
    { kind: 'write', space: 'mmio', offset: 0x0, value: 0x04000000, line: 3 },
    { kind: 'read', space: 'mmio', offset: 0x8, value: 0x80080481, line: 4 },
    { kind: 'read', space: 'mmio', offset: 0xb600, value: 0x1234, line: 5 },
    { kind: 'read', space: 'mmio', offset: 0x10, value: 0x1110, line: 6 },
    { kind: 'read', space: 'mmio', offset: 0x10, value: 0x1110, line: 7 },
    { kind: 'read', space: 'mmio', offset: 0x10, value: 0x1190, line: 8 },
    { kind: 'write', space: 'io', offset: 0x0, value: 0x8, size: 8, line: 9 },
    { kind: 'read', space: 'io', offset: 0x4, value: 0x80080483, size: 8, register: 0x8, line: 10 },
    { kind: 'write', space: 'pci-config', offset: 0x180, value: 0x1, line: 12 },
    { kind: 'write', space: 'mmio', offset: 0x20, value: 0x08220000, line: 13 },
    { kind: 'read', space: 'phy', offset: 2, value: 0x141, line: 14, cause: 11 },
  ];
  const records: TraceRecord[] = specs.map((spec, seq) => access(seq, spec));
  const autoneg: Marker = { type: 'marker', kind: 'autoneg', line: 11, afterSeq: 9, events: [] };
  records.splice(10, 0, autoneg);
  return records;
}

export function syntheticPlan(device = 'igb'): ExportPlan {
  return exportPlan('synthetic.log', syntheticRecords(), igbRegisters(), parseDeviceOption(device));
}
