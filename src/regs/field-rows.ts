// Reads a fields CSV and checks it against the registers: known register, bits inside the width,
// no two fields sharing a bit (so a decode lists every bit once), no repeated field name.

import type { FieldDef } from '../model/register.js';
import { RowReader } from './cells.js';
import type { CsvRow } from './csv.js';
import type { RegisterDraft } from './register-rows.js';

export const FIELD_COLUMNS = ['register', 'field', 'lo', 'hi', 'description'] as const;

interface PlacedField {
  readonly def: FieldDef;
  readonly line: number;
}

/** Field definitions per register name, sorted by lowest bit. */
export function parseFieldRows(
  rows: readonly CsvRow[],
  segments: ReadonlyMap<string, readonly RegisterDraft[]>,
): Map<string, FieldDef[]> {
  const placed = new Map<string, PlacedField[]>();
  for (const row of rows) {
    // Explicit type: lets TypeScript narrow after r.fail(), which never returns.
    const r: RowReader = new RowReader(row);
    const register = r.name('register');
    const target = segments.get(register)?.[0];
    if (target === undefined) r.fail(`field for unknown register ${register}`);
    const borrowed = target.aliasOf ?? target.fieldsLike;
    if (borrowed !== undefined) r.fail(`${register} takes its fields from ${borrowed}; list them there`);
    const field = readField(r, target.width);
    const list = placed.get(register) ?? [];
    checkAgainst(r, register, field, list);
    placed.set(register, [...list, { def: field, line: row.line }]);
  }
  return new Map([...placed].map(([name, list]) => [name, list.map((p) => p.def).sort((a, b) => a.lo - b.lo)]));
}

function readField(r: RowReader, width: number): FieldDef {
  const name = r.name('field');
  const lo = r.decimal('lo');
  const hi = r.decimal('hi');
  if (lo > hi) r.fail(`field ${name}: lo ${lo} is above hi ${hi}`);
  if (hi >= width) r.fail(`field ${name}: bits ${lo}..${hi} are outside 0..${width - 1}`);
  return { name, lo, hi, description: r.required('description') };
}

function checkAgainst(r: RowReader, register: string, field: FieldDef, others: readonly PlacedField[]): void {
  for (const o of others) {
    if (o.def.name === field.name) r.fail(`duplicate field ${register}.${field.name} (line ${o.line})`);
    if (field.lo <= o.def.hi && o.def.lo <= field.hi) {
      r.fail(`field ${register}.${field.name} (bits ${field.lo}..${field.hi}) overlaps`
        + ` ${o.def.name} (bits ${o.def.lo}..${o.def.hi}, line ${o.line})`);
    }
  }
}
