// Character codes and byte classes the trace readers test bytes against. Traces are read as latin1,
// so a byte and the char code of its character are the same number.

export const CH_NEWLINE = 0x0a;
export const CH_CR = 0x0d;
export const CH_SPACE = 0x20;
export const CH_PAREN_OPEN = 0x28;
export const CH_PAREN_CLOSE = 0x29;
export const CH_COMMA = 0x2c;
export const CH_DASH = 0x2d;
export const CH_DOT = 0x2e;
export const CH_0 = 0x30;
export const CH_9 = 0x39;
export const CH_COLON = 0x3a;
export const CH_AT = 0x40;
export const CH_UPPER_Z = 0x5a;
export const CH_BRACKET_OPEN = 0x5b;
export const CH_BRACKET_CLOSE = 0x5d;
export const CH_UNDERSCORE = 0x5f;
export const CH_LOWER_A = 0x61;
export const CH_LOWER_Z = 0x7a;

/** Value of each byte as a decimal digit, -1 for any other byte. */
export const DECIMAL_DIGIT = new Int8Array(256).fill(-1);
/** Value of each byte as a hex digit (either case: printf's %x prints lower case), -1 for any other byte. */
export const HEX_DIGIT = new Int8Array(256).fill(-1);
/**
 * 1 for the bytes of an event name (QEMU's trace-events names are `[a-z0-9_]`; upper case is
 * accepted so that such a line is still read as an event), 0 for the others.
 */
export const NAME_BYTE = new Uint8Array(256);

for (let i = 0; i < 10; i++) DECIMAL_DIGIT[CH_0 + i] = HEX_DIGIT[CH_0 + i] = i;
for (let i = 0; i < 6; i++) HEX_DIGIT[CH_LOWER_A + i] = HEX_DIGIT[CH_LOWER_A - 0x20 + i] = 10 + i;
for (const [from, to] of [['a', 'z'], ['A', 'Z'], ['0', '9'], ['_', '_']] as const) {
  NAME_BYTE.fill(1, from.charCodeAt(0), to.charCodeAt(0) + 1);
}
