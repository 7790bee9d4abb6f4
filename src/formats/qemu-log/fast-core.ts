// The parser's hot path: recognising a well-formed `e1000e_core_read` / `e1000e_core_write` line
// (nine in ten lines of a trace) directly on the bytes, four at a time, from its event name (the
// parser has read the line's prefix). Anything unusual returns -1 and goes on to the classifier
// and the general path, which also reports malformed lines; so this only has to be fast and never
// accept a line the general path would reject (or read differently). The position is kept in a local variable, not in a cursor object
// (see DigitReader).

import type { AccessKind } from '../../model/access.js';
import { ByteLiteral, DigitReader } from '../byte-reader.js';
import { Ch } from '../chars.js';

const READ_LEAD = new ByteLiteral('e1000e_core_read Read from register 0x');
const WRITE_LEAD = new ByteLiteral('e1000e_core_write Write to register 0x');
const SIZE_LEAD = new ByteLiteral(' byte(s), value: 0x');
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
  private readonly digits = new DigitReader();

  /**
   * Matches the rest of a line from its event name at `pos` (after any prefix; `view` is a DataView
   * of all of `bytes`); returns the start of the next line, or -1.
   */
  match(bytes: Buffer, view: DataView, start: number, end: number): number {
    let pos = start;
    const kindByte = bytes[pos + KIND_BYTE];
    if (kindByte === READ_KIND && READ_LEAD.matches(bytes, view, pos, end)) {
      this.kind = 'read';
      pos += READ_LEAD.length;
    } else if (kindByte === WRITE_KIND && WRITE_LEAD.matches(bytes, view, pos, end)) {
      this.kind = 'write';
      pos += WRITE_LEAD.length;
    } else {
      return -1;
    }
    const digits = this.digits;
    this.offset = digits.hex(bytes, pos, end);
    pos = digits.stop;
    if (this.offset < 0 || bytes[pos] !== Ch.Comma || bytes[pos + 1] !== Ch.Space) return -1;
    this.size = digits.decimal(bytes, pos + 2, end);
    pos = digits.stop;
    if (this.size < 0 || !SIZE_LEAD.matches(bytes, view, pos, end)) return -1;
    this.value = digits.hex(bytes, pos + SIZE_LEAD.length, end);
    const stop = digits.stop;
    if (this.value < 0 || bytes[stop] !== Ch.Newline) return -1;
    return stop + 1;
  }
}
