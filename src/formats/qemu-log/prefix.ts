// The optional prefix QEMU's `log` trace backend puts before an event name, read from bytes.
// Mirrors scripts/tracetool/backend/log.py and util/log.c:
//  - none:        `e1000e_core_read Read from ...`
//  - tid-epoch:   `2948@1795458626.196871:e1000e_core_read ...`   (-msg timestamp=on, QEMU <= 10.0)
//  - iso8601:     `2025-07-21T18:43:28.089797Z e1000e_core_read ...` (-msg timestamp=on, QEMU >= 10.1;
//                 GLib drops the fraction when it is zero)
// QEMU >= 10.1 may also add `[guest name] ` and `program(pid:thread): ` (proposed upstream); both are
// skipped when present, on the general path only (the fast paths leave such lines to it).

import { type ByteReader, DigitReader } from '../byte-reader.js';
import { Ch } from '../chars.js';

/** Codes of the styles, indexes into TIMESTAMP_STYLES (line-stats.ts). */
export const STYLE_NONE = 0;
export const STYLE_TID_EPOCH = 1;
export const STYLE_ISO = 2;

/** `YYYY-MM-DDTHH:MM:SS`, the part of an ISO-8601 prefix that changes once a second. */
const ISO_SECONDS_LENGTH = 19;
const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/;
const MICROS_DIGITS = 6;
/** Longest `TID@SECONDS.` kept for reuse; QEMU prints about 16 bytes. */
const TID_KEY_MAX = 40;

