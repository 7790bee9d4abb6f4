// A cursor over one line of a chunk string, for reading QEMU's printf-formatted event arguments
// without regular expressions or substring allocation (the parser's hot path).

const CH_0 = 48;
const CH_9 = 57;
const CH_LOWER_A = 97;
const CH_LOWER_F = 102;
const CH_UPPER_A = 65;
const CH_UPPER_F = 70;
const CH_SPACE = 32;
/** Above 13 hex digits a double can no longer hold every value exactly. */
const MAX_HEX_DIGITS = 13;

export class LineScanner {
  text = '';
  pos = 0;
  end = 0;

  reset(text: string, pos: number, end: number): this {
    this.text = text;
    this.pos = pos;
    this.end = end;
    return this;
  }

  /** Consumes `literal` if the line continues with it. */
  lit(literal: string): boolean {
    if (this.pos + literal.length > this.end || !this.text.startsWith(literal, this.pos)) return false;
    this.pos += literal.length;
    return true;
  }

  /** Hex digits without a `0x` prefix; NaN if there are none or too many. */
  hex(): number {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    let value = 0;
    for (; pos < this.end; pos++) {
      const code = text.charCodeAt(pos);
      let digit: number;
      if (code >= CH_0 && code <= CH_9) digit = code - CH_0;
      else if (code >= CH_LOWER_A && code <= CH_LOWER_F) digit = code - CH_LOWER_A + 10;
      else if (code >= CH_UPPER_A && code <= CH_UPPER_F) digit = code - CH_UPPER_A + 10;
      else break;
      value = value * 16 + digit;
    }
    if (pos === start || pos - start > MAX_HEX_DIGITS) return NaN;
    this.pos = pos;
    return value;
  }

  /** `0x` followed by hex digits. */
  hex0x(): number {
    return this.lit('0x') ? this.hex() : NaN;
  }

  /** Unsigned decimal; NaN if none. */
  dec(): number {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    let value = 0;
    for (; pos < this.end; pos++) {
      const code = text.charCodeAt(pos);
      if (code < CH_0 || code > CH_9) break;
      value = value * 10 + (code - CH_0);
    }
    if (pos === start || pos - start > 15) return NaN;
    this.pos = pos;
    return value;
  }

  /** Reads up to the next space (exclusive); empty when at a space or the end. */
  word(): string {
    const space = this.text.indexOf(' ', this.pos);
    const stop = space < 0 || space > this.end ? this.end : space;
    const word = this.text.slice(this.pos, stop);
    this.pos = stop;
    return word;
  }

  /** At the end of the line, ignoring trailing spaces. */
  atEnd(): boolean {
    let pos = this.pos;
    while (pos < this.end && this.text.charCodeAt(pos) === CH_SPACE) pos++;
    return pos === this.end;
  }
}
