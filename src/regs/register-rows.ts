// Turns rows of a registers CSV into drafts: typed, but not yet checked against each other.

import type { FunctionalBlock, RegisterAccessType } from '../model/register.js';
import { RowReader } from './cells.js';
import type { CsvRow } from './csv.js';

export const REGISTER_COLUMNS = [
  'name', 'offset', 'count', 'stride', 'width', 'access', 'read_side_effect', 'volatile', 'block',
  'alias_of', 'fields_like', 'index_base', 'alt_names', 'description',
] as const;

export interface RegisterDraft {
  readonly file: string;
  readonly line: number;
  readonly name: string;
  readonly offset: number;
  readonly count: number;
  /** Absent for a scalar register. */
  readonly stride: number | undefined;
  readonly width: number;
  readonly access: RegisterAccessType;
  readonly readSideEffect: boolean;
  readonly volatile: boolean;
  readonly block: FunctionalBlock;
  readonly aliasOf: string | undefined;
  readonly fieldsLike: string | undefined;
  readonly indexBase: number;
  readonly altNames: readonly string[];
  readonly description: string;
}

export function parseRegisterRow(row: CsvRow): RegisterDraft {
  const r = new RowReader(row);
  const count = r.decimal('count');
  if (count < 1) r.fail('column count: must be at least 1');
  const indexBase = r.optionalDecimal('index_base');
  const stride = r.optionalHex('stride');
  if (indexBase !== undefined && stride === undefined) r.fail('column index_base: only arrays have an index base');
  return {
    file: row.file,
    line: row.line,
    name: r.name('name'),
    offset: r.hex('offset'),
    count,
    stride,
    width: r.decimal('width'),
    access: r.access('access'),
    readSideEffect: r.yesNo('read_side_effect'),
    volatile: r.yesNo('volatile'),
    block: r.block('block'),
    aliasOf: r.optionalName('alias_of'),
    fieldsLike: r.optionalName('fields_like'),
    indexBase: indexBase ?? 0,
    altNames: parseAltNames(r),
    description: r.required('description'),
  };
}

function parseAltNames(r: RowReader): string[] {
  const text = r.text('alt_names');
  if (text === '') return [];
  const names = text.split(/\s+/);
  for (const n of names) {
    if (!/^[A-Z0-9][A-Z0-9_]*$/.test(n)) r.fail(`column alt_names: bad name '${n}'`);
  }
  return names;
}

/** Byte offset (or register number) of every element, paired with its index. */
export function* elements(d: RegisterDraft): Generator<{ index: number; offset: number }> {
  for (let i = 0; i < d.count; i++) {
    yield { index: d.indexBase + i, offset: d.offset + i * (d.stride ?? 0) };
  }
}

export function isArray(d: RegisterDraft): boolean {
  return d.stride !== undefined;
}

export function displayName(d: RegisterDraft, index: number): string {
  return isArray(d) ? `${d.name}(${index})` : d.name;
}
