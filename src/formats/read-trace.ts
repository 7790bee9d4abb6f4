// Reads one trace end to end: open (file, stdin, gzip), sniff the dialect, stream every line
// through the dialect's parser into a record sink. Memory stays bounded by the chunk size.

import { prepareCompilerFor } from './compile-budget.js';
import type { LineStats } from './line-stats.js';
import { QemuLogParser } from './qemu-log/parser.js';
import type { RecordSink } from './sink.js';
import { type Dialect, SNIFF_BYTES, sniffDialect } from './detect.js';
import { TraceInputError } from './errors.js';
import { closeSync, openSync, readSync } from 'node:fs';
import { CHUNK_BYTES, openTrace, type TraceInput } from './input-stream.js';
import { LineSplitter } from './line-splitter.js';

export type { RecordSink } from './sink.js';
export type { LineStats, MalformedLine } from './line-stats.js';

/** How to interpret a trace, as the commands' `--lenient` and `--bar-base` say. */
export interface TraceSourceOptions {
  readonly lenient?: boolean;
  /** QEMU logs: the device events whose text the records keep (default: all; see QemuLogOptions). */
  readonly eventText?: (name: string) => boolean;
  /** mmiotrace only: physical address of the NIC's BAR0, overriding detection from PCIDEV/MAP lines. */
  readonly barBase?: number;
}

export interface ReadTraceOptions extends TraceSourceOptions {
  /** Called after each chunk with the bytes consumed so far (of the decompressed text). */
  readonly onProgress?: (bytesRead: number, byteSize: number | undefined) => void;
  readonly stdin?: NodeJS.ReadableStream;
  /**
   * Awaited before more input is parsed (between chunks), so a slow consumer of the records bounds
   * what is buffered. Throw to stop.
   */
  readonly pace?: () => Promise<void>;
  /** QEMU logs: the NIC's PCI address when known beforehand (see QemuLogOptions.nicAddress). */
  readonly nicAddress?: string;
}

export interface TraceReadResult {
  readonly file: string;
  readonly compressed: boolean;
  readonly bytes: number;
  readonly dialect: Dialect;
  readonly stats: LineStats;
}

export async function readTrace(path: string, sink: RecordSink, options: ReadTraceOptions = {}): Promise<TraceReadResult> {
  const input = await openTrace(path, options.stdin);
  const iterator = input.chunks[Symbol.asyncIterator]();
  try {
    return await readChunks(input, iterator, sink, options);
  } finally {
    // Closes the file when parsing stopped early (bad input, a consumer that threw).
    await iterator.return?.();
  }
}

async function readChunks(input: TraceInput, iterator: AsyncIterator<Buffer>, sink: RecordSink,
  options: ReadTraceOptions): Promise<TraceReadResult> {
  // Copied: a chunk is only valid until the next is read.
  const head: Buffer[] = [];
  let headBytes = 0;
  let done = false;
  while (headBytes < SNIFF_BYTES && !done) {
    const next = await iterator.next();
    if (next.done) done = true;
    else {
      head.push(Buffer.from(next.value));
      headBytes += next.value.length;
    }
  }
  if (headBytes === 0) throw new TraceInputError(input.name, 'is empty', 'record a trace with -trace \'igb*\' -trace \'e1000e*\' -D FILE');
  const dialect = detect(input.name, Buffer.concat(head).toString('latin1', 0, Math.min(headBytes, SNIFF_BYTES)));
  // The mmiotrace reader (six modules) is loaded only for an mmiotrace: start-up counts in `parse`.
  const mmiotrace = dialect.format === 'mmiotrace'
    ? new (await import('./mmiotrace/parser.js')).MmiotraceParser({ file: input.name, lenient: options.lenient, barBase: options.barBase }, sink)
    : undefined;
  const parser = mmiotrace ?? new QemuLogParser({ file: input.name, lenient: options.lenient, eventText: options.eventText, nicAddress: options.nicAddress }, sink);
  const splitter = new LineSplitter(parser);
  prepareCompilerFor(input.compressed ? undefined : input.byteSize);
  let bytes = 0;
  const feed = (chunk: Buffer): void => {
    splitter.push(chunk);
    bytes += chunk.length;
    options.onProgress?.(bytes, input.compressed ? undefined : input.byteSize);
  };
  for (const chunk of head) {
    if (options.pace !== undefined) await options.pace();
    feed(chunk);
  }
  while (!done) {
    const next = await iterator.next();
    if (next.done) break;
    if (options.pace !== undefined) await options.pace();
    feed(next.value);
  }
  splitter.end();
  const stats = parser.finish();
  return {
    file: input.name, compressed: input.compressed, bytes, stats,
    dialect: mmiotrace?.dialect() ?? dialect,
  };
}

/**
 * Part of a QEMU log file, `[from, to)`, read at once in this thread with no dialect sniffing: the
 * replay target's own log (src/replay/target-log.ts), read stretch by stretch dozens of times a
 * replay, where a stream and a sniff per stretch cost more than the parsing. Returns the line stats.
 */
export function readQemuLogRange(path: string, from: number, to: number, sink: RecordSink,
  options: Pick<ReadTraceOptions, 'lenient' | 'nicAddress'> & { /** The file, already open (left open); else it is opened here. */ readonly fd?: number } = {}): LineStats {
  const parser = new QemuLogParser({ file: path, lenient: options.lenient, nicAddress: options.nicAddress }, sink);
  const splitter = new LineSplitter(parser);
  const fd = options.fd ?? openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(0, to - from)));
    for (let at = from; at < to;) {
      const count = readSync(fd, buffer, 0, Math.min(buffer.length, to - at), at);
      if (count === 0) break;
      splitter.push(buffer.subarray(0, count));
      at += count;
    }
  } finally {
    if (options.fd === undefined) closeSync(fd);
  }
  splitter.end();
  return parser.finish();
}

function detect(name: string, head: string): Dialect {
  const { dialect, firstLine } = sniffDialect(head);
  if (dialect === undefined) {
    throw new TraceInputError(name, `is not a trace this tool reads (first line: ${JSON.stringify(firstLine.slice(0, 80))})`,
      'expected QEMU log-backend lines such as "e1000e_core_read Read from register 0x8, 4 byte(s), value: 0x80080481", '
      + 'or Linux mmiotrace lines such as "R 4 1.865344 1 0xfeba0018 0x0 0x0 0"');
  }
  return dialect;
}
