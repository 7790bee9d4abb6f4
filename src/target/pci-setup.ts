// PCI configuration of the NIC over qtest, as a guest's firmware would do it.
//
// With -S (or the halt firmware) SeaBIOS never runs, so nobody has assigned BARs or enabled
// decoding: the tool does it through the legacy config mechanism (ports 0xcf8/0xcfc), at the
// addresses the recorded guests used, then reads everything back. Extended config space (>= 0x100:
// AER, ARI, SR-IOV) needs MMCONFIG, whose window on q35 is PCIEXBAR in the MCH (00:00.0, 0x60);
// it resets to base 0xb0000000 *disabled*, and only firmware would enable it.
// Config accesses go out as one pipelined batch (address write + data access).

import type { QtestClient } from './qtest-client.js';
import { deviceRow, type DeviceModel } from '../devices/table.js';
import { TargetError } from './errors.js';

export type ConfigSize = 1 | 2 | 4;

export interface PciFunction {
  readonly bus: number;
  readonly device: number;
  readonly fn: number;
}

export type ConfigIo = Pick<QtestClient, 'sendBatch' | 'readb' | 'readw' | 'readl' | 'writeb' | 'writew' | 'writel'>;

const CONFIG_ADDRESS_PORT = 0xcf8;
const CONFIG_DATA_PORT = 0xcfc;
const PCI_COMMAND = 0x04;
const PCI_BAR0 = 0x10;
/** COMMAND bits: IO space, memory space, bus master. */
export const COMMAND_IO_MEM_MASTER = 0x0007;

function checkRegister(reg: number, size: ConfigSize, limit: number): void {
  if (!Number.isInteger(reg) || reg < 0 || reg + size > limit || reg % size !== 0) {
    throw new RangeError(`config register 0x${reg.toString(16)} (size ${size}) must be aligned and below 0x${limit.toString(16)}`);
  }
}

/** The 0xcf8 value selecting `reg` (dword-aligned) of a function. */
export function configAddress(f: PciFunction, reg: number): number {
  return (0x80000000 | (f.bus << 16) | (f.device << 11) | (f.fn << 8) | (reg & 0xfc)) >>> 0;
}

const IN_OP = { 1: 'inb', 2: 'inw', 4: 'inl' } as const;
const OUT_OP = { 1: 'outb', 2: 'outw', 4: 'outl' } as const;

export async function configRead(io: ConfigIo, f: PciFunction, reg: number, size: ConfigSize): Promise<number> {
  checkRegister(reg, size, 0x100);
  const [, value] = await io.sendBatch([
    { op: 'outl', port: CONFIG_ADDRESS_PORT, value: configAddress(f, reg) },
    { op: IN_OP[size], port: CONFIG_DATA_PORT + (reg & 3) },
  ]);
  return value;
}

export async function configWrite(io: ConfigIo, f: PciFunction, reg: number, size: ConfigSize, value: number): Promise<void> {
  checkRegister(reg, size, 0x100);
  await io.sendBatch([
    { op: 'outl', port: CONFIG_ADDRESS_PORT, value: configAddress(f, reg) },
    { op: OUT_OP[size], port: CONFIG_DATA_PORT + (reg & 3), value },
  ]);
}

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

export interface NicSetupOptions {
  readonly model: DeviceModel;
  readonly slot: number;
  readonly fn?: number;
  readonly bars?: NicBars;
}

