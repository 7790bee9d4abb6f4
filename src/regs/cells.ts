// Typed access to the cells of one CSV row. Every bad cell throws a RegisterDatabaseError naming
// the file, the line and the column, so a typo in the data is found at load time, not in a report.

import {
  FUNCTIONAL_BLOCKS, REGISTER_ACCESS_TYPES,
  type FunctionalBlock, type RegisterAccessType,
} from '../model/register.js';
import type { CsvRow } from './csv.js';
import { RegisterDatabaseError } from './errors.js';

const HEX = /^0x[0-9a-f]+$/i;
const DECIMAL = /^[0-9]+$/;
const NAME = /^[A-Z0-9][A-Z0-9_]*$/;

export class RowReader {
  constructor(readonly row: CsvRow) {}

  /** Throws for this row: `file:line: message`. */
  fail(message: string): never {
    throw new RegisterDatabaseError(this.row.file, this.row.line, message);
  }

  text(column: string): string {
    return this.row.cells.get(column) ?? '';
  }

  required(column: string): string {
    const value = this.text(column);
    if (value === '') this.fail(`column ${column}: missing value`);
    return value;
  }

  /** Upper-case identifier such as `RDBAL_A` or `2P5_SKU`. */
  name(column: string): string {
    const value = this.required(column);
    if (!NAME.test(value)) this.fail(`column ${column}: bad name '${value}' (want A-Z, 0-9 and _)`);
    return value;
  }

  optionalName(column: string): string | undefined {
    return this.text(column) === '' ? undefined : this.name(column);
  }

  hex(column: string): number {
    const value = this.required(column);
    if (!HEX.test(value)) this.fail(`column ${column}: bad hex number '${value}' (want 0x...)`);
    return Number.parseInt(value.slice(2), 16);
  }

  optionalHex(column: string): number | undefined {
    return this.text(column) === '' ? undefined : this.hex(column);
  }

  decimal(column: string): number {
    const value = this.required(column);
    if (!DECIMAL.test(value)) this.fail(`column ${column}: bad number '${value}'`);
    return Number.parseInt(value, 10);
  }

  optionalDecimal(column: string): number | undefined {
    return this.text(column) === '' ? undefined : this.decimal(column);
  }

  yesNo(column: string): boolean {
    const value = this.required(column);
    if (value !== 'yes' && value !== 'no') this.fail(`column ${column}: want yes or no, got '${value}'`);
    return value === 'yes';
  }

  access(column: string): RegisterAccessType {
    return this.oneOf(column, REGISTER_ACCESS_TYPES);
  }

  block(column: string): FunctionalBlock {
    return this.oneOf(column, FUNCTIONAL_BLOCKS);
  }

  private oneOf<T extends string>(column: string, allowed: readonly T[]): T {
    const value = this.required(column);
    const found = allowed.find((a) => a === value);
    if (found === undefined) this.fail(`column ${column}: unknown value '${value}' (want ${allowed.join(', ')})`);
    return found;
  }
}
