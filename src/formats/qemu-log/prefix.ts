// The optional prefix QEMU's `log` trace backend puts before an event name, read from bytes.
// Mirrors scripts/tracetool/backend/log.py and util/log.c:
//  - none:        `e1000e_core_read Read from ...`
//  - tid-epoch:   `2948@1795458626.196871:e1000e_core_read ...`   (-msg timestamp=on, QEMU <= 10.0)
//  - iso8601:     `2025-07-21T18:43:28.089797Z e1000e_core_read ...` (-msg timestamp=on, QEMU >= 10.1;
//                 GLib drops the fraction when it is zero)
// QEMU >= 10.1 may also add `[guest name] ` and `program(pid:thread): ` (proposed upstream); both are
// skipped when present, on the general path only (the fast paths leave such lines to it).

import type { ByteReader } from '../byte-reader.js';
import {
  CH_0, CH_9, CH_AT, CH_BRACKET_CLOSE, CH_BRACKET_OPEN, CH_COLON, CH_DASH, CH_DOT, CH_PAREN_CLOSE, CH_PAREN_OPEN,
  CH_SPACE, CH_UPPER_Z, DECIMAL_DIGIT,
} from '../chars.js';

/** Codes of the styles, indexes into TIMESTAMP_STYLES (line-stats.ts). */
export const STYLE_NONE = 0;
export const STYLE_TID_EPOCH = 1;
export const STYLE_ISO = 2;

/** `YYYY-MM-DDTHH:MM:SS`, the part of an ISO-8601 prefix that changes once a second. */
const ISO_SECONDS_LENGTH = 19;
const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/;
const MICROS_DIGITS = 6;

/** The prefix of the line last read; reused for every line to avoid allocation. */
export class LinePrefix {
  /** STYLE_NONE, STYLE_TID_EPOCH or STYLE_ISO. */
  style = STYLE_NONE;
  /** Microseconds since the epoch, or NaN when the line has no time. */
  timeUs = NaN;
  /** Host thread id, or -1 when the line has none. */
  thread = -1;
  private readonly isoKey = Buffer.alloc(ISO_SECONDS_LENGTH);
  private isoKeyValid = false;
  private isoSecondUs = 0;

  /** For a line that starts with its event name. */
  clear(): void {
    this.style = STYLE_NONE;
    this.timeUs = NaN;
    this.thread = -1;
  }

  /**
   * The general path: any prefix, moving `r` to the event name. False when the line starts with a
   * digit but no timestamp, or with a `[` that no `] ` closes.
   */
  read(r: ByteReader): boolean {
    this.clear();
    const first = r.bytes[r.pos]!;
    if (first >= CH_0 && first <= CH_9 && !this.readTimestamp(r)) return false;
    if (r.bytes[r.pos] !== CH_BRACKET_OPEN) return true;
    // `[guest name] ` from `-msg guest-name=on`.
    for (let pos = r.pos + 1; pos + 1 < r.end; pos++) {
      if (r.bytes[pos] === CH_BRACKET_CLOSE && r.bytes[pos + 1] === CH_SPACE) {
        r.pos = pos + 2;
        return true;
      }
    }
    return false;
  }

  /** A timestamp at `r` (which starts with a digit), moving `r` past it; false (r unmoved) if none. */
  readTimestamp(r: ByteReader): boolean {
    this.clear();
    const start = r.pos;
    // A thread id or seconds of any length: 15 digits are exact, and QEMU prints far fewer.
    const first = r.decimal(Infinity);
    let read = false;
    if (r.bytes[r.pos] === CH_AT) read = this.tidEpoch(r, first);
    else if (r.bytes[r.pos] === CH_DASH && r.pos - start === 4) read = this.iso(r, start);
    if (!read) {
      r.pos = start;
      this.clear();
    }
    return read;
  }

  private tidEpoch(r: ByteReader, tid: number): boolean {
    r.pos++;
    const seconds = r.decimal(Infinity);
    if (seconds < 0 || !r.byte(CH_DOT)) return false;
    const fractionStart = r.pos;
    const micros = r.decimal(Infinity);
    if (micros < 0 || r.pos - fractionStart !== MICROS_DIGITS || !r.byte(CH_COLON)) return false;
    this.style = STYLE_TID_EPOCH;
    this.thread = tid;
    this.timeUs = seconds * 1e6 + micros;
    return true;
  }

  /** `YYYY-MM-DDTHH:MM:SS[.f+]Z `; the seconds part is cached, so most lines compare 19 bytes and go on. */
  private iso(r: ByteReader, start: number): boolean {
    const bytes = r.bytes;
    if (r.end - start < ISO_SECONDS_LENGTH + 2) return false;
    if (!this.isoKeyValid || !this.sameIsoSecond(bytes, start)) {
      const key = bytes.toString('latin1', start, start + ISO_SECONDS_LENGTH);
      const ms = Date.parse(`${key}Z`);
      if (!ISO_SECONDS.test(key) || Number.isNaN(ms)) return false;
      bytes.copy(this.isoKey, 0, start, start + ISO_SECONDS_LENGTH);
      this.isoKeyValid = true;
      this.isoSecondUs = ms * 1000;
    }
    r.pos = start + ISO_SECONDS_LENGTH;
    let micros = 0;
    if (r.byte(CH_DOT)) {
      // Microseconds from the first six digits of the fraction, however many there are.
      let digits = 0;
      for (; r.pos < r.end && DECIMAL_DIGIT[bytes[r.pos]!]! >= 0; r.pos++, digits++) {
        if (digits < MICROS_DIGITS) micros = micros * 10 + DECIMAL_DIGIT[bytes[r.pos]!]!;
      }
      if (digits === 0) return false;
      for (let pad = digits; pad < MICROS_DIGITS; pad++) micros *= 10;
    }
    if (!r.byte(CH_UPPER_Z) || !r.byte(CH_SPACE)) return false;
    this.style = STYLE_ISO;
    this.timeUs = this.isoSecondUs + micros;
    return true;
  }

  private sameIsoSecond(bytes: Buffer, start: number): boolean {
    const key = this.isoKey;
    for (let i = ISO_SECONDS_LENGTH - 1; i >= 0; i--) if (bytes[start + i] !== key[i]) return false;
    return true;
  }
}

/**
 * `program(pid:thread): ` as proposed for QEMU's qemu_log: moves `r` past it, or returns false.
 * Called only when a line's first word is not an event name, so the common case pays nothing for it.
 */
export function skipProgramPrefix(r: ByteReader): boolean {
  const bytes = r.bytes;
  const space = bytes.indexOf(CH_SPACE, r.pos);
  const wordEnd = space < 0 || space > r.end ? r.end : space;
  if (wordEnd - r.pos < 4 || bytes[wordEnd - 1] !== CH_COLON || bytes[wordEnd - 2] !== CH_PAREN_CLOSE) return false;
  const paren = bytes.indexOf(CH_PAREN_OPEN, r.pos);
  if (paren < 0 || paren >= wordEnd) return false;
  r.pos = wordEnd + 1;
  return true;
}
