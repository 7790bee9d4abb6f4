// Shared helpers for parser tests: collect the records of a trace (file or text).
import { Readable } from 'node:stream';
import type { Access, Marker, TraceRecord } from '../../src/model/access.js';
import { readTrace, type TraceReadResult } from '../../src/formats/read-trace.js';
import { LineSplitter } from '../../src/formats/line-splitter.js';
import { QemuLogParser } from '../../src/formats/qemu-log/parser.js';
import type { LineStats } from '../../src/formats/read-trace.js';

export interface Collected {
  readonly records: TraceRecord[];
  readonly accesses: Access[];
  readonly markers: Marker[];
}

export function collector(): Collected & { access(a: Access): void; marker(m: Marker): void } {
  const records: TraceRecord[] = [];
  const accesses: Access[] = [];
  const markers: Marker[] = [];
  return {
    records, accesses, markers,
    access(a) { records.push(a); accesses.push(a); },
    marker(m) { records.push(m); markers.push(m); },
  };
}

export async function parseFile(path: string, lenient = false): Promise<Collected & { result: TraceReadResult }> {
  const sink = collector();
  const result = await readTrace(path, sink, { lenient });
  return { ...sink, result };
}

export async function parseText(text: string, lenient = false): Promise<Collected & { result: TraceReadResult }> {
  const sink = collector();
  const result = await readTrace('-', sink, { lenient, stdin: Readable.from([Buffer.from(text, 'latin1')]) });
  return { ...sink, result };
}

/** Parses `text` in chunks of `chunkSize` bytes straight through the splitter (no sniffing). */
export function parseInChunks(text: string, chunkSize: number): Collected & { stats: LineStats } {
  const sink = collector();
  const parser = new QemuLogParser({ file: 'chunks' }, sink);
  const splitter = new LineSplitter(parser);
  const bytes = Buffer.from(text, 'latin1');
  for (let i = 0; i < bytes.length; i += chunkSize) splitter.push(bytes.subarray(i, i + chunkSize));
  splitter.end();
  return { ...sink, stats: parser.finish() };
}
