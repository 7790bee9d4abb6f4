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

const HEADER: CapabilityRegister = { offset: 0x00, width: 4, name: 'Extended Capability Header' };

function dwords(first: number, count: number, name: (i: number) => string): CapabilityRegister[] {
  return Array.from({ length: count }, (_, i) => ({ offset: first + 4 * i, width: 4 as const, name: name(i) }));
}

/** By extended capability ID (the header's bits 15:0). */
export const EXTENDED_CAPABILITIES: ReadonlyMap<number, ExtendedCapabilityLayout> = new Map([
  [0x0001, {
    name: 'AER',
    registers: [
      HEADER,
      { offset: 0x04, width: 4, name: 'Uncorrectable Error Status' },
      { offset: 0x08, width: 4, name: 'Uncorrectable Error Mask' },
      { offset: 0x0c, width: 4, name: 'Uncorrectable Error Severity' },
      { offset: 0x10, width: 4, name: 'Correctable Error Status' },
      { offset: 0x14, width: 4, name: 'Correctable Error Mask' },
      { offset: 0x18, width: 4, name: 'Advanced Error Capabilities and Control' },
      ...dwords(0x1c, 4, (i) => `Header Log ${i}`),
    ],
  }],
  [0x000e, {
    name: 'ARI',
    registers: [
      HEADER,
      { offset: 0x04, width: 2, name: 'ARI Capability' },
      { offset: 0x06, width: 2, name: 'ARI Control' },
    ],
  }],
  [0x0010, {
    name: 'SR-IOV',
    registers: [
      HEADER,
      { offset: 0x04, width: 4, name: 'SR-IOV Capabilities' },
      { offset: 0x08, width: 2, name: 'SR-IOV Control' },
      { offset: 0x0a, width: 2, name: 'SR-IOV Status' },
      { offset: 0x0c, width: 2, name: 'InitialVFs' },
      { offset: 0x0e, width: 2, name: 'TotalVFs' },
      { offset: 0x10, width: 2, name: 'NumVFs' },
      { offset: 0x12, width: 1, name: 'Function Dependency Link' },
      { offset: 0x14, width: 2, name: 'First VF Offset' },
      { offset: 0x16, width: 2, name: 'VF Stride' },
      { offset: 0x1a, width: 2, name: 'VF Device ID' },
      { offset: 0x1c, width: 4, name: 'Supported Page Sizes' },
      { offset: 0x20, width: 4, name: 'System Page Size' },
      ...dwords(0x24, 6, (i) => `VF BAR${i}`),
      { offset: 0x3c, width: 4, name: 'VF Migration State Array Offset' },
    ],
  }],
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
