// How one PCI config-space access becomes qtest commands on q35, as firmware makes it: registers
// below 0x100 through the legacy mechanism (the function and dword to port 0xcf8, the data at
// 0xcfc + the byte within the dword), extended config space (0x100-0xfff: AER, ARI, SR-IOV) only
// through the MMCONFIG window (PCIe ECAM: base + bus << 20 | device << 15 | fn << 12 | reg).
// Pure: the live target sends these commands, the exporters print them.

import type { PlannedCommand } from './planned-command.js';
import { accessOp, type QtestCommand } from './qtest-protocol.js';
import { vfRoutingId, type SriovLayout } from '../devices/table.js';

export type ConfigSize = 1 | 2 | 4;

export interface PciFunction {
  readonly bus: number;
  readonly device: number;
  readonly fn: number;
}

export const CONFIG_ADDRESS_PORT = 0xcf8;
export const CONFIG_DATA_PORT = 0xcfc;
/** Extended config space starts here; only MMCONFIG reaches it. */
export const EXTENDED_CONFIG = 0x100;
const CONFIG_SPACE_END = 0x1000;
/** Where q35's MMCONFIG window (PCIEXBAR) sits after reset, disabled until firmware enables it. */
export const DEFAULT_MMCONFIG_BASE = 0xb0000000;

/** `01:10.2`, as QEMU's pci_cfg lines print a function. */
export function formatFunction(f: PciFunction): string {
  const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
  return `${hex2(f.bus)}:${hex2(f.device)}.${f.fn}`;
}

/**
 * The function of SR-IOV virtual function `vf` of the PF at `pf` (routing id arithmetic: a VF past
 * the PF's devfn range lands on the next bus, which QEMU does not allow, so the bus stays).
 */
export function vfFunction(pf: PciFunction, layout: SriovLayout, vf: number): PciFunction {
  const rid = vfRoutingId((pf.bus << 8) | (pf.device << 3) | pf.fn, layout, vf);
  return { bus: rid >>> 8, device: (rid >>> 3) & 0x1f, fn: rid & 7 };
}

/** A recorded config access size as a config width (config space has no 8-byte accesses). */
export function configSize(size: number): ConfigSize {
  return size === 1 || size === 2 ? size : 4;
}

/** Config accesses must be naturally aligned and inside the space the mechanism reaches. */
function checkRegister(reg: number, size: ConfigSize, limit: number): void {
  if (!Number.isInteger(reg) || reg < 0 || reg + size > limit || reg % size !== 0) {
    throw new RangeError(`config register 0x${reg.toString(16)} (size ${size}) must be aligned and below 0x${limit.toString(16)}`);
  }
}

/** The 0xcf8 value selecting `reg` (dword-aligned) of a function. */
export function configAddress(f: PciFunction, reg: number): number {
  return (0x80000000 | (f.bus << 16) | (f.device << 11) | (f.fn << 8) | (reg & 0xfc)) >>> 0;
}

/** Physical address of `reg` of a function in the MMCONFIG window at `base`. */
export function mmconfigAddress(base: number, f: PciFunction, reg: number): number {
  return base + f.bus * 0x100000 + f.device * 0x8000 + f.fn * 0x1000 + reg;
}

function selectRegister(f: PciFunction, reg: number): QtestCommand {
  return { op: 'outl', port: CONFIG_ADDRESS_PORT, value: configAddress(f, reg) };
}

/** A legacy config read: select, then read the data port; the second command's reply is the value. */
export function legacyConfigRead(f: PciFunction, reg: number, size: ConfigSize): [QtestCommand, QtestCommand] {
  checkRegister(reg, size, EXTENDED_CONFIG);
  return [selectRegister(f, reg), { op: accessOp('io', size, 'read'), port: CONFIG_DATA_PORT + (reg & 3) }];
}

function legacyConfigWrite(f: PciFunction, reg: number, size: ConfigSize, value: number): [QtestCommand, QtestCommand] {
  checkRegister(reg, size, EXTENDED_CONFIG);
  return [selectRegister(f, reg), { op: accessOp('io', size, 'write'), port: CONFIG_DATA_PORT + (reg & 3), value }];
}

export function mmconfigRead(base: number, f: PciFunction, reg: number, size: ConfigSize): QtestCommand {
  checkRegister(reg, size, CONFIG_SPACE_END);
  return { op: accessOp('mem', size, 'read'), addr: mmconfigAddress(base, f, reg) };
}

function mmconfigWrite(base: number, f: PciFunction, reg: number, size: ConfigSize, value: number): QtestCommand {
  checkRegister(reg, size, CONFIG_SPACE_END);
  return { op: accessOp('mem', size, 'write'), addr: mmconfigAddress(base, f, reg), value };
}

/** A config read as replay makes it (legacy below 0x100, MMCONFIG above); the last command's reply is the value. */
export function configReadCommands(f: PciFunction, reg: number, size: ConfigSize, mmconfigBase = DEFAULT_MMCONFIG_BASE): QtestCommand[] {
  if (reg >= EXTENDED_CONFIG) return [mmconfigRead(mmconfigBase, f, reg, size)];
  return legacyConfigRead(f, reg, size);
}

/**
 * A config write as replay makes it: legacy below 0x100 (as the recorded guests did), MMCONFIG at
 * `mmconfigBase` (which must be enabled) above. `what` names the register for readers of a script.
 */
export function configWriteCommands(f: PciFunction, reg: number, size: ConfigSize, value: number, what: string,
  mmconfigBase = DEFAULT_MMCONFIG_BASE): PlannedCommand[] {
  if (reg >= EXTENDED_CONFIG) return [{ command: mmconfigWrite(mmconfigBase, f, reg, size, value), what }];
  const [select, data] = legacyConfigWrite(f, reg, size, value);
  return [{ command: select, what: `select ${what}` }, { command: data, what }];
}
