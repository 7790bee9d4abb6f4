// The parser's hot path: recognising a well-formed `e1000e_core_read` / `e1000e_core_write` line
// (nine in ten lines of a trace) directly on the bytes, four at a time, with its optional
// timestamp prefix. Anything unusual returns -1 and goes to the general (string) path, which
// also reports malformed lines; so this only has to be fast and never accept a line the general
// path would reject.

import type { AccessKind } from '../../model/access.js';
import { BytePrefix } from './byte-prefix.js';

const CH_0 = 48;
const CH_9 = 57;
const CH_A = 97;
const CH_E = 101;
const CH_NEWLINE = 10;
const MAX_HEX_DIGITS = 13;

/** A literal as little-endian 32-bit words plus leftover bytes, for comparison with DataView reads. */
export class ByteLiteral {
  readonly length: number;
  private readonly words: Uint32Array;
  private readonly tail: Uint8Array;

  constructor(text: string) {
    const bytes = Buffer.from(text, 'latin1');
    this.length = bytes.length;
    const wordCount = bytes.length >> 2;
    this.words = new Uint32Array(wordCount);
    for (let i = 0; i < wordCount; i++) this.words[i] = bytes.readUInt32LE(i * 4);
    this.tail = bytes.subarray(wordCount * 4);
  }

  matches(bytes: Buffer, view: DataView, pos: number, end: number): boolean {
    if (pos + this.length > end) return false;
    const words = this.words;
    for (let i = 0; i < words.length; i++) {
      if (view.getUint32(pos + i * 4, true) !== words[i]) return false;
    }
    const tail = this.tail;
    const tailStart = pos + words.length * 4;
    for (let i = 0; i < tail.length; i++) {
      if (bytes[tailStart + i] !== tail[i]) return false;
    }
    return true;
  }
}

/** Digit value of each byte for lower-case hex (printf %x), -1 for any other byte. */
const HEX_DIGIT = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX_DIGIT[CH_0 + i] = i;
for (let i = 0; i < 6; i++) HEX_DIGIT[CH_A + i] = 10 + i;

/** Byte 12 of the line tells read (`r`) from write (`w`) after the shared `e1000e_core_`. */
const KIND_BYTE = 12;
const CH_R = 114;
const CH_W = 119;

const READ_LEAD = new ByteLiteral('e1000e_core_read Read from register 0x');
const WRITE_LEAD = new ByteLiteral('e1000e_core_write Write to register 0x');
const SIZE_LEAD = new ByteLiteral(' byte(s), value: 0x');

/** Result fields of the last successful `match`. */
export class FastCoreLine {
  kind: AccessKind = 'read';
  offset = 0;
  size = 0;
  value = 0;
  /** The line's timestamp prefix, if any. */
  readonly prefix = new BytePrefix();
  private pos = 0;

  /** Matches the line at `start`; returns the start of the next line, or -1. */
  match(bytes: Buffer, view: DataView, start: number, end: number): number {
    let pos = start;
    if (bytes[pos] === CH_E) {
      this.prefix.clear();
    } else {
      pos = this.prefix.read(bytes, pos, end);
      if (pos < 0) return -1;
    }
    const kindByte = bytes[pos + KIND_BYTE];
    if (kindByte === CH_R && READ_LEAD.matches(bytes, view, pos, end)) {
      this.kind = 'read';
      this.pos = pos + READ_LEAD.length;
    } else if (kindByte === CH_W && WRITE_LEAD.matches(bytes, view, pos, end)) {
      this.kind = 'write';
      this.pos = pos + WRITE_LEAD.length;
    } else {
      return -1;
    }
    this.offset = this.hex(bytes, end);
    if (this.offset < 0 || bytes[this.pos] !== 44 || bytes[this.pos + 1] !== 32) return -1;
    this.pos += 2;
    this.size = this.decimal(bytes, end);
    if (this.size < 0 || !SIZE_LEAD.matches(bytes, view, this.pos, end)) return -1;
    this.pos += SIZE_LEAD.length;
    this.value = this.hex(bytes, end);
    if (this.value < 0 || bytes[this.pos] !== CH_NEWLINE) return -1;
    return this.pos + 1;
  }

  /** Lower-case hex digits, as printf's %x prints them; -1 if none or too many. */
  private hex(bytes: Buffer, end: number): number {
    const start = this.pos;
    let pos = start;
    let value = 0;
    while (pos < end) {
      const digit = HEX_DIGIT[bytes[pos]!]!;
      if (digit < 0) break;
      value = value * 16 + digit;
      pos++;
    }
    if (pos === start || pos - start > MAX_HEX_DIGITS) return -1;
    this.pos = pos;
    return value;
  }

  private decimal(bytes: Buffer, end: number): number {
    const start = this.pos;
    let pos = start;
    let value = 0;
    while (pos < end) {
      const code = bytes[pos]!;
      if (code < CH_0 || code > CH_9) break;
      value = value * 10 + (code - CH_0);
      pos++;
    }
    if (pos === start || pos - start > 15) return -1;
    this.pos = pos;
    return value;
  }
}
