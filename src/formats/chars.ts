// Character codes the trace readers test bytes against. Traces are read as latin1, so a byte and
// the char code of its character are the same number.
//
// A const enum, so that tsc writes the numbers themselves into the hot loops: V8 reads an imported
// binding through a cell on every use, and the scan measured 15-20% slower with imported consts.
// (Constants a hot loop needs that cannot be literals, like lookup tables, stay module-local.)

export const enum Ch {
  Newline = 0x0a,
  CR = 0x0d,
  Space = 0x20,
  ParenOpen = 0x28,
  ParenClose = 0x29,
  Comma = 0x2c,
  Dash = 0x2d,
  Dot = 0x2e,
  Digit0 = 0x30,
  Digit9 = 0x39,
  Colon = 0x3a,
  At = 0x40,
  UpperA = 0x41,
  UpperR = 0x52,
  UpperW = 0x57,
  UpperZ = 0x5a,
  BracketOpen = 0x5b,
  BracketClose = 0x5d,
  Underscore = 0x5f,
  LowerA = 0x61,
  LowerF = 0x66,
  LowerZ = 0x7a,
}

export function isDigit(byte: number): boolean {
  return byte >= Ch.Digit0 && byte <= Ch.Digit9;
}

/**
 * A byte of an event name: QEMU's trace-events names are `[a-z0-9_]`; upper case is accepted so
 * that such a line is still read as an event.
 */
export function isNameByte(byte: number): boolean {
  return (byte >= Ch.LowerA && byte <= Ch.LowerZ) || (byte >= Ch.Digit0 && byte <= Ch.Digit9) || byte === Ch.Underscore
    || (byte >= Ch.UpperA && byte <= Ch.UpperZ);
}
