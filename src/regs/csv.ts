// Reads one database CSV into rows keyed by column name, each with its 1-based source line.
// `#` lines are comments (sources and conventions live there); a `#` inside a line is ordinary text.

import { createRequire } from 'node:module';
import { RegisterDatabaseError } from './errors.js';

/**
 * csv-parse is loaded on first use: a build of dist/ reads its tables from the build's cache
 * (tables-cache.ts), and then a command never needs the parser or its ~10 ms of loading.
 */
const requireCsvParse = (): typeof import('csv-parse/sync') => createRequire(import.meta.url)('csv-parse/sync') as typeof import('csv-parse/sync');

export interface CsvSource {
  /** Name used in error messages, e.g. `src/regs/igb-fields.csv`. */
  readonly file: string;
  readonly text: string;
}

export interface CsvRow {
  readonly file: string;
  /** 1-based line of the record in the file. */
  readonly line: number;
  readonly cells: ReadonlyMap<string, string>;
}

interface ParsedRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/** Parses `source`; its header must name exactly `columns` (in any order). */
export function readCsv(source: CsvSource, columns: readonly string[]): CsvRow[] {
  const records = parseRecords(source);
  const header = records[0];
  if (header === undefined) throw new RegisterDatabaseError(source.file, undefined, 'no header row');
  checkHeader(source.file, header, columns);
  return records.slice(1).map(({ record, info }) => ({
    file: source.file,
    line: info.lines,
    cells: new Map(header.record.map((name, i) => [name, record[i] ?? ''])),
  }));
}

function parseRecords(source: CsvSource): ParsedRecord[] {
  try {
    // With `info: true` csv-parse yields { record, info } objects, which its typings do not model.
    const raw: unknown[] = requireCsvParse().parse(source.text, {
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
    });
    return raw.map((r) => {
      if (!isParsedRecord(r)) throw new Error('csv-parse returned a record without line information');
      return r;
    });
  } catch (err) {
    // csv-parse errors carry the line they stopped at; keep our file:line format.
    const line = (err as { lines?: unknown }).lines;
    const message = err instanceof Error ? err.message : String(err);
    throw new RegisterDatabaseError(source.file, typeof line === 'number' ? line : undefined, message);
  }
}

function isParsedRecord(value: unknown): value is ParsedRecord {
  if (typeof value !== 'object' || value === null) return false;
  const { record, info } = value as { record?: unknown; info?: { lines?: unknown } };
  return Array.isArray(record) && typeof info?.lines === 'number';
}

function checkHeader(file: string, header: ParsedRecord, columns: readonly string[]): void {
  const names = header.record;
  const missing = columns.filter((c) => !names.includes(c));
  const unknown = names.filter((c) => !columns.includes(c));
  if (missing.length > 0 || unknown.length > 0) {
    const parts = [
      missing.length > 0 ? `missing column(s) ${missing.join(', ')}` : '',
      unknown.length > 0 ? `unknown column(s) ${unknown.join(', ')}` : '',
    ].filter((p) => p !== '');
    throw new RegisterDatabaseError(file, header.info.lines, `bad header: ${parts.join('; ')}`);
  }
}
