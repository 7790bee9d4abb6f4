// The PCI set-up of a replay as a fixed list of qtest commands, for scripts that cannot react to
// answers: the same steps, addresses and values as setupNic() and enableMmconfig() in
// src/target/pci-setup.ts (BARs at the recorded guest addresses, IO + memory + bus master, the q35
// MMCONFIG window for extended config space), with the reply each read must give instead of the
// checks those functions make. Also how one config write of the trace becomes qtest commands.

import { deviceRow, type DeviceModel } from '../devices/table.js';
import {
  COMMAND_IO_MEM_MASTER, configAddress, DEFAULT_MMCONFIG_BASE, RECORDED_GUEST_BARS, type NicBars, type PciFunction,
} from '../target/pci-setup.js';
import type { QtestCommand } from '../target/qtest-protocol.js';
import type { Width } from './steps.js';

/** One command of a script, with the value its reply must carry (reads only) and why it is there. */
export interface ScriptCommand {
  readonly command: QtestCommand;
  readonly expect?: number;
  readonly what: string;
}

const CONFIG_ADDRESS_PORT = 0xcf8;
const CONFIG_DATA_PORT = 0xcfc;
const PCI_COMMAND = 0x04;
const PCI_BAR0 = 0x10;
/** Memory BAR type bits 2:1 = 2: a 64-bit BAR, whose upper half is the next BAR register. */
const MEM_TYPE_64 = 0x4;
const IO_SPACE = 0x1;
const MCH: PciFunction = { bus: 0, device: 0, fn: 0 };
const MCH_ID_Q35 = 0x29c08086;
const PCIEXBAR = 0x60;
/** Extended config space (>= 0x100) is only reachable through MMCONFIG. */
const EXTENDED_CONFIG = 0x100;

const OUT_OP = { 1: 'outb', 2: 'outw', 4: 'outl' } as const;
const IN_OP = { 1: 'inb', 2: 'inw', 4: 'inl' } as const;
const WRITE_OP = { 1: 'writeb', 2: 'writew', 4: 'writel' } as const;
const READ_OP = { 1: 'readb', 2: 'readw', 4: 'readl' } as const;

const hex = (n: number): string => `0x${n.toString(16)}`;

export function configWriteCommands(f: PciFunction, reg: number, width: Width, value: number, what: string,
  mmconfigBase = DEFAULT_MMCONFIG_BASE): ScriptCommand[] {
  if (reg >= EXTENDED_CONFIG) {
    return [{ command: { op: WRITE_OP[width], addr: mmconfigAddress(mmconfigBase, f, reg), value }, what }];
  }
  return [
    { command: { op: 'outl', port: CONFIG_ADDRESS_PORT, value: configAddress(f, reg) }, what: `select ${what}` },
    { command: { op: OUT_OP[width], port: CONFIG_DATA_PORT + (reg & 3), value }, what },
  ];
}

function configReadCommands(f: PciFunction, reg: number, width: Width, expect: number, what: string): ScriptCommand[] {
  return [
    { command: { op: 'outl', port: CONFIG_ADDRESS_PORT, value: configAddress(f, reg) }, what: `select ${what}` },
    { command: { op: IN_OP[width], port: CONFIG_DATA_PORT + (reg & 3) }, expect, what },
  ];
}

export function mmconfigAddress(base: number, f: PciFunction, reg: number): number {
  return base + f.bus * 0x100000 + f.device * 0x8000 + f.fn * 0x1000 + reg;
}

/** BAR3 (MSI-X) is 64-bit on some models (igb); the others are 32-bit. */
function barKinds(model: DeviceModel): { io: boolean; is64: boolean }[] {
  return [{ io: false, is64: false }, { io: false, is64: false }, { io: true, is64: false }, { io: false, is64: deviceRow(model).msixBar64 }];
}

/**
 * The commands that make the NIC at `f` reachable as a replay's target is: identity check, BAR0-3
 * at `bars`, COMMAND = IO | memory | bus master, then MMCONFIG enabled and checked through the MCH.
 */
export function nicSetupCommands(model: DeviceModel, f: PciFunction, bars: NicBars = RECORDED_GUEST_BARS,
  mmconfigBase = DEFAULT_MMCONFIG_BASE): ScriptCommand[] {
  const id = deviceRow(model).pci;
  const commands = configReadCommands(f, 0x00, 4, ((id.device << 16) | id.vendor) >>> 0, `vendor:device of the ${model}`);
  const addresses = [bars.mmio, bars.flash, bars.io, bars.msix];
  let reg = PCI_BAR0;
  barKinds(model).forEach((kind, i) => {
    const address = addresses[i]!;
    const readBack = (address | (kind.io ? IO_SPACE : 0) | (kind.is64 ? MEM_TYPE_64 : 0)) >>> 0;
    commands.push(...configWriteCommands(f, reg, 4, address, `BAR${i} = ${hex(address)}`));
    commands.push(...configReadCommands(f, reg, 4, readBack, `BAR${i} read back`));
    reg += 4;
    if (kind.is64) {
      commands.push(...configWriteCommands(f, reg, 4, 0, `BAR${i + 1} = 0 (upper half of BAR${i})`));
      commands.push(...configReadCommands(f, reg, 4, 0, `BAR${i + 1} read back`));
      reg += 4;
    }
  });
  commands.push(...configWriteCommands(f, PCI_COMMAND, 2, COMMAND_IO_MEM_MASTER, 'COMMAND = IO | memory | bus master'));
  commands.push(...configReadCommands(f, PCI_COMMAND, 2, COMMAND_IO_MEM_MASTER, 'COMMAND read back'));
  commands.push(...configReadCommands(MCH, 0x00, 4, MCH_ID_Q35, 'vendor:device of the q35 MCH (00:00.0)'));
  commands.push(...configWriteCommands(MCH, PCIEXBAR + 4, 4, 0, 'PCIEXBAR high = 0'));
  commands.push(...configWriteCommands(MCH, PCIEXBAR, 4, (mmconfigBase | 1) >>> 0, `PCIEXBAR = ${hex(mmconfigBase)}, 256 buses, enabled`));
  commands.push({ command: { op: READ_OP[4], addr: mmconfigAddress(mmconfigBase, MCH, 0) }, expect: MCH_ID_Q35, what: 'MCH ID through MMCONFIG' });
  return commands;
}
