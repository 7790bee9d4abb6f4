// Reads the two traces of a diff into one shared token table. Both are read at once (large plain
// files each get a scanning worker), so the wall time is that of the larger one.

import { readTrace, type TraceReadResult, type TraceSourceOptions } from '../formats/read-trace.js';
import { PhaseTracker } from '../analysis/phases.js';
import type { RegisterDatabase } from '../regs/database.js';
import { isPerBootWrite } from './registers.js';
import { TokenTable, TraceTokenizer, type TokenizedTrace } from './tokens.js';

export interface TracePair {
  readonly a: TokenizedTrace;
  readonly b: TokenizedTrace;
  readonly table: TokenTable;
  readonly reads: readonly [TraceReadResult, TraceReadResult];
}

export async function readTracePair(pathA: string, pathB: string, db: RegisterDatabase,
  options: TraceSourceOptions & { readonly stdin?: NodeJS.ReadableStream } = {}): Promise<TracePair> {
  const table = new TokenTable((info) => isPerBootWrite(db, info));
  const sinkA = new TraceTokenizer(table, new PhaseTracker(db));
  const sinkB = new TraceTokenizer(table, new PhaseTracker(db));
  const [readA, readB] = await Promise.all([
    readTrace(pathA, sinkA, { lenient: options.lenient, barBase: options.barBase, stdin: options.stdin }),
    readTrace(pathB, sinkB, { lenient: options.lenient, barBase: options.barBase, stdin: options.stdin }),
  ]);
  return { a: sinkA.result(readA.file), b: sinkB.result(readB.file), table, reads: [readA, readB] };
}
