// Bit-field decoding of register values: field values, a compact `FD=1 LU=1 SPEED=2` rendering,
// and the per-field difference between an expected and an actual value.

import type { DecodedField, FieldDef, RegisterDef } from '../model/register.js';

export interface DecodeOptions {
  /** Also report set bits that no field covers, as synthetic `bit[n]` / `bits[hi:lo]` fields. */
  readonly undefinedBits?: boolean;
}

export interface FieldDiff {
  readonly field: FieldDef;
  readonly expected: number;
  readonly actual: number;
}

/** The field's value, right-aligned. `value` is taken as an unsigned 32-bit number. */
export function fieldValue(field: FieldDef, value: number): number {
  const bits = field.hi - field.lo + 1;
  // 2**32-1 becomes -1 under `&`, which keeps all bits; `>>> 0` makes the result unsigned again.
  const mask = bits >= 32 ? 0xffffffff : 2 ** bits - 1;
  return ((value >>> field.lo) & mask) >>> 0;
}

export function decodeValue(def: RegisterDef, value: number, options: DecodeOptions = {}): DecodedField[] {
  const fields = options.undefinedBits === true && def.fields.length > 0
    ? [...def.fields, ...uncoveredRuns(def, value)].sort((a, b) => a.lo - b.lo)
    : def.fields;
  return fields.map((field) => ({ field, value: fieldValue(field, value) }));
}

/**
 * Fields whose values differ, in bit order. Differing bits outside every field are reported as
 * synthetic `bit[n]`/`bits[hi:lo]` fields so no difference is lost. Registers without field
 * definitions give an empty list: compare their whole values instead.
 */
export function diffValues(def: RegisterDef, expected: number, actual: number): FieldDiff[] {
  const changed = (expected ^ actual) >>> 0;
  if (def.fields.length === 0 || changed === 0) return [];
  return [...def.fields, ...uncoveredRuns(def, changed)]
    .sort((a, b) => a.lo - b.lo)
    .map((field) => ({ field, expected: fieldValue(field, expected), actual: fieldValue(field, actual) }))
    .filter((d) => d.expected !== d.actual);
}

/** `FD=1 LU=1 SPEED=2`: non-zero fields only unless `all` is set. */
export function formatDecoded(decoded: readonly DecodedField[], options: { readonly all?: boolean } = {}): string {
  return decoded
    .filter((d) => options.all === true || d.value !== 0)
    .map((d) => `${d.field.name}=${formatFieldValue(d.value)}`)
    .join(' ');
}

/** Small values in decimal (flags, speed codes), larger ones in hex (addresses, data). */
export function formatFieldValue(value: number): string {
  return value < 10 ? String(value) : `0x${value.toString(16)}`;
}

/** `STATUS.LU: expected 1, got 0` */
export function formatFieldDiff(registerName: string, diff: FieldDiff): string {
  return `${registerName}.${diff.field.name}: expected ${formatFieldValue(diff.expected)}, `
    + `got ${formatFieldValue(diff.actual)}`;
}

/** Maximal runs of set bits of `bits` (within the register width) that no field covers. */
function uncoveredRuns(def: RegisterDef, bits: number): FieldDef[] {
  const covered = def.fields.reduce((m, f) => m | fieldMask(f), 0);
  const loose = bits & ~covered;
  const runs: FieldDef[] = [];
  for (let bit = 0; bit < def.width; bit++) {
    if (((loose >>> bit) & 1) === 0) continue;
    let hi = bit;
    while (hi + 1 < def.width && ((loose >>> (hi + 1)) & 1) === 1) hi++;
    const name = hi === bit ? `bit[${bit}]` : `bits[${hi}:${bit}]`;
    runs.push({ name, lo: bit, hi, description: 'bits outside every known field' });
    bit = hi;
  }
  return runs;
}

function fieldMask(field: FieldDef): number {
  return (fieldValue(field, 0xffffffff) * 2 ** field.lo) | 0;
}
