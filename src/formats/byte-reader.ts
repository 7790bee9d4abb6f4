// Reading printf-formatted text straight from bytes, without regular expressions or strings: the one
// home of the literal and number readers the trace parsers use, on their hot paths and off them.

import { CH_SPACE, DECIMAL_DIGIT, HEX_DIGIT } from './chars.js';

/** Above 13 hex digits a double can no longer hold every value exactly. */
export const MAX_HEX_DIGITS = 13;
/** Above 15 decimal digits a double can no longer hold every value exactly. */
export const MAX_DECIMAL_DIGITS = 15;

/** A literal as little-endian 32-bit words plus leftover bytes, compared four bytes at a time. */
export class ByteLiteral {
  readonly length: number;
  private readonly bytes: Buffer;
  private readonly words: Uint32Array;
  private readonly tail: Uint8Array;

  constructor(readonly text: string) {
    this.bytes = Buffer.from(text, 'latin1');
    this.length = this.bytes.length;
    const wordCount = this.length >> 2;
    this.words = new Uint32Array(wordCount);
    for (let i = 0; i < wordCount; i++) this.words[i] = this.bytes.readUInt32LE(i * 4);
    this.tail = this.bytes.subarray(wordCount * 4);
  }

  /** The literal's byte at `index`, to tell literals apart by one byte before comparing all. */
  byteAt(index: number): number {
    return this.bytes[index]!;
  }

  matches(bytes: Uint8Array, view: DataView, pos: number, end: number): boolean {
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

const NO_BYTES = Buffer.alloc(0);

/**
 * A cursor over `bytes[pos, end)` (usually one line). The number readers return -1, leaving the
 * cursor where it was, when there is no number or more digits than a double holds exactly.
 */
export class ByteReader {
  bytes: Buffer = NO_BYTES;
  view: DataView = new DataView(NO_BYTES.buffer, 0, 0);
  pos = 0;
  end = 0;

  /** Points the reader at `bytes[pos, end)`; `view` must be a DataView of all of `bytes`. */
  reset(bytes: Buffer, view: DataView, pos: number, end: number): this {
    this.bytes = bytes;
    this.view = view;
    this.pos = pos;
    this.end = end;
    return this;
  }

  /** Like reset, making the DataView only when `bytes` is not the buffer already in use. */
  on(bytes: Buffer, pos: number, end: number): this {
    const view = bytes === this.bytes ? this.view : new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return this.reset(bytes, view, pos, end);
  }

  /** Consumes `literal` if the text continues with it. */
  lit(literal: ByteLiteral): boolean {
    if (!literal.matches(this.bytes, this.view, this.pos, this.end)) return false;
    this.pos += literal.length;
    return true;
  }

  /** Consumes the byte `code` if it is next. */
  byte(code: number): boolean {
    if (this.pos >= this.end || this.bytes[this.pos] !== code) return false;
    this.pos++;
    return true;
  }

  /** Unsigned decimal of at most `maxDigits` digits. */
  decimal(maxDigits = MAX_DECIMAL_DIGITS): number {
    return this.digits(DECIMAL_DIGIT, 10, maxDigits);
  }

  /** Hex digits without a `0x` prefix. */
  hex(): number {
    return this.digits(HEX_DIGIT, 16, MAX_HEX_DIGITS);
  }

  /** `0x` followed by hex digits. */
  hex0x(): number {
    return this.lit(ZERO_X) ? this.hex() : -1;
  }

  /** The text up to the next space (or the end), consumed; empty at a space or the end. */
  word(): string {
    const space = this.bytes.indexOf(CH_SPACE, this.pos);
    const stop = space < 0 || space > this.end ? this.end : space;
    const word = this.bytes.toString('latin1', this.pos, stop);
    this.pos = stop;
    return word;
  }

  /** At the end, ignoring trailing spaces. */
  atEnd(): boolean {
    let pos = this.pos;
    while (pos < this.end && this.bytes[pos] === CH_SPACE) pos++;
    return pos === this.end;
  }

  /** The number the digits at the cursor make in `base`; `digits` gives each byte's digit value or -1. */
  private digits(digits: Int8Array, base: number, maxDigits: number): number {
    const bytes = this.bytes;
    const start = this.pos;
    let pos = start;
    let value = 0;
    for (; pos < this.end; pos++) {
      const digit = digits[bytes[pos]!]!;
      if (digit < 0) break;
      value = value * base + digit;
    }
    if (pos === start || pos - start > maxDigits) return -1;
    this.pos = pos;
    return value;
  }
}

const ZERO_X = new ByteLiteral('0x');
