// The optional prefix QEMU's `log` trace backend puts before an event name.
// Mirrors scripts/tracetool/backend/log.py and util/log.c:
//  - none:        `e1000e_core_read Read from ...`
//  - tid-epoch:   `2948@1795458626.196871:e1000e_core_read ...`   (-msg timestamp=on, QEMU <= 10.0)
//  - iso8601:     `2025-07-21T18:43:28.089797Z e1000e_core_read ...` (-msg timestamp=on, QEMU >= 10.1;
//                 GLib drops the fraction when it is zero)
// QEMU >= 10.1 may also add `[guest name] ` and `program(pid:thread): ` (proposed upstream); both are
// skipped when present.

import type { TimestampStyle } from '../line-stats.js';

const CH_0 = 48;
const CH_9 = 57;
const CH_AT = 64;
const CH_DOT = 46;
const CH_COLON = 58;
const CH_DASH = 45;
const CH_SPACE = 32;
const CH_Z = 90;
const CH_BRACKET = 91;
const CH_PAREN = 41;

/** Result of reading a prefix; reused for every line to avoid allocation. */
export class LinePrefix {
  /** Index of the first character of the event name, or -1 if the line has no valid event prefix. */
  namePos = -1;
  style: TimestampStyle = 'none';
  /** Microseconds since the epoch, or NaN when the line has no time. */
  timeUs = NaN;
  /** Host thread id, or -1 when the line has none. */
  thread = -1;

  private isoSecondKey = '';
  private isoSecondUs = 0;

  /** For a line that starts with its event name. */
  clear(): void {
    this.timeUs = NaN;
    this.thread = -1;
    this.style = 'none';
    this.namePos = -1;
  }

  /** Reads the prefix of `text[start, end)`. */
  read(text: string, start: number, end: number): void {
    this.timeUs = NaN;
    this.thread = -1;
    this.style = 'none';
    const first = text.charCodeAt(start);
    let pos = start;
    if (first >= CH_0 && first <= CH_9) {
      pos = this.readTimestamp(text, start, end);
      if (pos < 0) {
        this.namePos = -1;
        return;
      }
    }
    if (text.charCodeAt(pos) === CH_BRACKET) pos = skipGuestName(text, pos, end);
    this.namePos = pos;
  }

  private readTimestamp(text: string, start: number, end: number): number {
    let pos = start;
    let tid = 0;
    while (pos < end && isDigit(text.charCodeAt(pos))) tid = tid * 10 + (text.charCodeAt(pos++) - CH_0);
    const stop = text.charCodeAt(pos);
    if (stop === CH_AT) return this.readTidEpoch(text, pos + 1, end, tid);
    if (stop === CH_DASH && pos - start === 4) return this.readIso(text, start, end);
    return -1;
  }

  private readTidEpoch(text: string, start: number, end: number, tid: number): number {
    let pos = start;
    let seconds = 0;
    while (pos < end && isDigit(text.charCodeAt(pos))) seconds = seconds * 10 + (text.charCodeAt(pos++) - CH_0);
    if (pos === start || text.charCodeAt(pos) !== CH_DOT) return -1;
    const fractionStart = ++pos;
    let micros = 0;
    while (pos < end && isDigit(text.charCodeAt(pos))) micros = micros * 10 + (text.charCodeAt(pos++) - CH_0);
    if (pos - fractionStart !== 6 || text.charCodeAt(pos) !== CH_COLON) return -1;
    this.style = 'tid-epoch';
    this.thread = tid;
    this.timeUs = seconds * 1e6 + micros;
    return pos + 1;
  }

  /** `YYYY-MM-DDTHH:MM:SS[.f+]Z `; the seconds part is cached since it changes once a second. */
  private readIso(text: string, start: number, end: number): number {
    if (end - start < 21) return -1;
    let secondUs: number;
    if (this.isoSecondKey !== '' && text.startsWith(this.isoSecondKey, start)) {
      secondUs = this.isoSecondUs;
    } else {
      const key = text.slice(start, start + 19);
      const ms = Date.parse(`${key}Z`);
      if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(key) || Number.isNaN(ms)) return -1;
      this.isoSecondKey = key;
      this.isoSecondUs = secondUs = ms * 1000;
    }
    let pos = start + 19;
    let micros = 0;
    if (text.charCodeAt(pos) === CH_DOT) {
      pos++;
      let digits = 0;
      while (pos < end && isDigit(text.charCodeAt(pos))) {
        if (digits < 6) micros = micros * 10 + (text.charCodeAt(pos) - CH_0);
        digits++;
        pos++;
      }
      if (digits === 0) return -1;
      for (let pad = digits; pad < 6; pad++) micros *= 10;
    }
    if (text.charCodeAt(pos) !== CH_Z || text.charCodeAt(pos + 1) !== CH_SPACE) return -1;
    this.style = 'iso8601';
    this.timeUs = secondUs + micros;
    return pos + 2;
  }
}

function isDigit(code: number): boolean {
  return code >= CH_0 && code <= CH_9;
}

/** `[guest name] ` from `-msg guest-name=on`. */
function skipGuestName(text: string, pos: number, end: number): number {
  const close = text.indexOf('] ', pos);
  return close < 0 || close >= end ? -1 : close + 2;
}

/**
 * `program(pid:thread): ` as proposed for QEMU's qemu_log; returns -1 when absent. Called only when
 * a line's first word is not an event name, so the common case pays nothing for it.
 */
export function skipProgramPrefix(text: string, pos: number, end: number): number {
  const space = text.indexOf(' ', pos);
  const wordEnd = space < 0 || space > end ? end : space;
  if (wordEnd - pos < 4 || text.charCodeAt(wordEnd - 1) !== CH_COLON || text.charCodeAt(wordEnd - 2) !== CH_PAREN) {
    return -1;
  }
  const paren = text.indexOf('(', pos);
  return paren >= 0 && paren < wordEnd ? wordEnd + 1 : -1;
}
