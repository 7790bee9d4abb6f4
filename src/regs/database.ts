// The register database of QEMU's igb (82576) or e1000e (82574L): BAR0 registers and the MII
// registers behind MDIC, with name and offset lookups, alias resolution and bit-field decoding.
// `registersFor(model)` is the shared, lazily loaded instance per device (`igbRegisters()` the igb
// one); construct RegisterDatabase directly to use other tables (tests).

import {
  FUNCTIONAL_BLOCKS,
  type DecodedField, type FunctionalBlock, type RegisterDef, type RegisterRef,
} from '../model/register.js';
import { decodeValue, diffValues, type DecodeOptions, type FieldDiff } from './decode.js';
import { loadTables, type IgbTables } from './loader.js';
import type { DeviceModel } from '../devices/table.js';
import { RegisterSpace } from './register-space.js';
import { MMIO_SPACE, PHY_SPACE } from './space.js';

export { formatDecoded, formatFieldDiff, formatFieldValue } from './decode.js';
export type { DecodeOptions, FieldDiff } from './decode.js';

export class RegisterDatabase {
  private readonly mmio: RegisterSpace;
  private readonly phy: RegisterSpace;
  private readonly blocks: ReadonlyMap<FunctionalBlock, readonly RegisterDef[]>;

  constructor(tables: IgbTables) {
    this.mmio = new RegisterSpace(tables.mmio, MMIO_SPACE);
    this.phy = new RegisterSpace(tables.phy, PHY_SPACE);
    this.blocks = groupByBlock(this.mmio.defs);
  }

  /** The BAR0 register element at a byte offset (rounded down to its dword), including `*_A` aliases. */
  lookupOffset(offset: number): RegisterRef | undefined {
    return this.mmio.at(offset);
  }

  /** A BAR0 register by name: `RDBAL(3)`, `RDBAL3`, `rdbal[3]`, `E1000_RDBAL(3)`, `CTRL`, `IVAR0`. */
  lookupName(name: string): RegisterRef | undefined {
    return this.mmio.named(name);
  }

  /** A PHY register by MII register number (0..31). */
  lookupPhy(reg: number): RegisterRef | undefined {
    return this.phy.at(reg);
  }

  /** A PHY register by name: `BMSR`, `PHY_STATUS`, `IGP01E1000_PHY_PORT_CONFIG`. */
  lookupPhyName(name: string): RegisterRef | undefined {
    return this.phy.named(name);
  }

  /** For an alias element the canonical element it maps to (RDBAL_A(1) -> RDBAL(1)); else `ref` itself. */
  canonical(ref: RegisterRef): RegisterRef {
    const target = ref.def.aliasOf;
    if (target === undefined) return ref;
    const space = this.phy.owns(ref.def) ? this.phy : this.mmio;
    return space.element(target, ref.index) ?? ref;
  }

  decode(ref: RegisterRef, value: number, options?: DecodeOptions): DecodedField[] {
    return decodeValue(ref.def, value, options);
  }

  /** Fields whose values differ between `expected` and `actual`, for messages like `STATUS.LU: expected 1, got 0`. */
  diffFields(ref: RegisterRef, expected: number, actual: number): FieldDiff[] {
    return diffValues(ref.def, expected, actual);
  }

  /** BAR0 register definitions in offset order. */
  all(): readonly RegisterDef[] {
    return this.mmio.defs;
  }

  /** PHY register definitions in register-number order. */
  allPhy(): readonly RegisterDef[] {
    return this.phy.defs;
  }

  /** BAR0 definitions per functional block, blocks in FUNCTIONAL_BLOCKS order, empty blocks left out. */
  byBlock(): ReadonlyMap<FunctionalBlock, readonly RegisterDef[]> {
    return this.blocks;
  }
}

function groupByBlock(defs: readonly RegisterDef[]): Map<FunctionalBlock, readonly RegisterDef[]> {
  const groups = new Map<FunctionalBlock, readonly RegisterDef[]>();
  for (const block of FUNCTIONAL_BLOCKS) {
    const members = defs.filter((d) => d.block === block);
    if (members.length > 0) groups.set(block, members);
  }
  return groups;
}

const shared = new Map<DeviceModel, RegisterDatabase>();

/** The igb register database, loaded from the bundled CSVs on first use. */
export function igbRegisters(): RegisterDatabase {
  return registersFor('igb');
}

/** The register database of one device model (igb: 82576, e1000e: 82574L), loaded once on first use. */
export function registersFor(model: DeviceModel): RegisterDatabase {
  let db = shared.get(model);
  if (db === undefined) {
    db = new RegisterDatabase(loadTables(model));
    shared.set(model, db);
  }
  return db;
}
