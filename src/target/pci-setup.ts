// PCI configuration of the NIC over qtest, as a guest's firmware would do it, as one list of
// commands with the reply each read must give: the live target runs and checks it (setupNic,
// enableMmconfig), `export` prints it (src/export/qtest-script.ts).
//
// With -S (or the halt firmware) SeaBIOS never runs, so nobody has assigned BARs or enabled
// decoding: the set-up does it through the legacy config mechanism, at the addresses the recorded
// guests used, and reads everything back. Extended config space (>= 0x100: AER, ARI, SR-IOV) needs
// MMCONFIG, whose window on q35 is PCIEXBAR in the MCH (00:00.0, 0x60); it resets to base
// 0xb0000000 *disabled*, and only firmware would enable it.
//
// A NIC behind a PCIe root port (topology.ts) is out of reach until the port is programmed as
// firmware would: its secondary and subordinate bus numbers (else no config cycle reaches bus 1),
// an IO and a memory window around the NIC's BARs (else no BAR access does), the prefetchable
// window closed, and IO, memory and bus mastering on.

import type { QtestClient } from './qtest-client.js';
import { deviceRow, type DeviceModel } from '../devices/table.js';
import { TargetError } from './errors.js';
import { meetsExpectation, type ExpectedReply, type PlannedCommand } from './planned-command.js';
import {
  configWriteCommands, DEFAULT_MMCONFIG_BASE, formatFunction, legacyConfigRead, mmconfigRead,
  type ConfigSize, type PciFunction,
} from './pci-config.js';
import { nicFunction, ROOT_BUS, rootPortFunction, SECONDARY_BUS, type NicPlacement } from './topology.js';

/** One command of the set-up; a checked read says what a wrong reply means (the live error's detail). */
export interface SetupCommand extends PlannedCommand {
  readonly mismatch?: (reply: number) => string;
}

export type ConfigIo = Pick<QtestClient, 'sendBatch'>;

const PCI_COMMAND = 0x04;
const PCI_BAR0 = 0x10;
/** COMMAND bits: IO space, memory space, bus master. */
export const COMMAND_IO_MEM_MASTER = 0x0007;
const IO_BAR = 0x1;
/** Memory BAR type bits 2:1 = 2: a 64-bit BAR, whose upper half is the next BAR register. */
const MEM_TYPE_64 = 0x4;
/** Prefetchable is the device's choice, not the set-up's: not checked. */
const MEM_PREFETCHABLE = 0x8;
const MCH: PciFunction = { bus: 0, device: 0, fn: 0 };
const MCH_ID_Q35 = 0x29c08086;
/** QEMU's pcie-root-port: Red Hat 1b36:000c. */
const ROOT_PORT_ID = 0x000c1b36;
/** Type-1 header: primary, secondary and subordinate bus numbers, secondary latency. */
const BRIDGE_BUSES = 0x18;
const BRIDGE_IO_WINDOW = 0x1c;
const BRIDGE_MEMORY_WINDOW = 0x20;
const BRIDGE_PREFETCH_WINDOW = 0x24;
const BRIDGE_PREFETCH_UPPER = [0x28, 0x2c] as const;
/** Window granularity: 1 MiB for memory, 4 KiB for IO. */
const MEMORY_WINDOW_UNIT = 0x100000;
const IO_WINDOW_UNIT = 0x1000;
/** BAR sizes (QEMU 10.0.2 igb/e1000e), for the windows that must cover them. */
const BAR_SIZES = { mmio: 0x20000, flash: 0x20000, io: 0x20, msix: 0x4000 } as const;
/** The MCH's config register that places and enables the MMCONFIG window. */
export const PCIEXBAR = 0x60;

/** BAR addresses; the defaults are what SeaBIOS assigned in the recorded guests. */
export interface NicBars {
  /** BAR0: 128 KiB register space. */
  readonly mmio: number;
  /** BAR1: 128 KiB flash window (a dummy in QEMU). */
  readonly flash: number;
  /** BAR2: 32-byte IO window (IOADDR at +0, IODATA at +4). */
  readonly io: number;
  /** BAR3: 16 KiB MSI-X table (+0) and PBA (+0x2000); 64-bit on igb, 32-bit on e1000e. */
  readonly msix: number;
}

export const RECORDED_GUEST_BARS: NicBars = { mmio: 0xfeba0000, flash: 0xfebc0000, io: 0xc040, msix: 0xfebf0000 };

const hex = (n: number): string => `0x${n.toString(16)}`;

