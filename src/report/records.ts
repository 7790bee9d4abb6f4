// Per-record renderings for the streaming outputs of `parse`: one JSON object per record (JSONL)
// and one CSV row per access. Both are pure; the CLI batches and writes them.

import type { Access, Marker, SideEvent } from '../model/access.js';
import { hex } from './format.js';

/** Register name for an access, from the register database; undefined where it has none. */
export type NameOf = (a: Access) => string | undefined;

export const CSV_COLUMNS = ['seq', 'line', 'time_us', 'thread', 'kind', 'space', 'offset', 'register', 'size', 'value',
  'verdict', 'events'] as const;

export interface AccessJson {
  readonly type: 'access';
  readonly seq: number;
  readonly line: number;
  readonly timeUs?: number;
  readonly thread?: number;
  readonly kind: Access['kind'];
  readonly space: Access['space'];
  readonly offset: number;
  readonly register?: number;
  readonly name?: string;
  readonly size: number;
  readonly value: number;
  readonly verdict: Access['verdict'];
  readonly cause?: number;
  readonly events: readonly SideEvent[];
}

/** The access with a fixed key order (the parser's own objects put timing last) plus its register name. */
export function accessJson(a: Access, name: string | undefined): AccessJson {
  return {
    type: 'access', seq: a.seq, line: a.line,
    ...(a.timeUs === undefined ? {} : { timeUs: a.timeUs }),
    ...(a.thread === undefined ? {} : { thread: a.thread }),
    kind: a.kind, space: a.space, offset: a.offset,
    ...(a.register === undefined ? {} : { register: a.register }),
    ...(name === undefined ? {} : { name }),
    size: a.size, value: a.value, verdict: a.verdict,
    ...(a.cause === undefined ? {} : { cause: a.cause }),
    events: a.events,
  };
}

export function markerJson(m: Marker): Marker {
  return {
    type: 'marker', kind: m.kind, line: m.line,
    ...(m.timeUs === undefined ? {} : { timeUs: m.timeUs }),
    ...(m.thread === undefined ? {} : { thread: m.thread }),
    afterSeq: m.afterSeq, events: m.events,
  };
}

/** One CSV row in CSV_COLUMNS order; hex for offsets and values, as QEMU prints them. */
export function accessCsvRow(a: Access, name: string | undefined): string[] {
  return [
    String(a.seq), String(a.line), a.timeUs === undefined ? '' : String(a.timeUs), a.thread === undefined ? '' : String(a.thread),
    a.kind, a.space, hex(a.offset), name ?? '', String(a.size), hex(a.value), a.verdict,
    a.events.map((e) => e.name).join(';'),
  ];
}
