// Helpers for the mmiotrace tests: run text (SYNTHETIC unless a test says otherwise) through the
// real entry point, readTrace, exactly as the commands do.
import { Readable } from 'node:stream';
import { readTrace, type ReadTraceOptions, type TraceReadResult } from '../../../src/formats/read-trace.js';
import { collector, type Collected } from '../helpers.js';

/**
 * A SYNTHETIC mmiotrace header in the exact format of Linux kernel/trace/trace_mmiotrace.c, shaped
 * like the real one in traces/linux-6.1-init-mmiotrace.txt: an 82576 (8086:10c9) at 00:02.0 with
 * BAR0 0xfeba0000 (128 KiB), flash BAR1, IO BAR2, MSI-X BAR3 at 0xfebf0000 (16 KiB), and another
 * device whose PCIDEV line has a driver name.
 */
export const HEADER = [
  'VERSION 20070824',
  'PCIDEV 0008 12341111 0 fd000008 0 febf4000 0 0 0 c0002 1000000 0 1000 0 0 0 20000 bochs-drm',
  'PCIDEV 0010 808610c9 b feba0000 febc0000 c041 febf0004 0 0 0 20000 20000 20 4000 0 0 0 ',
  'MAP 1.000000 1 0xfeba0000 0xffffc90000a00000 0x20000 0x0 0',
];

export const BAR0 = 0xfeba0000;

/** `R`/`W` line for an access at BAR0 + offset. */
export function rw(kind: 'R' | 'W', offset: number, value: number, time = '1.000100', width = 4, pid = 0): string {
  return `${kind} ${width} ${time} 1 0x${(BAR0 + offset).toString(16)} 0x${value.toString(16)} 0x0 ${pid}`;
}

export async function parseMmio(lines: readonly string[], options: Omit<ReadTraceOptions, 'stdin'> = {}):
  Promise<Collected & { result: TraceReadResult }> {
  return parseBytes(Buffer.from(`${lines.join('\n')}\n`, 'latin1'), options);
}

export async function parseBytes(bytes: Buffer, options: Omit<ReadTraceOptions, 'stdin'> = {}):
  Promise<Collected & { result: TraceReadResult }> {
  const sink = collector();
  const result = await readTrace('-', sink, { ...options, stdin: Readable.from([bytes]) });
  return { ...sink, result };
}
