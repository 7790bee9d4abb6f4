// First stage of parsing a block of whole lines: find every line and decode the core_read /
// core_write lines (nine in ten) into numbers. The result is plain typed arrays, so this stage can
// run in a worker thread and hand its work over without copying (see scan-worker.ts); the second
// stage (QemuLogParser.consume) builds records from it on the main thread. In-thread parsing uses
// the same two stages, so both ways give the same records by construction.

import { Ch } from '../chars.js';
import type { FastCoreLine } from './fast-core.js';
import type { LineClassifier } from './line-classifier.js';

/** Per-line fields, in this order, in `BlockScan.fields`. */
export const FIELD_KIND = 0;
export const FIELD_OFFSET = 1;
export const FIELD_SIZE = 2;
export const FIELD_VALUE = 3;
export const FIELD_TIME = 4;
export const FIELD_THREAD = 5;
export const FIELD_STYLE = 6;
/** The line's index within its block. */
export const FIELD_LINE = 7;
/** For lines other than core accesses: the index of the line's newline. */
export const FIELD_END = 8;
export const FIELDS_PER_LINE = 9;

/**
 * FIELD_KIND values. For LINE_EVENT lines FIELD_OFFSET / FIELD_SIZE hold the event name's start
 * and end and FIELD_VALUE its nameHash; the time fields are set too. FIELD_STYLE holds the
 * prefix's style code (prefix.ts).
 */
export const LINE_OTHER = 0;
export const LINE_CORE_READ = 1;
export const LINE_CORE_WRITE = 2;
/** An event line of the device's families (or the NIC's pci_cfg line). */
export const LINE_EVENT = 3;

export interface BlockScan {
  /** Number of lines stored. */
  count: number;
  /** Number of lines in the block, stored or not. */
  lines: number;
  /** `count + 1` entries: the start of each stored line and, last, the end of the block. */
  starts: Int32Array;
  /** FIELDS_PER_LINE numbers per line; only FIELD_KIND is set for LINE_OTHER lines. */
  fields: Float64Array;
}

export function createBlockScan(capacityLines = 4096): BlockScan {
  return { count: 0, lines: 0, starts: new Int32Array(capacityLines + 1), fields: new Float64Array(capacityLines * FIELDS_PER_LINE) };
}

/** Scans `bytes[start, end)`, which holds whole lines, each ending in `\n`, into `out` (grown as needed). */
export function scanBlock(fast: FastCoreLine, classifier: LineClassifier, bytes: Buffer, start: number, end: number,
  out: BlockScan): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count = 0;
  let lines = 0;
  let pos = start;
  for (; pos < end; lines++) {
    if (count + 1 >= out.starts.length) grow(out);
    out.starts[count] = pos;
    const base = count * FIELDS_PER_LINE;
    const fields = out.fields;
    fields[base + FIELD_LINE] = lines;
    const next = fast.match(bytes, view, pos, end);
    if (next > 0) {
      const prefix = fast.prefix;
      fields[base + FIELD_KIND] = fast.kind === 'read' ? LINE_CORE_READ : LINE_CORE_WRITE;
      fields[base + FIELD_OFFSET] = fast.offset;
      fields[base + FIELD_SIZE] = fast.size;
      fields[base + FIELD_VALUE] = fast.value;
      fields[base + FIELD_TIME] = prefix.timeUs;
      fields[base + FIELD_THREAD] = prefix.thread;
      fields[base + FIELD_STYLE] = prefix.style;
      pos = next;
    } else {
      const newline = bytes.indexOf(Ch.Newline, pos);
      fields[base + FIELD_END] = newline;
      const stored = classifier.classify(bytes, view, pos, newline, fields, base);
      pos = newline + 1;
      // Lines not about the device are counted by the classifier, not stored.
      if (!stored) continue;
    }
    count++;
  }
  out.starts[count] = end;
  out.count = count;
  out.lines = lines;
}

function grow(out: BlockScan): void {
  const starts = new Int32Array(out.starts.length * 2);
  starts.set(out.starts);
  const fields = new Float64Array(out.fields.length * 2);
  fields.set(out.fields);
  out.starts = starts;
  out.fields = fields;
}
