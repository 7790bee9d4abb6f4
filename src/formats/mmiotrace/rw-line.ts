// The common mmiotrace line read straight from bytes: `R|W <width> <sec.usec> <map id> 0x<phys>
// 0x<value> 0x<pc> <pid>` exactly as mmio_print_rw writes it (see line.ts), with numbers a double
// holds exactly. Nine in ten lines of a trace are these; reading them without making a string and
// splitting it measured about 8x faster. Anything else returns undefined and parseMmiotraceLine
// reads the line (and reports it if malformed), so this never accepts a line that would be read
// differently there.

import { type ByteReader, DigitReader } from '../byte-reader.js';
import { Ch } from '../chars.js';
import type { RwLine } from './line.js';

/** `%u.%06lu`: the fraction has exactly six digits. */
const MICROS_DIGITS = 6;
/** `%d` of a map id or pid, as line.ts accepts it: an optional minus and up to ten digits. */
const MAX_INT_DIGITS = 10;

const digits = new DigitReader();

export function readRwLine(r: ByteReader): RwLine | undefined {
  const bytes = r.bytes;
  const kindByte = bytes[r.pos];
  if ((kindByte !== Ch.UpperR && kindByte !== Ch.UpperW) || bytes[r.pos + 1] !== Ch.Space) return undefined;
  const width = bytes[r.pos + 2]! - Ch.Digit0;
  r.pos += 3;
  if ((width !== 1 && width !== 2 && width !== 4 && width !== 8) || !r.byte(Ch.Space)) return undefined;
  const seconds = r.decimal();
  if (seconds < 0 || !r.byte(Ch.Dot)) return undefined;
  const fraction = r.pos;
  const micros = r.decimal();
  if (micros < 0 || r.pos - fraction !== MICROS_DIGITS || !r.byte(Ch.Space)) return undefined;
  const id = signedInt(r);
  if (Number.isNaN(id) || !r.byte(Ch.Space)) return undefined;
  const phys = r.hex0x();
  if (phys < 0 || !r.byte(Ch.Space)) return undefined;
  const value = r.hex0x();
  if (value < 0 || !r.byte(Ch.Space) || r.hex0x() < 0 || !r.byte(Ch.Space)) return undefined;
  const pid = signedInt(r);
  if (Number.isNaN(pid) || !r.atEnd()) return undefined;
  return {
    type: 'rw', kind: kindByte === Ch.UpperR ? 'read' : 'write', width, timeUs: seconds * 1_000_000 + micros, id, phys, value, pid,
  };
}

/** An optional `-` and up to ten digits, as Number() reads them (so `-0` is -0); NaN if none. */
function signedInt(r: ByteReader): number {
  const negative = r.byte(Ch.Dash);
  const value = digits.decimal(r.bytes, r.pos, r.end, MAX_INT_DIGITS);
  if (value < 0) return NaN;
  r.pos = digits.stop;
  return negative ? -value : value;
}
