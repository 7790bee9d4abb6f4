// `igb-replay regs`: everything the database says about one register element, and optionally a
// value decoded field by field. Pure over the register database; the result is JSON-ready.

import { UserError } from '../errors.js';
import { BLOCK_TITLES, type FieldDef, type RegisterDef, type RegisterRef } from '../model/register.js';
import type { RegisterDatabase } from '../regs/database.js';
import { registerLayout, type LayoutSegment } from './register-layout.js';
import { suggestNames } from './suggest.js';

export const REGISTER_INFO_SCHEMA = 'igb-replay/register';
export const REGISTER_INFO_VERSION = 1;

export type RegisterSpaceKind = 'mmio' | 'phy';

export interface FieldInfo {
  readonly name: string;
  readonly lo: number;
  readonly hi: number;
  /** `31` or `19:16`. */
  readonly bits: string;
  readonly description: string;
}

export interface ElementRef {
  readonly name: string;
  readonly offset: number;
}

export interface RegisterInfo {
  readonly schema: typeof REGISTER_INFO_SCHEMA;
  readonly version: typeof REGISTER_INFO_VERSION;
  readonly space: RegisterSpaceKind;
  readonly query: string;
  /** Element name, e.g. `RDBAL(3)`. */
  readonly name: string;
  /** Element offset (BAR0 byte offset, or MII register number for PHY). */
  readonly offset: number;
  readonly index?: number;
  /** Set when the query was an offset inside the register rather than its start. */
  readonly requestedOffset?: number;
  readonly register: {
    readonly name: string;
    readonly access: string;
    readonly width: number;
    readonly block: string;
    readonly blockTitle: string;
    readonly description: string;
    readonly readSideEffect: boolean;
    readonly volatile: boolean;
    readonly altNames: readonly string[];
  };
  readonly layout: readonly LayoutSegment[];
  /** For an alias: the canonical element QEMU logs accesses under. */
  readonly aliasOf?: ElementRef;
  /** Alias elements that reach this element. */
  readonly aliases: readonly ElementRef[];
  readonly fields: readonly FieldInfo[];
  readonly decoded?: { readonly value: number; readonly fields: readonly (FieldInfo & { readonly value: number })[] };
}

/** A name or offset that names no register (exit 2); carries suggestions for the message. */
export class RegisterNotFoundError extends UserError {
  override readonly name = 'RegisterNotFoundError';

  constructor(readonly query: string, message: string, readonly suggestions: readonly string[], hint: string) {
    super(message, hint);
  }
}

/** Value of an offset/number argument: `0xc0c0`, `49344`; undefined when it is a name. */
export function parseNumber(text: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^[0-9]+$/.test(text)) return Number.parseInt(text, 10);
  return undefined;
}

export function lookupRegister(db: RegisterDatabase, query: string, space: RegisterSpaceKind, value?: number): RegisterInfo {
  const number = parseNumber(query.trim());
  const ref = number === undefined ? byName(db, query, space) : byNumber(db, number, space);
  const canonical = db.canonical(ref);
  const info: RegisterInfo = {
    schema: REGISTER_INFO_SCHEMA,
    version: REGISTER_INFO_VERSION,
    space, query,
    name: ref.name, offset: ref.offset,
    ...(ref.index === undefined ? {} : { index: ref.index }),
    ...(number !== undefined && number !== ref.offset ? { requestedOffset: number } : {}),
    register: describeDef(ref.def),
    layout: registerLayout(space === 'phy' ? db.allPhy() : db.all(), ref.def.name),
    ...(canonical === ref ? {} : { aliasOf: { name: canonical.name, offset: canonical.offset } }),
    aliases: space === 'phy' ? [] : aliasesOf(db, ref),
    fields: ref.def.fields.map(fieldInfo),
  };
  if (value === undefined) return info;
  const decoded = db.decode(ref, value, { undefinedBits: true }).map((d) => ({ ...fieldInfo(d.field), value: d.value }));
  return { ...info, decoded: { value, fields: decoded } };
}

