// Recognises a trace's dialect from its first lines (never from the file name), in the manner of
// speedscope's importers: a cheap sniffer that says "mine" or "not mine".

import { ByteReader } from './byte-reader.js';
import { TIMESTAMP_STYLES, type TimestampStyle } from './line-stats.js';
import { LinePrefix } from './qemu-log/prefix.js';
import { isDeviceEvent } from './qemu-log/events.js';

export type Dialect =
  | { readonly format: 'qemu-log'; readonly timestamps: TimestampStyle }
  /** `bar0`: the NIC's BAR0 the accesses were taken from (known after reading; absent from the sniffer). */
  | { readonly format: 'mmiotrace'; readonly bar0?: { readonly base: number; readonly size: number; readonly source: string } };

/** How much of the start of a trace the sniffer looks at. */
export const SNIFF_BYTES = 64 * 1024;
const SNIFF_LINES = 400;
/** QEMU names every trace event `group_event`. */
const EVENT_LINE = /^([a-z0-9]+_[a-z0-9_]*) /;
const MMIOTRACE_LINE = /^(VERSION \d|PCIDEV [0-9a-f]{4}|MAP \d|[RW] [1248] \d+\.\d+ \d+ 0x)/;

export interface SniffResult {
  readonly dialect: Dialect | undefined;
  /** Why it is not recognised, for the error message. */
  readonly firstLine: string;
}

export function sniffDialect(head: string): SniffResult {
  const lines = head.split('\n', SNIFF_LINES).map((line) => line.replace(/\r$/, '')).filter((line) => line !== '');
  const firstLine = lines[0] ?? '';
  if (lines.length > 0 && lines.slice(0, 20).some((line) => MMIOTRACE_LINE.test(line))) {
    return { dialect: { format: 'mmiotrace' }, firstLine };
  }
  const prefix = new LinePrefix();
  const reader = new ByteReader();
  const styles: Record<TimestampStyle, number> = { none: 0, 'tid-epoch': 0, iso8601: 0 };
  let eventLines = 0;
  let deviceLines = 0;
  for (const line of lines) {
    const r = reader.on(Buffer.from(line, 'latin1'), 0, line.length);
    if (!prefix.read(r)) continue;
    const match = EVENT_LINE.exec(line.slice(r.pos));
    if (match === null) continue;
    eventLines++;
    styles[TIMESTAMP_STYLES[prefix.style]!]++;
    if (isDeviceEvent(match[1]!) || match[1]!.startsWith('pci_cfg_')) deviceLines++;
  }
  // A log with device events, or one made mostly of trace events, is QEMU's log backend.
  if (deviceLines > 0 || (lines.length > 0 && eventLines * 2 > lines.length)) {
    const timestamps = (Object.keys(styles) as TimestampStyle[]).reduce((a, b) => (styles[b] > styles[a] ? b : a), 'none');
    return { dialect: { format: 'qemu-log', timestamps }, firstLine };
  }
  return { dialect: undefined, firstLine };
}

/** Whether the trace says what QEMU thought of each access (mmiotrace has no emulator to ask). */
export function recordsVerdicts(dialect: Dialect): boolean {
  return dialect.format === 'qemu-log';
}

export function describeDialect(dialect: Dialect): string {
  if (dialect.format === 'mmiotrace') {
    const bar = dialect.bar0;
    const where = bar === undefined ? '' : `, NIC BAR0 0x${bar.base.toString(16)} (${bar.size / 1024} KiB, from ${bar.source})`;
    return `Linux mmiotrace${where}; no QEMU verdicts (all ok); accesses outside BAR0 counted as other events`;
  }
  const time = { none: 'no timestamps', 'tid-epoch': 'TID@SEC.USEC timestamps (QEMU <= 10.0)', iso8601: 'ISO-8601 timestamps (QEMU >= 10.1)' };
  return `QEMU log trace backend, ${time[dialect.timestamps]}`;
}
