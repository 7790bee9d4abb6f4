// How one device-event difference reads in every report (text, JUnit, HTML, minimise): where it
// happened, what each side did, and which cause bits differ — "after the EICS write 0x2 at line
// 3,412 the recording: notified MSI-X vector 1; the target: none". Plain strings, no colour.

import type { EventDivergence } from '../model/events.js';
import type { FieldDifference } from '../model/replay.js';
import { hex, num } from './format.js';

/** Where it happened: `after the EICS write 0x2 at line 3,412`, `where time ran at line 2,500 (autoneg)`. */
export function placeText(d: Pick<EventDivergence, 'line' | 'place'>): string {
  const at = `line ${num(d.line)}`;
  switch (d.place.kind) {
    case 'access': return `after the ${d.place.register} ${d.place.access} ${hex(d.place.value)} at ${at}`;
    case 'time': return `where time ran at ${at} (${d.place.marker})`;
    case 'start': return 'at device realize and reset, before the first access';
    case 'packet': {
      const frames = d.place.frames === 1 ? 'a frame' : `${d.place.frames} frames`;
      return d.place.switched === true ? `where the device switched ${frames} to its own pools at ${at} (made by the target from the replayed transmit)`
        : `where the recording received ${frames} at ${at} (injected)`;
    }
  }
}

/** `the recording: notified MSI-X vector 1; the target: none`. */
export function differenceText(d: Pick<EventDivergence, 'expected' | 'actual'>): string {
  return `the recording: ${d.expected}; the target: ${d.actual}`;
}

/** `TXQE 0→1, RXT0 1→0`: decoded fields, recorded value first. */
export function fieldsText(fields: readonly FieldDifference[]): string {
  return fields.map((f) => `${f.field} ${f.expected}→${f.actual}`).join(', ');
}

/**
 * One line for a list or a CI message: `interrupt-missing after the EICS write 0x6 at line 3,590:
 * the recording: notified MSI-X vector 1; the target: none; fields …: why`. The subject is left to
 * the caller, which often names it already (a test case, a table column).
 */
export function eventLine(d: EventDivergence): string {
  const fields = d.fields.length === 0 ? '' : `; fields ${fieldsText(d.fields)}`;
  return `${d.class} ${placeText(d)}: ${differenceText(d)}${fields}: ${d.reason}`;
}

/** What the place was, for a table column: `EICS write`, `time (autoneg)`, `realize/reset`. */
export function placeLabel(d: Pick<EventDivergence, 'place'>): string {
  switch (d.place.kind) {
    case 'access': return `${d.place.register} ${d.place.access}`;
    case 'time': return `time (${d.place.marker})`;
    case 'start': return 'realize/reset';
    case 'packet': return `${d.place.switched === true ? 'switched' : 'received'} frame${d.place.frames === 1 ? '' : 's'}`;
  }
}
