// Cross-row checks of a registers CSV: every element inside the address space and aligned, no two
// elements at one offset (aliases are registers of their own, so they never share an offset either),
// unique names, and alias_of / fields_like pointing at registers that exist.

import { RegisterDatabaseError } from './errors.js';
import { displayName, elements, isArray, type RegisterDraft } from './register-rows.js';
import type { AddressSpace } from './space.js';

const hex = (n: number): string => `0x${n.toString(16)}`;

function fail(d: RegisterDraft, message: string): never {
  throw new RegisterDatabaseError(d.file, d.line, message);
}

export function checkLayout(drafts: readonly RegisterDraft[], space: AddressSpace): void {
  const owners = new Map<number, { draft: RegisterDraft; index: number }>();
  for (const d of drafts) {
    checkShape(d, space);
    for (const { index, offset } of elements(d)) {
      const other = owners.get(offset);
      if (other !== undefined) {
        fail(d, `${displayName(d, index)} at ${hex(offset)} overlaps ${displayName(other.draft, other.index)}`
          + ` (line ${other.draft.line})`);
      }
      owners.set(offset, { draft: d, index });
    }
  }
}

function checkShape(d: RegisterDraft, space: AddressSpace): void {
  if (d.width !== space.width) fail(d, `column width: ${space.label} registers are ${space.width} bits, got ${d.width}`);
  if (d.offset % space.unit !== 0) fail(d, `column offset: ${hex(d.offset)} is not aligned to ${space.unit}`);
  if (d.stride === undefined) {
    if (d.count !== 1) fail(d, `column stride: an array of ${d.count} needs a stride`);
  } else if (d.stride < space.unit || d.stride % space.unit !== 0) {
    fail(d, `column stride: ${hex(d.stride)} is not a positive multiple of ${space.unit}`);
  }
  const last = d.offset + (d.count - 1) * (d.stride ?? 0);
  if (last + space.unit > space.size) {
    fail(d, `${d.name} ends at ${hex(last + space.unit)}, past the ${space.label} size ${hex(space.size)}`);
  }
}

/**
 * Names: a name may appear on several rows only as segments of one array with disjoint index
 * ranges (RAL 0-15 and 16-31). Alternative names must not collide with any other name.
 * Returns the segments of every primary name.
 */
export function checkNames(drafts: readonly RegisterDraft[]): Map<string, RegisterDraft[]> {
  const segments = new Map<string, RegisterDraft[]>();
  for (const d of drafts) {
    const previous = segments.get(d.name) ?? [];
    for (const p of previous) checkSegment(d, p);
    segments.set(d.name, [...previous, d]);
  }
  const altOwner = new Map<string, RegisterDraft>();
  for (const d of drafts) {
    for (const alt of d.altNames) {
      const clash = segments.get(alt)?.[0] ?? altOwner.get(alt);
      if (clash !== undefined && clash.name !== d.name) {
        fail(d, `alternative name ${alt} is already used by ${clash.name} (line ${clash.line})`);
      }
      altOwner.set(alt, d);
    }
  }
  return segments;
}

function checkSegment(d: RegisterDraft, p: RegisterDraft): void {
  if (!isArray(d) || !isArray(p)) fail(d, `duplicate register name ${d.name} (line ${p.line})`);
  const disjoint = d.indexBase >= p.indexBase + p.count || p.indexBase >= d.indexBase + d.count;
  if (!disjoint) {
    fail(d, `duplicate register name ${d.name}: indexes ${d.indexBase}..${d.indexBase + d.count - 1}`
      + ` repeat those of line ${p.line}`);
  }
}

/** alias_of and fields_like must name a register that is not itself an alias or borrower. */
export function checkReferences(drafts: readonly RegisterDraft[], segments: ReadonlyMap<string, RegisterDraft[]>): void {
  for (const d of drafts) {
    if (d.aliasOf !== undefined && d.fieldsLike !== undefined) fail(d, 'alias_of and fields_like exclude each other');
    if (d.aliasOf !== undefined) checkAlias(d, d.aliasOf, segments);
    if (d.fieldsLike !== undefined) {
      const target = segments.get(d.fieldsLike)?.[0];
      if (target === undefined) fail(d, `column fields_like: unknown register ${d.fieldsLike}`);
      if (target.fieldsLike !== undefined || target.aliasOf !== undefined) {
        fail(d, `column fields_like: ${d.fieldsLike} borrows its own fields`);
      }
    }
  }
}

function checkAlias(d: RegisterDraft, targetName: string, segments: ReadonlyMap<string, RegisterDraft[]>): void {
  const targets = segments.get(targetName);
  if (targets === undefined) fail(d, `column alias_of: unknown register ${targetName}`);
  if (targets.some((t) => t.aliasOf !== undefined)) fail(d, `column alias_of: ${targetName} is itself an alias`);
  for (const { index } of elements(d)) {
    const covered = targets.some((t) => isArray(t) === isArray(d) && index >= t.indexBase && index < t.indexBase + t.count);
    if (!covered) fail(d, `column alias_of: ${displayName(d, index)} has no counterpart in ${targetName}`);
  }
}
