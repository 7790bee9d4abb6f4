// Where a register (array) lives: its segments with the offset formula, and the `regs --list`
// listing. Some arrays continue at a second offset under the same name (RAL(16..) at 0x54e0),
// so a name can have several segments.

import { BLOCK_TITLES, type FunctionalBlock, type RegisterDef } from '../model/register.js';

export const REGISTER_LIST_SCHEMA = 'igb-replay/register-list';
export const REGISTER_LIST_VERSION = 1;

export interface LayoutSegment {
  readonly offset: number;
  readonly count: number;
  readonly stride: number;
  readonly firstIndex?: number;
  readonly lastIndex?: number;
  /** `0x0c000 + 0x40 × n (n = 0..15)`; just the offset for a scalar register. */
  readonly formula: string;
}

export interface ListedRegister {
  /** `RDBAL(0..15)` for arrays. */
  readonly name: string;
  readonly offset: number;
  readonly count: number;
  readonly stride: number;
  readonly formula: string;
  readonly access: string;
  readonly block: FunctionalBlock;
  readonly description: string;
  readonly aliasOf?: string;
}

export interface RegisterListing {
  readonly schema: typeof REGISTER_LIST_SCHEMA;
  readonly version: typeof REGISTER_LIST_VERSION;
  readonly space: 'mmio' | 'phy';
  readonly block?: FunctionalBlock;
  readonly blockTitle?: string;
  readonly registers: readonly ListedRegister[];
}

export function registerLayout(defs: readonly RegisterDef[], name: string): LayoutSegment[] {
  return defs.filter((d) => d.name === name).map((d) => segment(d, offsetDigits(defs)));
}

export function listRegisters(defs: readonly RegisterDef[], space: 'mmio' | 'phy', block?: FunctionalBlock): RegisterListing {
  const digits = offsetDigits(defs);
  const registers = defs.filter((d) => block === undefined || d.block === block).map((d): ListedRegister => {
    const s = segment(d, digits);
    return {
      name: s.firstIndex === undefined ? d.name : `${d.name}(${s.firstIndex}..${s.lastIndex})`,
      offset: d.offset, count: d.count, stride: d.stride, formula: s.formula,
      access: d.access, block: d.block, description: d.description,
      ...(d.aliasOf === undefined ? {} : { aliasOf: d.aliasOf }),
    };
  });
  return {
    schema: REGISTER_LIST_SCHEMA, version: REGISTER_LIST_VERSION, space,
    ...(block === undefined ? {} : { block, blockTitle: BLOCK_TITLES[block] }),
    registers,
  };
}

/** `0x0c000`: BAR0 offsets padded to 5 digits like the register CSV and Intel's datasheet. */
export function formatOffset(offset: number, digits: number): string {
  return `0x${offset.toString(16).padStart(digits, '0')}`;
}

/** 5 hex digits cover BAR0 (128 KiB); PHY register numbers need 2. */
export function offsetDigits(defs: readonly RegisterDef[]): number {
  return defs.some((d) => d.offset + d.count * d.stride > 0xff) ? 5 : 2;
}

function segment(def: RegisterDef, digits: number): LayoutSegment {
  const base = formatOffset(def.offset, digits);
  if (def.stride === 0) return { offset: def.offset, count: 1, stride: 0, formula: base };
  const first = def.indexBase ?? 0;
  const last = first + def.count - 1;
  const n = first === 0 ? 'n' : `(n − ${first})`;
  return {
    offset: def.offset, count: def.count, stride: def.stride, firstIndex: first, lastIndex: last,
    formula: `${base} + 0x${def.stride.toString(16)} × ${n} (n = ${first}..${last})`,
  };
}
