// How registers and accesses are named in every report, JSON field and baseline key: one spelling
// per kind of name.
//
//   BAR0 register the database knows   `RDBAL(3)`, `CTRL`   (the element's name, with its index)
//   BAR0 offset the database lacks     `0x4038`             (the notation QEMU's own log uses)
//   PHY register                       `PHY[2] PHYID1`      (QEMU's mdic handle, then the name; `PHY[20]` unknown)
//   IO BAR                             `IOADDR`, `IODATA`   (other offsets `IO 0x8`)
//   IODATA through IOADDR              `IODATA CTRL`        (the path; `IODATA 0x4038` when unknown)
//   PCI config space                   `config 0x4`; an SR-IOV VF's: `VF1 config 0x4`
//
// Two questions get two functions: which *register* an access reaches (`registerOf`: an IODATA
// read of CTRL is a read of CTRL, as replay divergences, JUnit test cases and baseline keys count
// it), and how the *access path* reads in a listing (`accessLabel`: `IODATA CTRL`, as diff and
// export show it).

import type { RegisterRef } from '../model/register.js';
import type { RegisterDatabase } from './database.js';

/** The spaces an access or a tallied register can be in. */
export type NamedSpace = 'mmio' | 'io' | 'phy' | 'pci-config';

/** Where an access went: for an IODATA access, `register` is the BAR0 register IOADDR selected. */
export interface AccessPath {
  readonly space: NamedSpace;
  readonly offset: number;
  readonly register?: number;
  /** For `pci-config`: the SR-IOV virtual function (absent: the PF). */
  readonly vf?: number;
}

/** The lookups naming needs (RegisterDatabase has them). */
export type RegisterLookups = Pick<RegisterDatabase, 'lookupOffset' | 'lookupPhy'>;

/** IO BAR offsets of its two registers. */
const IOADDR = 0;
const IODATA = 4;

export function hexOffset(offset: number): string {
  return `0x${offset.toString(16)}`;
}

/** `RDBAL(3)`, or `0x4038` for an offset the database does not know. */
export function bar0Name(ref: RegisterRef | undefined, offset: number): string {
  return ref?.name ?? hexOffset(offset);
}

/** `PHY[2] PHYID1`, or `PHY[20]` for a register the database does not know. */
export function phyName(register: number, name: string | undefined): string {
  return name === undefined ? `PHY[${register}]` : `PHY[${register}] ${name}`;
}

/** `IOADDR`, `IODATA`, `IO 0x8`: the IO BAR's own registers. */
function ioPortName(offset: number): string {
  return offset === IOADDR ? 'IOADDR' : offset === IODATA ? 'IODATA' : `IO ${hexOffset(offset)}`;
}

/**
 * How a register is labelled from its space, offset and database name (absent: unknown), for
 * tallies that carry the name already: `RDBAL(0)`, `0x4038`, `PHY[20] GMII_FIFO`, `IOADDR`, `config 0x10`.
 */
export function registerLabel(space: NamedSpace, offset: number, name: string | undefined): string {
  switch (space) {
    case 'mmio': return name ?? hexOffset(offset);
    case 'phy': return phyName(offset, name);
    case 'io': return ioPortName(offset);
    case 'pci-config': return configLabel(offset, undefined);
  }
}

/** `config 0x4`, or `VF1 config 0x4` for a virtual function's config space. */
export function configLabel(offset: number, vf: number | undefined): string {
  return vf === undefined ? `config ${hexOffset(offset)}` : `VF${vf} config ${hexOffset(offset)}`;
}

/** The BAR0 or PHY register an access reaches (IODATA: the register IOADDR selected); none for config space and IOADDR. */
export function registerReached(db: RegisterLookups, path: AccessPath): RegisterRef | undefined {
  switch (path.space) {
    case 'mmio': return db.lookupOffset(path.offset);
    case 'phy': return db.lookupPhy(path.offset);
    case 'io': return path.register === undefined ? undefined : db.lookupOffset(path.register);
    case 'pci-config': return undefined;
  }
}

/** The database name of the register an access reaches, when the database knows it (`parse --jsonl` `name`). */
export function databaseName(db: RegisterLookups, path: AccessPath): string | undefined {
  return registerReached(db, path)?.name;
}

/**
 * The register an access counts as, and its block: the BAR0 register also when reached through
 * IODATA (`CTRL`, block `general`; `0x4038`, `unmapped`), `PHY[2] PHYID1` (`phy`), the IO BAR's
 * own registers (`io`), `config 0x4` (`pci-config`).
 */
export function registerOf(db: RegisterLookups, path: AccessPath): { readonly name: string; readonly block: string } {
  if (path.space === 'pci-config') return { name: configLabel(path.offset, path.vf), block: 'pci-config' };
  if (path.space === 'io' && path.register === undefined) return { name: ioPortName(path.offset), block: 'io' };
  const ref = registerReached(db, path);
  if (path.space === 'phy') return { name: phyName(path.offset, ref?.name), block: 'phy' };
  return { name: bar0Name(ref, path.register ?? path.offset), block: ref?.def.block ?? 'unmapped' };
}

/** How an access path reads in a listing: as `registerOf`, but IODATA names its path: `IODATA CTRL`. */
export function accessLabel(db: RegisterLookups, path: AccessPath): string {
  if (path.space === 'io' && path.register !== undefined) return `IODATA ${bar0Name(registerReached(db, path), path.register)}`;
  if (path.space === 'pci-config') return configLabel(path.offset, path.vf);
  return registerLabel(path.space, path.offset, registerReached(db, path)?.name);
}
