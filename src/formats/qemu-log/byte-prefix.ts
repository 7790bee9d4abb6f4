// The `-msg timestamp=on` prefixes read directly from bytes, for the parser's fast paths:
//  - `TID@SEC.USEC:` (QEMU <= 10.0, log.py) and
//  - `YYYY-MM-DDTHH:MM:SS[.ffffff]Z ` (QEMU >= 10.1, util/log.c; GLib drops a zero fraction).
// prefix.ts reads the same forms (and the rarer ones) from strings for the general path.

import type { TimestampStyle } from '../line-stats.js';

const CH_0 = 48;
const CH_9 = 57;
const CH_AT = 64;
const CH_DOT = 46;
const CH_COLON = 58;
const CH_DASH = 45;
const CH_SPACE = 32;
const CH_Z = 90;
const ISO_SECONDS_LENGTH = 19;

export class BytePrefix {
  style: TimestampStyle = 'none';
  /** Microseconds since the epoch, or NaN without a prefix. */
  timeUs = NaN;
  /** Thread id, or -1 without one. */
  thread = -1;
  private pos = 0;
  private readonly isoKey = Buffer.alloc(ISO_SECONDS_LENGTH);
  private isoKeyValid = false;
  private isoSecondUs = 0;

  clear(): void {
    this.style = 'none';
    this.timeUs = NaN;
    this.thread = -1;
  }

  /** Reads a timestamp prefix starting with a digit at `start`; returns where the event name starts, or -1. */
  read(bytes: Buffer, start: number, end: number): number {
    this.clear();
    this.pos = start;
    const first = this.decimal(bytes, end);
    if (first < 0) return -1;
    if (bytes[this.pos] === CH_AT) return this.tidEpoch(bytes, end, first);
    if (bytes[this.pos] === CH_DASH && this.pos - start === 4) return this.iso(bytes, start, end);
    return -1;
  }

  private tidEpoch(bytes: Buffer, end: number, tid: number): number {
    this.pos++;
    const seconds = this.decimal(bytes, end);
    if (seconds < 0 || bytes[this.pos] !== CH_DOT) return -1;
    const fractionStart = ++this.pos;
    const micros = this.decimal(bytes, end);
    if (micros < 0 || this.pos - fractionStart !== 6 || bytes[this.pos] !== CH_COLON) return -1;
    this.style = 'tid-epoch';
    this.thread = tid;
    this.timeUs = seconds * 1e6 + micros;
    return this.pos + 1;
  }

  /** The seconds part is cached: it changes once a second, so most lines compare 19 bytes and go on. */
  private iso(bytes: Buffer, start: number, end: number): number {
    if (end - start < ISO_SECONDS_LENGTH + 2) return -1;
    if (!this.isoKeyValid || !this.sameIsoSecond(bytes, start)) {
      const key = bytes.toString('latin1', start, start + ISO_SECONDS_LENGTH);
      const ms = Date.parse(`${key}Z`);
      if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(key) || Number.isNaN(ms)) return -1;
      bytes.copy(this.isoKey, 0, start, start + ISO_SECONDS_LENGTH);
      this.isoKeyValid = true;
      this.isoSecondUs = ms * 1000;
    }
    let pos = start + ISO_SECONDS_LENGTH;
    let micros = 0;
    if (bytes[pos] === CH_DOT) {
      let digits = 0;
      for (pos++; pos < end && bytes[pos]! >= CH_0 && bytes[pos]! <= CH_9; pos++, digits++) {
        if (digits < 6) micros = micros * 10 + (bytes[pos]! - CH_0);
      }
      if (digits === 0) return -1;
      for (let pad = digits; pad < 6; pad++) micros *= 10;
    }
    if (bytes[pos] !== CH_Z || bytes[pos + 1] !== CH_SPACE) return -1;
    this.style = 'iso8601';
    this.timeUs = this.isoSecondUs + micros;
    return pos + 2;
  }

  private sameIsoSecond(bytes: Buffer, start: number): boolean {
    const key = this.isoKey;
    for (let i = ISO_SECONDS_LENGTH - 1; i >= 0; i--) if (bytes[start + i] !== key[i]) return false;
    return true;
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