function checkedRead(f: PciFunction, reg: number, size: ConfigSize, expect: ExpectedReply, what: string,
  mismatch: (reply: number) => string): SetupCommand[] {
  const [select, data] = legacyConfigRead(f, reg, size);
  return [{ command: select, what: `select ${what}` }, { command: data, expect, what, mismatch }];
}

/** One BAR register the set-up programs: its config offset and the value written there. */
export interface BarWrite {
  readonly offset: number;
  readonly value: number;
}

/** One BAR as the set-up assigns it: index, base address, and the kind its read-back shows. */
interface BarAssignment {
  readonly index: number;
  readonly address: number;
  readonly io: boolean;
  readonly is64: boolean;
}

/** BAR0-3 at `bars` (BAR3 64-bit where the device table says so, taking BAR4 as its upper half). */
function barAssignments(model: DeviceModel, bars: NicBars): readonly BarAssignment[] {
  return [
    { index: 0, address: bars.mmio, io: false, is64: false },
    { index: 1, address: bars.flash, io: false, is64: false },
    { index: 2, address: bars.io, io: true, is64: false },
    { index: 3, address: bars.msix, io: false, is64: deviceRow(model).msixBar64 },
  ];
}

/**
 * The BAR writes of the set-up, in order (a 64-bit BAR's upper half is written 0). A replay sends
 * them again where the recording's device reset its BARs (a function-level reset): the guest's own
 * BAR writes, at the recorded guest's addresses, are not replayed.
 */
export function nicBarWrites(model: DeviceModel, bars: NicBars = RECORDED_GUEST_BARS): readonly BarWrite[] {
  return barAssignments(model, bars).flatMap((bar) => {
    const offset = PCI_BAR0 + 4 * bar.index;
    const low = { offset, value: bar.address };
    return bar.is64 ? [low, { offset: offset + 4, value: 0 }] : [low];
  });
}

/** Writes one BAR and reads it back; a 64-bit BAR's upper half (the next register) is set to 0. */
function barCommands(f: PciFunction, bar: BarAssignment): SetupCommand[] {
  const { index, address } = bar;
  const reg = PCI_BAR0 + 4 * index;
  const readBack = (address | (bar.io ? IO_BAR : 0) | (bar.is64 ? MEM_TYPE_64 : 0)) >>> 0;
  const commands: SetupCommand[] = [
    ...configWriteCommands(f, reg, 4, address, `BAR${index} = ${hex(address)}`),
    ...checkedRead(f, reg, 4, bar.io ? { value: readBack } : { value: readBack, mask: ~MEM_PREFETCHABLE >>> 0 }, `BAR${index} read back`,
      (reply) => `BAR${index} reads back ${hex(reply)} after writing ${hex(address)} (misaligned or wrong type?)`),
  ];
  if (!bar.is64) return commands;
  return [
    ...commands,
    ...configWriteCommands(f, reg + 4, 4, 0, `BAR${index + 1} = 0 (upper half of BAR${index})`),
    ...checkedRead(f, reg + 4, 4, { value: 0 }, `BAR${index + 1} read back`,
      (reply) => `BAR${index + 1} (upper half of BAR${index}) reads back ${hex(reply)}`),
  ];
}

/**
 * The commands that make the NIC at `f` reachable: identity check, BAR0-3 at `bars` (see
 * barAssignments), COMMAND = IO | memory | bus master, each read back.
 */
export function nicSetupCommands(model: DeviceModel, f: PciFunction, bars: NicBars = RECORDED_GUEST_BARS): SetupCommand[] {
  const { pci } = deviceRow(model);
  const id = ((pci.device << 16) | pci.vendor) >>> 0;
  return [
    ...checkedRead(f, 0x00, 4, { value: id }, `vendor:device of the ${model}`,
      (reply) => `vendor:device is ${hex(reply & 0xffff)}:${hex(reply >>> 16)}, expected ${hex(pci.vendor)}:${hex(pci.device)} (${model})`),
    ...barAssignments(model, bars).flatMap((bar) => barCommands(f, bar)),
    ...configWriteCommands(f, PCI_COMMAND, 2, COMMAND_IO_MEM_MASTER, 'COMMAND = IO | memory | bus master'),
    ...checkedRead(f, PCI_COMMAND, 2, { value: COMMAND_IO_MEM_MASTER, mask: COMMAND_IO_MEM_MASTER }, 'COMMAND read back',
      (reply) => `COMMAND reads back ${hex(reply)}`),
  ];
}

/**
 * The commands that enable MMCONFIG on q35 (PCIEXBAR = base | 256 buses | enable) and check it
 * decodes by reading the MCH's ID through it. `base` must be 256 MiB aligned and below 4 GiB.
 */
