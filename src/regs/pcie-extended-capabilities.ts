// The registers of the PCI Express extended capabilities an igb or e1000e function carries in
// QEMU (AER, ARI, SR-IOV), each at its offset within the capability and its width (PCI Express
// Base Specification, chapter 7, and the SR-IOV specification). Extended configuration space
// (0x100-0xfff) is reached through MMCONFIG only, where Linux, firmware and sysfs readers access
// each register whole (or wider: a dword covering two 16-bit registers): the config-read check
// uses these widths to compare a recorded read as the register it starts, where `pci_cfg_read`
// prints no width. Registers of capabilities not listed here keep the width-agnostic comparison.

/** One register: its offset within the capability, width in bytes and name in the specification. */
export interface CapabilityRegister {
  readonly offset: number;
  readonly width: 1 | 2 | 4;
  readonly name: string;
}

export interface ExtendedCapabilityLayout {
  readonly name: string;
  readonly registers: readonly CapabilityRegister[];
}

/** One register as the table writes it: offset within the capability, width in bytes, name. */
type Row = readonly [offset: number, width: 1 | 2 | 4, name: string];

const HEADER: Row = [0x00, 4, 'Extended Capability Header'];

/** `count` dword registers from `first`, named by index. */
function dwords(first: number, count: number, name: (i: number) => string): Row[] {
  return Array.from({ length: count }, (_, i): Row => [first + 4 * i, 4, name(i)]);
}

function layout(name: string, rows: readonly Row[]): ExtendedCapabilityLayout {
  return { name, registers: rows.map(([offset, width, register]) => ({ offset, width, name: register })) };
}

/** By extended capability ID (the header's bits 15:0). */
export const EXTENDED_CAPABILITIES: ReadonlyMap<number, ExtendedCapabilityLayout> = new Map([
  [0x0001, layout('AER', [
    HEADER,
    [0x04, 4, 'Uncorrectable Error Status'], [0x08, 4, 'Uncorrectable Error Mask'], [0x0c, 4, 'Uncorrectable Error Severity'],
    [0x10, 4, 'Correctable Error Status'], [0x14, 4, 'Correctable Error Mask'], [0x18, 4, 'Advanced Error Capabilities and Control'],
    ...dwords(0x1c, 4, (i) => `Header Log ${i}`),
  ])],
  [0x000e, layout('ARI', [HEADER, [0x04, 2, 'ARI Capability'], [0x06, 2, 'ARI Control']])],
  [0x0010, layout('SR-IOV', [
    HEADER,
    [0x04, 4, 'SR-IOV Capabilities'], [0x08, 2, 'SR-IOV Control'], [0x0a, 2, 'SR-IOV Status'],
    [0x0c, 2, 'InitialVFs'], [0x0e, 2, 'TotalVFs'], [0x10, 2, 'NumVFs'], [0x12, 1, 'Function Dependency Link'],
    [0x14, 2, 'First VF Offset'], [0x16, 2, 'VF Stride'], [0x1a, 2, 'VF Device ID'],
    [0x1c, 4, 'Supported Page Sizes'], [0x20, 4, 'System Page Size'],
    ...dwords(0x24, 6, (i) => `VF BAR${i}`),
    [0x3c, 4, 'VF Migration State Array Offset'],
  ])],
]);

/** Where extended configuration space starts: the first capability's header is here, if any. */
export const EXTENDED_CONFIG_START = 0x100;
const EXTENDED_CONFIG_END = 0x1000;

/** The header's fields: capability ID (15:0) and the next capability's offset (31:20; 0 ends the list). */
export function decodeExtendedHeader(header: number): { readonly id: number; readonly next: number } {
  return { id: header & 0xffff, next: (header >>> 20) & 0xffc };
}

/** A register of a known capability, located in a function's config space. */
export interface LocatedRegister extends CapabilityRegister {
  readonly capability: string;
  /** The capability's offset in config space (its header). */
  readonly capabilityAt: number;
}

/**
 * A function's extended capability list as a recording reads it: the list is walked from 0x100,
 * header by header, so every capability's header has been read before any of its registers (Linux's
 * pci_find_ext_capability, firmware alike). Fed the recorded config reads of one function in order.
 */
export class ExtendedCapabilityList {
  /** Capability start offset -> its ID. */
  private readonly found = new Map<number, number>();
  /** Offsets where a header is expected (the start, then each header's next pointer). */
  private readonly headers = new Set<number>([EXTENDED_CONFIG_START]);

  /** A recorded read of `value` at `offset` (the value as recorded: of unknown width). */
  see(offset: number, value: number): void {
    // A header read whole (a dword: anything but the bare ID of a word read) names its capability and the next.
    if (!this.headers.has(offset) || value === 0 || value === 0xffffffff || value <= 0xffff) return;
    const { id, next } = decodeExtendedHeader(value);
    this.found.set(offset, id);
    if (next >= EXTENDED_CONFIG_START && next < EXTENDED_CONFIG_END) this.headers.add(next);
  }

  /** The register of a known capability that starts exactly at `offset`, if any. */
  registerAt(offset: number): LocatedRegister | undefined {
    for (const [start, id] of this.found) {
      const layout = EXTENDED_CAPABILITIES.get(id);
      const register = layout?.registers.find((r) => start + r.offset === offset);
      if (layout !== undefined && register !== undefined) return { ...register, capability: layout.name, capabilityAt: start };
    }
    return undefined;
  }
}