/** The prefix of the line last read; reused for every line to avoid allocation. */
export class LinePrefix {
  /** STYLE_NONE, STYLE_TID_EPOCH or STYLE_ISO. */
  style = STYLE_NONE;
  /** Microseconds since the epoch, or NaN when the line has no time. */
  timeUs = NaN;
  /** Host thread id, or -1 when the line has none. */
  thread = -1;
  private readonly digits = new DigitReader();
  private readonly isoKey = Buffer.alloc(ISO_SECONDS_LENGTH);
  private isoKeyValid = false;
  // Doubles from the start (NaN, not 0): a field that starts as a small integer and later holds a
  // double changes the object's shape, which throws away the optimized code that used it.
  private isoSecondUs = NaN;
  /**
   * `TID@SECONDS.` of the last tid-epoch line and what it says: consecutive lines mostly share it
   * (same thread, same second), so they compare about 16 bytes and read only the microseconds.
   */
  private readonly tidKey = Buffer.alloc(TID_KEY_MAX);
  private tidKeyLength = 0;
  private tidKeyThread = 0;
  private tidKeySecondsUs = NaN;

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
    const bytes = r.bytes;
    const first = bytes[r.pos]!;
    if (first >= Ch.Digit0 && first <= Ch.Digit9) {
      const namePos = this.readTimestamp(bytes, r.pos, r.end);
      if (namePos < 0) return false;
      r.pos = namePos;
    }
    if (bytes[r.pos] !== Ch.BracketOpen) return true;
    // `[guest name] ` from `-msg guest-name=on`.
    for (let pos = r.pos + 1; pos + 1 < r.end; pos++) {
      if (bytes[pos] === Ch.BracketClose && bytes[pos + 1] === Ch.Space) {
        r.pos = pos + 2;
        return true;
      }
    }
    return false;
  }

  /**
   * The timestamp at `start` (a digit) of the line in `bytes[start, end)`; returns where the event
   * name starts, or -1 (the prefix cleared) when there is no timestamp.
   */
  readTimestamp(bytes: Buffer, start: number, end: number): number {
    const keyLength = this.tidKeyLength;
    if (keyLength > 0 && start + keyLength < end && this.sameTidKey(bytes, start, keyLength)) {
      const namePos = this.micros(bytes, start + keyLength, end, this.tidKeyThread, this.tidKeySecondsUs);
      if (namePos >= 0) return namePos;
    }
    // A thread id or seconds of any length: 15 digits are exact, and QEMU prints far fewer.
    const first = this.digits.decimal(bytes, start, end, Infinity);
    let namePos = -1;
    if (first >= 0) {
      const stop = this.digits.stop;
      if (bytes[stop] === Ch.At) namePos = this.tidEpoch(bytes, start, stop + 1, end, first);
      else if (bytes[stop] === Ch.Dash && stop - start === 4) namePos = this.iso(bytes, start, end);
    }
    if (namePos < 0) this.clear();
    return namePos;
  }

  /** `SEC.USEC:` after `TID@` (the line starts at `lineStart`). */
  private tidEpoch(bytes: Buffer, lineStart: number, start: number, end: number, tid: number): number {
    const digits = this.digits;
    const seconds = digits.decimal(bytes, start, end, Infinity);
    const dot = digits.stop;
    if (seconds < 0 || bytes[dot] !== Ch.Dot) return -1;
    const secondsUs = seconds * 1e6;
    const namePos = this.micros(bytes, dot + 1, end, tid, secondsUs);
    const keyLength = dot + 1 - lineStart;
    if (namePos >= 0 && keyLength <= TID_KEY_MAX) {
      bytes.copy(this.tidKey, 0, lineStart, dot + 1);
      this.tidKeyLength = keyLength;
      this.tidKeyThread = tid;
      this.tidKeySecondsUs = secondsUs;
    }
    return namePos;
  }

  /** `USEC:` (six digits) at `start`, completing a tid-epoch prefix; where the name starts, or -1. */
  private micros(bytes: Buffer, start: number, end: number, tid: number, secondsUs: number): number {
    const micros = this.digits.decimal(bytes, start, end, Infinity);
    const colon = this.digits.stop;
    if (micros < 0 || colon - start !== MICROS_DIGITS || bytes[colon] !== Ch.Colon) return -1;
    this.style = STYLE_TID_EPOCH;
    this.thread = tid;
    this.timeUs = secondsUs + micros;
    return colon + 1;
  }

  private sameTidKey(bytes: Buffer, start: number, length: number): boolean {
    const key = this.tidKey;
    // From the end: the seconds' last digits are what changes.
    for (let i = length - 1; i >= 0; i--) if (bytes[start + i] !== key[i]) return false;
    return true;
  }

  /** `YYYY-MM-DDTHH:MM:SS[.f+]Z `; the seconds part is cached, so most lines compare 19 bytes and go on. */
  private iso(bytes: Buffer, start: number, end: number): number {
    if (end - start < ISO_SECONDS_LENGTH + 2) return -1;
    if (!this.isoKeyValid || !this.sameIsoSecond(bytes, start)) {
      const key = bytes.toString('latin1', start, start + ISO_SECONDS_LENGTH);
      const ms = Date.parse(`${key}Z`);
      if (!ISO_SECONDS.test(key) || Number.isNaN(ms)) return -1;
      bytes.copy(this.isoKey, 0, start, start + ISO_SECONDS_LENGTH);
      this.isoKeyValid = true;
      this.isoSecondUs = ms * 1000;
    }
    let pos = start + ISO_SECONDS_LENGTH;
    let micros = 0;
    if (bytes[pos] === Ch.Dot) {
      // Microseconds from the first six digits of the fraction, however many there are.
      const fraction = this.digits.decimal(bytes, pos + 1, end, Infinity);
      if (fraction < 0) return -1;
      const fractionDigits = this.digits.stop - pos - 1;
      micros = fractionDigits <= MICROS_DIGITS ? fraction * 10 ** (MICROS_DIGITS - fractionDigits)
        : this.digits.decimal(bytes, pos + 1, pos + 1 + MICROS_DIGITS);
      pos += 1 + fractionDigits;
    }
    if (bytes[pos] !== Ch.UpperZ || bytes[pos + 1] !== Ch.Space) return -1;
    this.style = STYLE_ISO;
    this.timeUs = this.isoSecondUs + micros;
    this.thread = -1;
    return pos + 2;
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
  const space = bytes.indexOf(Ch.Space, r.pos);
  const wordEnd = space < 0 || space > r.end ? r.end : space;
  if (wordEnd - r.pos < 4 || bytes[wordEnd - 1] !== Ch.Colon || bytes[wordEnd - 2] !== Ch.ParenClose) return false;
  const paren = bytes.indexOf(Ch.ParenOpen, r.pos);
  if (paren < 0 || paren >= wordEnd) return false;
  r.pos = wordEnd + 1;
  return true;
}