export function mmconfigSetupCommands(base = DEFAULT_MMCONFIG_BASE): SetupCommand[] {
  if (!Number.isInteger(base) || base <= 0 || base >= 0x100000000 || base % 0x10000000 !== 0) {
    throw new RangeError(`MMCONFIG base ${hex(base)} must be 256 MiB aligned and below 4 GiB`);
  }
  return [
    ...checkedRead(MCH, 0x00, 4, { value: MCH_ID_Q35 }, 'vendor:device of the q35 MCH (00:00.0)',
      (reply) => `host bridge is ${hex(reply)}, not the q35 MCH (${hex(MCH_ID_Q35)})`),
    ...configWriteCommands(MCH, PCIEXBAR + 4, 4, 0, 'PCIEXBAR high = 0'),
    // Length field 0 = 256 buses.
    ...configWriteCommands(MCH, PCIEXBAR, 4, (base | 1) >>> 0, `PCIEXBAR = ${hex(base)}, 256 buses, enabled`),
    {
      command: mmconfigRead(base, MCH, 0x00, 4), expect: { value: MCH_ID_Q35 }, what: 'MCH ID through MMCONFIG',
      mismatch: (reply) => `MMCONFIG at ${hex(base)} reads ${hex(reply)} instead of the MCH ID`,
    },
  ];
}

/** The base/limit pair of a bridge window covering [low, high) at `unit` granularity. */
function window(low: number, high: number, unit: number): { base: number; limit: number } {
  return { base: Math.floor(low / unit) * unit, limit: Math.ceil(high / unit) * unit - 1 };
}

/**
 * The commands that make a root port at `port` forward to its secondary bus (SECONDARY_BUS):
 * identity check, bus numbers, an IO window around the IO BAR and a memory window around the
 * memory BARs at `bars`, the prefetchable window closed (base above limit: after reset it would
 * forward 0-1 MiB), COMMAND = IO | memory | bus master; each read back.
 */
export function rootPortSetupCommands(port: PciFunction, bars: NicBars = RECORDED_GUEST_BARS): SetupCommand[] {
  const buses = ((SECONDARY_BUS << 16) | (SECONDARY_BUS << 8)) >>> 0;
  const io = window(bars.io, bars.io + BAR_SIZES.io, IO_WINDOW_UNIT);
  const memoryBars = [[bars.mmio, BAR_SIZES.mmio], [bars.flash, BAR_SIZES.flash], [bars.msix, BAR_SIZES.msix]] as const;
  const memory = window(Math.min(...memoryBars.map(([at]) => at)), Math.max(...memoryBars.map(([at, size]) => at + size)), MEMORY_WINDOW_UNIT);
  if (memory.limit >= 0x100000000) throw new RangeError(`NIC BARs ${hex(memory.base)}-${hex(memory.limit)} must be below 4 GiB`);
  // IO base/limit hold address bits 15:12 in their high nibble; memory base/limit bits 31:20 in bits 15:4.
  const ioWindow = ((io.base >>> 8) & 0xf0) | (((io.limit >>> 8) & 0xf0) << 8);
  const memoryWindow = (((memory.base >>> 16) & 0xfff0) | (((memory.limit >>> 16) & 0xfff0) << 16)) >>> 0;
  const closed = 0xfff0;
  const checked = (reg: number, size: ConfigSize, value: number, mask: number, what: string): SetupCommand[] => [
    ...configWriteCommands(port, reg, size, value, `${what} = ${hex(value)}`),
    ...checkedRead(port, reg, size, { value: value & mask, mask }, `${what} read back`, (reply) => `${what} reads back ${hex(reply)} after writing ${hex(value)}`),
  ];
  return [
    ...checkedRead(port, 0x00, 4, { value: ROOT_PORT_ID }, 'vendor:device of the pcie-root-port',
      (reply) => `vendor:device is ${hex(reply & 0xffff)}:${hex(reply >>> 16)}, expected 0x1b36:0xc (pcie-root-port)`),
    ...checked(BRIDGE_BUSES, 4, buses, 0xffffff, `buses (primary 0, secondary and subordinate ${SECONDARY_BUS})`),
    ...checked(BRIDGE_IO_WINDOW, 2, ioWindow, 0xf0f0, `IO window ${hex(io.base)}-${hex(io.limit)}`),
    ...checked(BRIDGE_MEMORY_WINDOW, 4, memoryWindow, 0xfff0fff0, `memory window ${hex(memory.base)}-${hex(memory.limit)}`),
    ...BRIDGE_PREFETCH_UPPER.flatMap((reg) => configWriteCommands(port, reg, 4, 0, 'prefetchable window, upper half = 0')),
    ...checked(BRIDGE_PREFETCH_WINDOW, 4, closed, 0xfff0fff0, 'prefetchable window (closed)'),
    ...configWriteCommands(port, PCI_COMMAND, 2, COMMAND_IO_MEM_MASTER, 'root port COMMAND = IO | memory | bus master'),
    ...checkedRead(port, PCI_COMMAND, 2, { value: COMMAND_IO_MEM_MASTER, mask: COMMAND_IO_MEM_MASTER }, 'root port COMMAND read back',
      (reply) => `root port COMMAND reads back ${hex(reply)}`),
  ];
}

