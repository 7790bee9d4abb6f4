// Baseline keys: how an accepted divergence is recognised again in a later run. A key names the
// trace (basename), the register, the class, what differs (the differing bit fields, or the values
// when the register has no fields) and the occurrence among divergences with that same identity.
// A device-event difference is keyed alike: `event`, its subject (`MSI-X vector 1`, `ICR`), class
// and what differs (decoded fields, else the recorded and target descriptions).
// Line numbers and seqs are deliberately left out: they shift whenever the trace gains or loses a
// line, and a baseline must survive such small edits. Pure functions.

import { basename } from 'node:path';
import { isFailing, type Divergence, type ReplayResult } from '../model/replay.js';
import { isFailingEvent, type EventDivergence } from '../model/events.js';
import { isFailingFrame, type FrameDivergence } from '../model/frames.js';

/** One failing divergence (of a read, or of device events) with the key it has in a baseline. */
export interface KeyedDivergence {
  readonly key: string;
  readonly divergence: Divergence | EventDivergence | FrameDivergence;
}

/** Separates a key's parts; not expected in trace basenames, register names or field names. */
const SEP = '|';

/** What differs: the sorted differing field names, or `expected→actual` for a register without fields. */
export function differenceOf(d: Pick<Divergence, 'fields' | 'expected' | 'actual'>): string {
  if (d.fields.length > 0) return [...new Set(d.fields.map((f) => f.field))].sort().join(',');
  return `0x${d.expected.toString(16)}→0x${d.actual.toString(16)}`;
}

/** The trace part of keys: the basename, so a baseline works from any checkout directory. */
export function traceKeyPart(trace: string): string {
  return basename(trace);
}

/** The trace a key belongs to. */
export function traceOfKey(key: string): string {
  const end = key.indexOf(SEP);
  return end < 0 ? key : key.slice(0, end);
}

/**
 * The keys of a result's failing divergences, in trace order. `#n` numbers the divergences that
 * share trace, register, class and difference, so two identical ones in a trace stay distinct.
 */
export function keyedDivergences(result: Pick<ReplayResult, 'trace' | 'divergences' | 'events' | 'frames'>, strict: boolean): KeyedDivergence[] {
  const seen = new Map<string, number>();
  const keyed: KeyedDivergence[] = [];
  const add = (identity: string, divergence: Divergence | EventDivergence | FrameDivergence): void => {
    const occurrence = seen.get(identity) ?? 0;
    seen.set(identity, occurrence + 1);
    keyed.push({ key: `${identity}#${occurrence}`, divergence });
  };
  const trace = traceKeyPart(result.trace);
  for (const d of result.divergences) {
    if (isFailing(d.class, { strict })) add([trace, d.register, d.class, differenceOf(d)].join(SEP), d);
  }
  for (const d of result.events.divergences) {
    if (isFailingEvent(d.class, { strict })) add([trace, 'event', d.subject, d.class, eventDifference(d)].join(SEP), d);
  }
  // A frame difference: `frame`, the tail register, class and the differing header fields (payload by name).
  for (const d of result.frames?.divergences ?? []) {
    const what = [...new Set(d.fields.map((f) => f.field)), ...(d.payload === undefined ? [] : ['payload'])].sort().join(',');
    if (isFailingFrame(d.class)) add([trace, 'frame', d.register, d.class, what].join(SEP), d);
  }
  return keyed;
}

/** What an event difference is: its decoded fields, else `recorded→target` (line numbers never enter). */
function eventDifference(d: EventDivergence): string {
  if (d.fields.length > 0) return [...new Set(d.fields.map((f) => f.field))].sort().join(',');
  return `${d.expected}→${d.actual}`.replace(/\|/g, '/');
}
