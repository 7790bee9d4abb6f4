// The recording, window by window: a replay plans, runs and checks one window of records at a
// time, so its memory stays bounded whatever the trace's length. Windows come from records already
// in memory (a small trace, a minimise candidate) or straight from the file, parsed while the
// previous window replays (the reader is paced: at most two windows wait).
//
// A window never cuts a polling loop (the same register read back to back): the planner folds a
// loop only when it sees all of it.

import type { TraceRecord } from '../model/access.js';
import { readTrace, type TraceSourceOptions } from '../formats/read-trace.js';

/** Records per window: large enough that per-window costs vanish, small enough to bound memory. */
export const WINDOW_RECORDS = 2048;
/** A window this many times the size is cut even inside a run of reads (a pathological endless loop). */
const HARD_FACTOR = 4;
/** Windows parsed ahead of the replay. */
const READ_AHEAD = 2;

/**
 * Whether a window may end between these two records: no polling loop can continue across, and an
 * access keeps the markers after it (a frame received inside a write is that write's marker, see
 * src/datapath/rx-path.ts recordedFrames).
 */
export function canCut(previous: TraceRecord, next: TraceRecord): boolean {
  if (next.type === 'marker') return false;
  if (previous.type === 'marker') return true;
  return previous.kind !== 'read' || next.kind !== 'read' || previous.space !== next.space || previous.offset !== next.offset;
}

/** Collects records into windows of about `size`, cut where canCut allows. */
class WindowCutter {
  private current: TraceRecord[] = [];

  constructor(private readonly size: number, private readonly emit: (window: TraceRecord[]) => void) {}

  push(record: TraceRecord): void {
    const last = this.current[this.current.length - 1];
    if (last !== undefined && this.current.length >= this.size && (canCut(last, record) || this.current.length >= this.size * HARD_FACTOR)) {
      this.emit(this.current);
      this.current = [];
    }
    this.current.push(record);
  }

  end(): void {
    if (this.current.length > 0) this.emit(this.current);
    this.current = [];
  }
}

/** Windows of records already in memory. */
export function* windowsOf(records: readonly TraceRecord[], size = WINDOW_RECORDS): Generator<TraceRecord[]> {
  const ready: TraceRecord[][] = [];
  const cutter = new WindowCutter(size, (window) => ready.push(window));
  for (const record of records) {
    cutter.push(record);
    if (ready.length > 0) yield ready.shift()!;
  }
  cutter.end();
  yield* ready;
}

/** Thrown into the reader when the consumer stops early. */
class Stopped extends Error {}

/**
 * Windows of a trace file, parsed as they are consumed. Errors of the read (a malformed line in
 * strict mode) surface at the window where they happen. Stopping early (a `return` from the
 * consumer's loop, e.g. when the target died) stops the reader.
 */
export async function* streamWindows(path: string, options: TraceSourceOptions, size = WINDOW_RECORDS): AsyncGenerator<TraceRecord[]> {
  const ready: TraceRecord[][] = [];
  let wakeConsumer: (() => void) | undefined;
  let wakeReader: (() => void) | undefined;
  let finished = false;
  let failure: { error: unknown } | undefined;
  let stopped = false;
  const wake = (): void => {
    wakeConsumer?.();
    wakeConsumer = undefined;
  };
  const cutter = new WindowCutter(size, (window) => {
    ready.push(window);
    wake();
  });
  const reading = readTrace(path, { access: (a) => cutter.push(a), marker: (m) => cutter.push(m) }, {
    ...options,
    pace: async () => {
      while (ready.length >= READ_AHEAD && !stopped) await new Promise<void>((resolve) => { wakeReader = resolve; });
      if (stopped) throw new Stopped();
    },
  }).then(() => {
    cutter.end();
  }, (error: unknown) => {
    if (!(error instanceof Stopped)) failure = { error };
  }).finally(() => {
    finished = true;
    wake();
  });
  try {
    for (;;) {
      const window = ready.shift();
      if (window !== undefined) {
        wakeReader?.();
        yield window;
        continue;
      }
      if (failure !== undefined) throw failure.error;
      if (finished) return;
      await new Promise<void>((resolve) => { wakeConsumer = resolve; });
    }
  } finally {
    stopped = true;
    wakeReader?.();
    await reading;
  }
}

/** Where a replay's records come from: memory, or the trace file read again as the replay goes. */
export type RecordSource =
  | { readonly kind: 'memory'; readonly records: readonly TraceRecord[] }
  | { readonly kind: 'file'; readonly path: string; readonly options: TraceSourceOptions };

export function windowsFrom(source: RecordSource, size = WINDOW_RECORDS): AsyncIterable<TraceRecord[]> | Iterable<TraceRecord[]> {
  return source.kind === 'memory' ? windowsOf(source.records, Math.max(1, size)) : streamWindows(source.path, source.options, Math.max(1, size));
}
