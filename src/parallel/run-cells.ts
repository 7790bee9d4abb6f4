// Runs the cells of a corpus (trace × build) with up to `jobs` replays at once and returns their
// outcomes in input order, one QEMU per replay.
//
// Where they run: a replay keeps Node's main thread busy a little under half its time (parsing the
// trace and QEMU's log, comparing; the rest it waits on QEMU), so one thread carries
// LANES_PER_THREAD replays at once; more go to worker threads, LANES_PER_THREAD each. Threads are
// not free: each V8 isolate compiles the same code again, and its optimising compiler is about a
// third of a replay's CPU. Measured on 2 cores, 12 traces, installed QEMU: two replays in the main
// thread 0.80× the time of one at a time, one in the main thread and one in a worker 0.93×.

import { reaping } from '../target/reaper.js';
import { runCell, type CellOutcome, type CellRequest } from './cell.js';
import { runOrdered } from './ordered.js';
import type { WorkerPool } from './worker-pool.js';

/** Replays one thread runs at once. */
export const LANES_PER_THREAD = 2;

export interface RunCellsOptions {
  readonly jobs: number;
  readonly onWarning: (message: string) => void;
  /** Cells completed so far, of all. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Progress within the cell when only one runs (steps done of total). */
  readonly onCellProgress?: (done: number, total: number) => void;
}

/** `main` for this thread, else the index of a worker. */
type Slot = 'main' | number;

export async function runCells(requests: readonly CellRequest[], options: RunCellsOptions): Promise<CellOutcome[]> {
  const lanes = Math.max(1, Math.min(options.jobs, requests.length));
  const workers = Math.ceil(lanes / LANES_PER_THREAD) - 1;
  const pool = workers === 0 ? undefined : new (await import('./worker-pool.js')).WorkerPool(workers);
  // Main-thread slots first: a third replay goes to a worker only when two run here.
  const free: Slot[] = Array.from({ length: lanes }, (_, i) => (i < LANES_PER_THREAD ? 'main' : Math.floor(i / LANES_PER_THREAD) - 1));
  const run = async (request: CellRequest): Promise<CellOutcome> => {
    const slot = free.shift()!;
    try {
      return await runIn(slot, request, options, pool);
    } finally {
      free.unshift(slot);
    }
  };
  try {
    return await runOrdered(requests, run, {
      concurrency: lanes, onDone: (_, __, done) => options.onProgress?.(done, requests.length), stopped: () => reaping() || pool?.stopped === true,
    });
  } finally {
    await pool?.close();
  }
}

function runIn(slot: Slot, request: CellRequest, options: RunCellsOptions, pool: WorkerPool | undefined): Promise<CellOutcome> {
  if (slot !== 'main') return pool!.run(slot, request, options.onWarning);
  return runCell(request, { onWarning: options.onWarning, ...(options.onCellProgress === undefined ? {} : { onProgress: options.onCellProgress }) });
}