function setupError(f: PciFunction, detail: string): TargetError {
  return new TargetError('pci-setup', `PCI setup of ${formatFunction(f)} failed: ${detail}`);
}

function replyNumber(reply: unknown): number {
  return typeof reply === 'number' ? reply : typeof reply === 'bigint' ? Number(reply) : Number.NaN;
}

/**
 * Runs a set-up list on `f`, pipelined up to each checked read and checking it before going on,
 * so nothing after a failed check is sent (no PCIEXBAR write to a host bridge that is not q35's).
 */
async function runSetup(io: ConfigIo, f: PciFunction, commands: readonly SetupCommand[]): Promise<void> {
  let start = 0;
  for (let i = 0; i < commands.length; i++) {
    const { expect, mismatch, what } = commands[i]!;
    if (expect === undefined && i < commands.length - 1) continue;
    const replies = await io.sendBatch(commands.slice(start, i + 1).map((c) => c.command));
    start = i + 1;
    if (expect === undefined) continue;
    const reply = replyNumber(replies[replies.length - 1]);
    if (!meetsExpectation(reply, expect)) throw setupError(f, mismatch?.(reply) ?? `${what}: ${hex(reply)}, expected ${hex(expect.value)}`);
  }
}

export interface NicSetupOptions {
  readonly model: DeviceModel;
  /** The slot on bus 0 of the NIC, or of the root port it sits behind (see topology.ts). */
  readonly slot: number;
  readonly fn?: number;
  readonly placement?: NicPlacement;
  readonly bars?: NicBars;
}

/** One function's part of a set-up: its commands, run and checked in order. */
export interface SetupPart {
  readonly f: PciFunction;
  readonly commands: readonly SetupCommand[];
}

/** The set-up that makes the NIC reachable where `placement` puts it: the root port's first, if any, then the NIC's. */
export function placementSetup(options: NicSetupOptions): { readonly nic: PciFunction; readonly parts: readonly SetupPart[] } {
  const placement = options.placement ?? ROOT_BUS;
  const bars = options.bars ?? RECORDED_GUEST_BARS;
  const nic = nicFunction(placement, options.slot, options.fn ?? 0);
  const port = rootPortFunction(placement, options.slot);
  const parts: SetupPart[] = port === undefined ? [] : [{ f: port, commands: rootPortSetupCommands(port, bars) }];
  parts.push({ f: nic, commands: nicSetupCommands(options.model, nic, bars) });
  return { nic, parts };
}

/** Runs placementSetup, checking every read-back. Resolves with the BAR bases in use. */
export async function setupNic(io: ConfigIo, options: NicSetupOptions): Promise<NicBars> {
  for (const part of placementSetup(options).parts) await runSetup(io, part.f, part.commands);
  return options.bars ?? RECORDED_GUEST_BARS;
}

/** Runs mmconfigSetupCommands; resolves with the window for extended config accesses. */
export async function enableMmconfig(io: ConfigIo, base = DEFAULT_MMCONFIG_BASE): Promise<MmconfigWindow> {
  await runSetup(io, MCH, mmconfigSetupCommands(base));
  return new MmconfigWindow(io, base);
}

/** Extended (4 KiB) config space through an enabled MMCONFIG window (writes: configWriteCommands). */
export class MmconfigWindow {
  constructor(private readonly io: ConfigIo, readonly base: number) {}

  async read(f: PciFunction, reg: number, size: ConfigSize): Promise<number> {
    const [value] = await this.io.sendBatch([mmconfigRead(this.base, f, reg, size)]);
    return replyNumber(value);
  }
}

/** A legacy config read (registers below 0x100), in one pipelined batch. */
export async function configRead(io: ConfigIo, f: PciFunction, reg: number, size: ConfigSize): Promise<number> {
  const [, value] = await io.sendBatch(legacyConfigRead(f, reg, size));
  return replyNumber(value);
}
