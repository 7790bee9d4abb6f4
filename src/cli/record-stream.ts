// Record sinks for `parse --jsonl` and `parse --csv`: render each record as it arrives and write
// in batches (one write per ~64 KiB instead of one per record), never holding more than a batch.

import { createRequire } from 'node:module';
import type { Access, Marker } from '../model/access.js';
import type { RegisterDatabase } from '../regs/database.js';
import { CSV_COLUMNS, accessCsvRow, accessJson, markerJson, type NameOf } from '../report/records.js';
import { databaseName } from '../regs/naming.js';
import type { Output } from './output.js';

/** csv-stringify is loaded by the CSV sink only: every `parse` would otherwise pay its ~10-20 ms of loading. */
const loadStringify = (): typeof import('csv-stringify/sync').stringify =>
  (createRequire(import.meta.url)('csv-stringify/sync') as typeof import('csv-stringify/sync')).stringify;

const BATCH_CHARS = 1 << 16;
const BATCH_ROWS = 512;

export interface StreamingSink {
  access(a: Access): void;
  marker(m: Marker): void;
  /** Writes what is still batched. */
  flush(): void;
}

/** Register names for accesses: the database name of the register reached, where it has one. */
export function registerNamer(db: RegisterDatabase): NameOf {
  return (a) => databaseName(db, a);
}

export function jsonlSink(out: Output, nameOf: NameOf): StreamingSink {
  let batch: string[] = [];
  let chars = 0;
  const push = (line: string): void => {
    batch.push(line);
    chars += line.length;
    if (chars >= BATCH_CHARS) flush();
  };
  const flush = (): void => {
    if (batch.length === 0) return;
    out.write(batch.join(''));
    batch = [];
    chars = 0;
  };
  return {
    access: (a) => push(`${JSON.stringify(accessJson(a, nameOf(a)))}\n`),
    marker: (m) => push(`${JSON.stringify(markerJson(m))}\n`),
    flush,
  };
}

/**
 * CSV through csv-stringify rather than joining fields by hand: it quotes and escapes fields
 * containing commas, quotes or newlines exactly as RFC 4180 readers (and csv-parse, which reads
 * our register tables) expect, and it is maintained together with csv-parse.
 */
export function csvSink(out: Output, nameOf: NameOf): StreamingSink {
  const stringify = loadStringify();
  let rows: string[][] = [];
  // The header goes out with the first rows (or at the end), so an input that fails to open
  // leaves stdout empty rather than holding a lone header.
  let header = false;
  const flush = (): void => {
    if (!header) rows.unshift([...CSV_COLUMNS]);
    header = true;
    if (rows.length === 0) return;
    out.write(stringify(rows));
    rows = [];
  };
  return {
    access: (a) => {
      rows.push(accessCsvRow(a, nameOf(a)));
      if (rows.length >= BATCH_ROWS) flush();
    },
    // CSV is the access stream only; markers are in --jsonl.
    marker: () => undefined,
    flush,
  };
}
