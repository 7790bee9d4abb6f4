// What the diff needs to know about the register behind a token: its name and block, whether the
// user's --registers/--block filter selects it, and whether --ignore-volatile discounts its value
// differences. Computed once per distinct token, not per access.
//
// --ignore-volatile discounts two things. Reads: the registers the replay's compare policy calls
// volatile (`volatileReason`, one rule for replay, export and diff: statistics counters, the
// time-sync clock, the free-running timer). Writes: PER_BOOT_WRITES below, which is the diff's own
// addition — values a driver chooses anew on every boot, which a replay does not compare because
// it replays the recorded value.

import { lookupRegister, parseNumber } from '../analysis/register-lookup.js';
import type { BlockName } from '../analysis/trace-summary.js';
import type { RegisterDef, RegisterRef } from '../model/register.js';
import type { RegisterDatabase } from '../regs/database.js';
import { accessLabel, registerReached } from '../regs/naming.js';
import { volatileReason } from '../replay/compare-policy.js';
import type { DiffRegister } from './result.js';
import type { TokenInfo } from './tokens.js';

/**
 * Registers whose written value is chosen anew on every boot: DMA addresses of the rings and the
 * random RSS key. Writes to them align whatever the value; the value is compared separately.
 */
export const PER_BOOT_WRITES: ReadonlySet<string> = new Set(['RDBAL', 'RDBAH', 'TDBAL', 'TDBAH', 'TDWBAL', 'TDWBAH', 'RSSRK']);

/** One --registers item: a whole register (array) or one element of it. */
export interface RegisterSelector {
  readonly def: RegisterDef;
  readonly index?: number;
}

export interface TokenRegister extends DiffRegister {
  /** Reads of it are discounted by --ignore-volatile. */
  readonly volatileRead: boolean;
  /** Write values of it are discounted by --ignore-volatile. */
  readonly perBootWrite: boolean;
}

export function isPerBootWrite(db: RegisterDatabase, info: TokenInfo): boolean {
  if (info.kind !== 'write' || info.space === 'phy') return false;
  const ref = registerReached(db, info);
  return ref !== undefined && PER_BOOT_WRITES.has(ref.def.name);
}

export function describeToken(db: RegisterDatabase, info: TokenInfo): TokenRegister {
  const ref = registerReached(db, info);
  const block: BlockName = info.space === 'phy' ? 'phy' : ref?.def.block ?? 'unmapped';
  return {
    space: info.space, offset: info.offset, ...(ref === undefined ? {} : { name: ref.name }), label: accessLabel(db, info), block,
    volatileRead: info.space !== 'phy' && volatileReason(ref) !== undefined,
    perBootWrite: isPerBootWrite(db, info),
  };
}

/** Parses `--registers STATUS,RDBAL(0),RDBAL,0xc000,BMSR`; unknown names throw RegisterNotFoundError. */
export function parseSelectors(db: RegisterDatabase, list: readonly string[]): RegisterSelector[] {
  return list.map((item) => item.trim()).filter((item) => item.length > 0).map((item) => {
    if (parseNumber(item) === undefined) {
      const phy = db.lookupName(item) === undefined ? db.lookupPhyName(item) : undefined;
      if (phy !== undefined) return selectorOf(phy, item);
    }
    const info = lookupRegister(db, item, 'mmio');
    const ref = db.lookupName(info.name);
    if (ref === undefined) return { def: db.lookupOffset(info.offset)?.def ?? fail(item) };
    return parseNumber(item) === undefined ? selectorOf(ref, item) : { def: ref.def, ...indexOf(ref) };
  });
}

/** `RDBAL` (no index given) selects the whole array; `RDBAL(0)`, `RDBAL0` one element. */
function selectorOf(ref: RegisterRef, query: string): RegisterSelector {
  const bare = query.trim().toUpperCase().replace(/^E1000_/, '');
  const names = [ref.def.name, ...(ref.def.altNames ?? [])].map((n) => n.toUpperCase());
  return names.includes(bare) ? { def: ref.def } : { def: ref.def, ...indexOf(ref) };
}

function indexOf(ref: RegisterRef): { index?: number } {
  return ref.index === undefined ? {} : { index: ref.index };
}

function fail(item: string): never {
  throw new Error(`register ${item} resolved to no definition`);
}

export function selects(selectors: readonly RegisterSelector[], ref: RegisterRef | undefined): boolean {
  if (ref === undefined) return false;
  return selectors.some((s) => s.def === ref.def && (s.index === undefined || s.index === ref.index));
}