function byName(db: RegisterDatabase, query: string, space: RegisterSpaceKind): RegisterRef {
  const ref = space === 'phy' ? db.lookupPhyName(query) : db.lookupName(query);
  if (ref !== undefined) return ref;
  const defs = space === 'phy' ? db.allPhy() : db.all();
  const base = query.trim().toUpperCase().replace(/^E1000_/, '').replace(/[([]\s*\w+\s*[)\]]$/, '');
  const { names, close } = suggestNames(base, defs.flatMap((d) => [d.name, ...(d.altNames ?? [])]));
  const label = space === 'phy' ? 'PHY register' : 'register';
  const list = names.join(', ');
  const hint = close ? `did you mean: ${list}?` : `no close match (nearest: ${list}); see \`igb-replay regs --list${space === 'phy' ? ' --phy' : ''}\``;
  return notFound(query, `unknown ${label} ${JSON.stringify(query)}`, names, hint);
}

function byNumber(db: RegisterDatabase, offset: number, space: RegisterSpaceKind): RegisterRef {
  const ref = space === 'phy' ? db.lookupPhy(offset) : db.lookupOffset(offset);
  if (ref !== undefined) return ref;
  const defs = space === 'phy' ? db.allPhy() : db.all();
  const near = neighbours(defs, offset);
  const where = space === 'phy' ? `PHY register ${offset}` : `BAR0 offset 0x${offset.toString(16)}`;
  const size = space === 'phy' ? 32 : 0x20000;
  const reason = offset >= size ? `is outside ${space === 'phy' ? 'the 32 MII registers' : 'the 128 KiB BAR0'}`
    : 'is not a register in the database';
  const hint = near.length > 0 ? `nearest registers: ${near.join(', ')}` : 'see `igb-replay regs --list`';
  return notFound(String(offset), `${where} ${reason}`, near, hint);
}

function notFound(query: string, message: string, suggestions: readonly string[], hint: string): never {
  throw new RegisterNotFoundError(query, message, suggestions, hint);
}

/** The registers just below and just above an offset, as `NAME (0x...)`. */
function neighbours(defs: readonly RegisterDef[], offset: number): string[] {
  let below: RegisterDef | undefined;
  let above: RegisterDef | undefined;
  for (const def of defs) {
    if (def.offset <= offset && (below === undefined || def.offset > below.offset)) below = def;
    if (def.offset > offset && (above === undefined || def.offset < above.offset)) above = def;
  }
  return [below, above].filter((d): d is RegisterDef => d !== undefined)
    .map((d) => `${d.name}${d.stride > 0 ? '(n)' : ''} (0x${d.offset.toString(16)})`);
}

/** Elements of alias arrays (`RDBAL_A(n)`) that QEMU translates to `ref`. */
function aliasesOf(db: RegisterDatabase, ref: RegisterRef): ElementRef[] {
  const found: ElementRef[] = [];
  for (const def of db.all()) {
    if (def.aliasOf !== ref.def.name) continue;
    const alias = db.lookupName(ref.index === undefined ? def.name : `${def.name}(${ref.index})`);
    if (alias !== undefined && db.canonical(alias).offset === ref.offset) found.push({ name: alias.name, offset: alias.offset });
  }
  return found;
}

function describeDef(def: RegisterDef): RegisterInfo['register'] {
  return {
    name: def.name, access: def.access, width: def.width, block: def.block, blockTitle: BLOCK_TITLES[def.block],
    description: def.description, readSideEffect: def.readSideEffect, volatile: def.volatile,
    altNames: def.altNames ?? [],
  };
}

function fieldInfo(field: FieldDef): FieldInfo {
  return {
    name: field.name, lo: field.lo, hi: field.hi,
    bits: field.hi === field.lo ? String(field.lo) : `${field.hi}:${field.lo}`,
    description: field.description,
  };
}
