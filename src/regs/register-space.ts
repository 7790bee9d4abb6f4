// Lookups within one address space. Every element of every register is resolved once, up front,
// into a RegisterRef keyed by its offset: summaries call `at()` millions of times, so a lookup is a
// single Map access on the aligned offset.

import type { RegisterDef, RegisterRef } from '../model/register.js';
import { parseRegisterName } from './names.js';
import type { AddressSpace } from './space.js';

export class RegisterSpace {
  private readonly byOffset = new Map<number, RegisterRef>();
  /** Upper-case primary and alternative names to the segments of that register, lowest index first. */
  private readonly byName = new Map<string, RegisterDef[]>();
  private readonly owned: ReadonlySet<RegisterDef>;
  /** Definitions in offset order. */
  readonly defs: readonly RegisterDef[];

  constructor(defs: readonly RegisterDef[], readonly space: AddressSpace) {
    this.defs = [...defs].sort((a, b) => a.offset - b.offset);
    this.owned = new Set(defs);
    for (const def of this.defs) {
      for (const name of [def.name, ...(def.altNames ?? [])]) this.addName(name, def);
      for (const ref of elementRefs(def)) this.byOffset.set(ref.offset, ref);
    }
  }

  owns(def: RegisterDef): boolean {
    return this.owned.has(def);
  }

  /** The register element containing `offset`; unaligned offsets round down to their register. */
  at(offset: number): RegisterRef | undefined {
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.space.size) return undefined;
    return this.byOffset.get(offset - (offset % this.space.unit));
  }

  /** Case-insensitive; see names.ts for the accepted spellings. An array name alone means element 0. */
  named(input: string): RegisterRef | undefined {
    for (const query of parseRegisterName(input)) {
      const ref = this.element(query.base, query.index);
      if (ref !== undefined) return ref;
    }
    return undefined;
  }

  /** Element `index` of register `name` (primary or alternative name); scalars take no index. */
  element(name: string, index?: number): RegisterRef | undefined {
    const segments = this.byName.get(name.toUpperCase());
    const first = segments?.[0];
    if (segments === undefined || first === undefined) return undefined;
    if (!isArrayDef(first)) return index === undefined ? this.byOffset.get(first.offset) : undefined;
    const wanted = index ?? first.indexBase ?? 0;
    const segment = segments.find((s) => wanted >= (s.indexBase ?? 0) && wanted < (s.indexBase ?? 0) + s.count);
    if (segment === undefined) return undefined;
    return this.byOffset.get(segment.offset + (wanted - (segment.indexBase ?? 0)) * segment.stride);
  }

  private addName(name: string, def: RegisterDef): void {
    const key = name.toUpperCase();
    const list = this.byName.get(key) ?? [];
    list.push(def);
    list.sort((a, b) => (a.indexBase ?? 0) - (b.indexBase ?? 0));
    this.byName.set(key, list);
  }
}

export function isArrayDef(def: RegisterDef): boolean {
  return def.stride > 0;
}

function* elementRefs(def: RegisterDef): Generator<RegisterRef> {
  if (!isArrayDef(def)) {
    yield { def, name: def.name, offset: def.offset };
    return;
  }
  const base = def.indexBase ?? 0;
  for (let i = 0; i < def.count; i++) {
    const index = base + i;
    yield { def, index, name: `${def.name}(${index})`, offset: def.offset + i * def.stride };
  }
}