function setupError(f: PciFunction, detail: string): TargetError {
  return new TargetError('pci-setup', `PCI setup of 00:${f.device.toString(16).padStart(2, '0')}.${f.fn} failed: ${detail}`);
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Programs one BAR and checks it stuck; returns the index of the next BAR (64-bit BARs use two). */
async function programBar(io: ConfigIo, f: PciFunction, index: number, address: number): Promise<number> {
  const reg = PCI_BAR0 + 4 * index;
  await configWrite(io, f, reg, 4, address);
  const readBack = await configRead(io, f, reg, 4);
  const isIo = (readBack & 1) === 1;
  const base = (readBack & (isIo ? ~0x3 : ~0xf)) >>> 0;
  if (base !== address) throw setupError(f, `BAR${index} reads back ${hex(readBack)} after writing ${hex(address)} (misaligned or wrong type?)`);
  const is64 = !isIo && ((readBack >> 1) & 3) === 2;
  if (!is64) return index + 1;
  await configWrite(io, f, reg + 4, 4, 0);
  const high = await configRead(io, f, reg + 4, 4);
  if (high !== 0) throw setupError(f, `BAR${index + 1} (upper half of BAR${index}) reads back ${hex(high)}`);
  return index + 2;
}

/**
 * Checks the function is the expected NIC, programs BAR0-BAR3 and enables IO, memory and bus
 * mastering, verifying every step. Resolves with the BAR bases in use.
 */
export async function setupNic(io: ConfigIo, options: NicSetupOptions): Promise<NicBars> {
  const f: PciFunction = { bus: 0, device: options.slot, fn: options.fn ?? 0 };
  const bars = options.bars ?? RECORDED_GUEST_BARS;
  const expected = deviceRow(options.model).pci;
  const id = await configRead(io, f, 0x00, 4);
  const want = ((expected.device << 16) | expected.vendor) >>> 0;
  if (id !== want) {
    throw setupError(f, `vendor:device is ${hex(id & 0xffff)}:${hex(id >>> 16)}, expected ${hex(expected.vendor)}:${hex(expected.device)} (${options.model})`);
  }
  let index = await programBar(io, f, 0, bars.mmio);
  index = await programBar(io, f, index, bars.flash);
  index = await programBar(io, f, index, bars.io);
  await programBar(io, f, index, bars.msix);
  await configWrite(io, f, PCI_COMMAND, 2, COMMAND_IO_MEM_MASTER);
  const command = await configRead(io, f, PCI_COMMAND, 2);
  if ((command & COMMAND_IO_MEM_MASTER) !== COMMAND_IO_MEM_MASTER) throw setupError(f, `COMMAND reads back ${hex(command)}`);
  return bars;
}

const MCH: PciFunction = { bus: 0, device: 0, fn: 0 };
const MCH_ID_Q35 = 0x29c08086;
const PCIEXBAR = 0x60;
export const DEFAULT_MMCONFIG_BASE = 0xb0000000;

/** Extended (4 KiB) config space through the MMCONFIG window. */
export class MmconfigWindow {
  constructor(private readonly io: ConfigIo, readonly base: number) {}

  /** Physical address of `reg` of a function: base + (bus << 20 | device << 15 | fn << 12 | reg). */
  address(f: PciFunction, reg: number): number {
    return this.base + f.bus * 0x100000 + f.device * 0x8000 + f.fn * 0x1000 + reg;
  }

  read(f: PciFunction, reg: number, size: ConfigSize): Promise<number> {
    checkRegister(reg, size, 0x1000);
    const addr = this.address(f, reg);
    return size === 1 ? this.io.readb(addr) : size === 2 ? this.io.readw(addr) : this.io.readl(addr);
  }

  write(f: PciFunction, reg: number, size: ConfigSize, value: number): Promise<void> {
    checkRegister(reg, size, 0x1000);
    const addr = this.address(f, reg);
    return size === 1 ? this.io.writeb(addr, value) : size === 2 ? this.io.writew(addr, value) : this.io.writel(addr, value);
  }
}

/**
 * Enables MMCONFIG on q35 (PCIEXBAR = base | 256 buses | enable) and checks it decodes by reading
 * the MCH's ID through it. `base` must be 256 MiB aligned and below 4 GiB.
 */
export async function enableMmconfig(io: ConfigIo, base = DEFAULT_MMCONFIG_BASE): Promise<MmconfigWindow> {
  if (!Number.isInteger(base) || base <= 0 || base >= 0x100000000 || base % 0x10000000 !== 0) {
    throw new RangeError(`MMCONFIG base ${hex(base)} must be 256 MiB aligned and below 4 GiB`);
  }
  const mchId = await configRead(io, MCH, 0x00, 4);
  if (mchId !== MCH_ID_Q35) throw setupError(MCH, `host bridge is ${hex(mchId)}, not the q35 MCH (${hex(MCH_ID_Q35)})`);
  await configWrite(io, MCH, PCIEXBAR + 4, 4, 0);
  await configWrite(io, MCH, PCIEXBAR, 4, (base | 1) >>> 0); // length field 0 = 256 buses
  const window = new MmconfigWindow(io, base);
  const viaMmconfig = await window.read(MCH, 0x00, 4);
  if (viaMmconfig !== mchId) throw setupError(MCH, `MMCONFIG at ${hex(base)} reads ${hex(viaMmconfig)} instead of the MCH ID`);
  return window;
}
