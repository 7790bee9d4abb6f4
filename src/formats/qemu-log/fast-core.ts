// The parser's hot path: recognising a well-formed `e1000e_core_read` / `e1000e_core_write` line
// (nine in ten lines of a trace) directly on the bytes, four at a time, with its optional
// timestamp prefix. Anything unusual returns -1 and goes to the general path, which also reports
// malformed lines; so this only has to be fast and never accept a line the general path would
// reject (or read differently).

import type { AccessKind } from '../../model/access.js';
import { ByteLiteral, ByteReader } from '../byte-reader.js';
import { CH_0, CH_9, CH_COMMA, CH_NEWLINE, CH_SPACE } from '../chars.js';
import { LinePrefix } from './prefix.js';

const READ_LEAD = new ByteLiteral('e1000e_core_read Read from register 0x');
const WRITE_LEAD = new ByteLiteral('e1000e_core_write Write to register 0x');
const SIZE_LEAD = new ByteLiteral(' byte(s), value: 0x');
/** The first byte of both leads: a line that starts with it has no prefix. */
const LEAD_FIRST = READ_LEAD.byteAt(0);
/** The byte that tells read (`r`) from write (`w`) after the shared `e1000e_core_`. */
const KIND_BYTE = 12;
const READ_KIND = READ_LEAD.byteAt(KIND_BYTE);
const WRITE_KIND = WRITE_LEAD.byteAt(KIND_BYTE);

/** Result fields of the last successful `match`. */
export class FastCoreLine {
  kind: AccessKind = 'read';
  offset = 0;
  size = 0;
  value = 0;
  /** The line's timestamp prefix, if any. */
  readonly prefix = new LinePrefix();
  private readonly reader = new ByteReader();

  /** Matches the line at `start` (`view` is a DataView of all of `bytes`); returns the start of the next line, or -1. */
  match(bytes: Buffer, view: DataView, start: number, end: number): number {
    const r = this.reader.reset(bytes, view, start, end);
    const first = bytes[start]!;
    if (first === LEAD_FIRST) this.prefix.clear();
    else if (first < CH_0 || first > CH_9 || !this.prefix.readTimestamp(r)) return -1;
    const kindByte = bytes[r.pos + KIND_BYTE];
    if (kindByte === READ_KIND && r.lit(READ_LEAD)) this.kind = 'read';
    else if (kindByte === WRITE_KIND && r.lit(WRITE_LEAD)) this.kind = 'write';
    else return -1;
    this.offset = r.hex();
    if (this.offset < 0 || !r.byte(CH_COMMA) || !r.byte(CH_SPACE)) return -1;
    this.size = r.decimal();
    if (this.size < 0 || !r.lit(SIZE_LEAD)) return -1;
    this.value = r.hex();
    if (this.value < 0 || !r.byte(CH_NEWLINE)) return -1;
    return r.pos;
  }
}
