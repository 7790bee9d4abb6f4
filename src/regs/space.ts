// The two address spaces the database describes. They differ in unit (byte offsets vs register
// numbers), size and register width, so every check and lookup is parameterised by one of these.

export interface AddressSpace {
  /** For messages: `BAR0` or `PHY`. */
  readonly label: string;
  /** Addressable size in units: 128 KiB of BAR0 bytes, or 32 MII register numbers. */
  readonly size: number;
  /** Size of one register in address units, and the alignment of every register. */
  readonly unit: number;
  /** Register width in bits. */
  readonly width: number;
}

/** BAR0 of the 82576: QEMU masks MMIO offsets with 0x1ffff; every register is a 32-bit dword. */
export const MMIO_SPACE: AddressSpace = { label: 'BAR0', size: 0x20000, unit: 4, width: 32 };

/** MII registers reached through MDIC.REGADD (5 bits), 16 bits wide. */
export const PHY_SPACE: AddressSpace = { label: 'PHY', size: 0x20, unit: 1, width: 16 };
