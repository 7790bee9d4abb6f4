// Types of the register database: what a device register is, where it lives, and its bit fields.
// Pure types; the data and its loader live in src/regs/.

/**
 * How the driver may access a register.
 * RW read/write, RO read-only, WO write-only, RC clear-on-read, W1C write-1-to-clear,
 * SC self-clearing (the device clears bits the driver set, e.g. a START or RESET bit).
 */
export type RegisterAccessType = 'RW' | 'RO' | 'WO' | 'RC' | 'W1C' | 'SC';

export const REGISTER_ACCESS_TYPES: readonly RegisterAccessType[] = ['RW', 'RO', 'WO', 'RC', 'W1C', 'SC'];

/** Functional blocks, used to group findings the way a device developer thinks about them. */
export type FunctionalBlock =
  | 'general'
  | 'nvm'
  | 'phy'
  | 'interrupts'
  | 'msix'
  | 'receive'
  | 'transmit'
  | 'rx-queue'
  | 'tx-queue'
  | 'filters'
  | 'statistics'
  | 'timesync'
  | 'virtualization'
  | 'manageability'
  | 'wakeup'
  | 'flow-control'
  | 'dca'
  | 'diagnostics';

export const FUNCTIONAL_BLOCKS: readonly FunctionalBlock[] = [
  'general', 'nvm', 'phy', 'interrupts', 'msix', 'receive', 'transmit', 'rx-queue', 'tx-queue',
  'filters', 'statistics', 'timesync', 'virtualization', 'manageability', 'wakeup', 'flow-control',
  'dca', 'diagnostics',
];

/** Human titles of the blocks, for reports. */
export const BLOCK_TITLES: Readonly<Record<FunctionalBlock, string>> = {
  general: 'General control and status',
  nvm: 'NVM / EEPROM',
  phy: 'PHY / MDIO',
  interrupts: 'Interrupts',
  msix: 'Extended interrupts / MSI-X',
  receive: 'Receive',
  transmit: 'Transmit',
  'rx-queue': 'Per-queue receive',
  'tx-queue': 'Per-queue transmit',
  filters: 'Filters (RAL/RAH, MTA, VFTA, ...)',
  statistics: 'Statistics',
  timesync: 'Time sync / PTP',
  virtualization: 'VMDq / SR-IOV and mailbox',
  manageability: 'Manageability',
  wakeup: 'Wake-up',
  'flow-control': 'Flow control',
  dca: 'DCA',
  diagnostics: 'Diagnostics',
};

export interface FieldDef {
  readonly name: string;
  /** Lowest bit, inclusive. */
  readonly lo: number;
  /** Highest bit, inclusive. */
  readonly hi: number;
  readonly description: string;
}

/** A register or a register array, as defined in the database. */
export interface RegisterDef {
  /** Name without index, e.g. `RDBAL`. */
  readonly name: string;
  /** Byte offset of element 0. */
  readonly offset: number;
  /** Number of elements (1 for a scalar register). */
  readonly count: number;
  /** Byte distance between elements (0 for a scalar register). */
  readonly stride: number;
  /** Width in bits (32 for every igb MMIO register). */
  readonly width: number;
  readonly access: RegisterAccessType;
  /** A read changes device state (clear-on-read, semaphore grab, latch): never re-read it to poll. */
  readonly readSideEffect: boolean;
  /** Its value changes without the driver (free-running timer, statistics counter, link state). */
  readonly volatile: boolean;
  readonly block: FunctionalBlock;
  readonly description: string;
  /** For legacy alias registers (e.g. `RDBAL_A`): the canonical register they map to. */
  readonly aliasOf?: string;
  /**
   * Index of element 0 (absent = 0). Lets one array continue at another offset under the same
   * name, as the 82576 does with `RAL(16..)`/`RAH(16..)` at 0x54E0. Element i of this definition
   * is index `indexBase + i` at `offset + i * stride`.
   */
  readonly indexBase?: number;
  /** Other names for the same register (older Linux or QEMU spellings), for name lookups. */
  readonly altNames?: readonly string[];
  readonly fields: readonly FieldDef[];
}

/** A resolved register element: a definition plus the array index, if any. */
export interface RegisterRef {
  readonly def: RegisterDef;
  /** Array index, absent for scalar registers. */
  readonly index?: number;
  /** Display name, e.g. `RDBAL(3)` or `CTRL`. */
  readonly name: string;
  /** Byte offset of this element. */
  readonly offset: number;
}

export interface DecodedField {
  readonly field: FieldDef;
  /** The field's value (right-aligned). */
  readonly value: number;
}
