// Runs the cells of a corpus (trace × build) with up to `jobs` replays at once and returns their
// outcomes in input order, one QEMU per replay.
//
// Where they run: the first replay in the main thread, each further one in a worker thread of its
// own. A replay is a ping-pong with its QEMU (send a batch, wait for the replies, compare, send the
// next), so two replays sharing one thread wait for each other's comparing; a worker costs an
// isolate that compiles the same code again, which compiler-tuning.ts keeps small. Measured on
// 2 cores, 12 shipped traces, installed QEMU (`npm run bench:parallel`, 2026-12-07): both replays
// in the main thread 0.71x the time of one at a time, one here and one in a worker 0.64x (before the
// tuning, when the optimising compiler took the second core's time, 0.69-0.73x either way).

import { statSync } from 'node:fs';
import { reaping } from '../target/reaper.js';
import { runCell, type CellOutcome, type CellRequest } from './cell.js';
import { runOrdered } from './ordered.js';
import type { WorkerPool } from './worker-pool.js';

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
  const pool = lanes === 1 ? undefined : new (await import('./worker-pool.js')).WorkerPool(lanes - 1);
  // The main thread's slot first: a worker's cell starts only when a second replay runs at once.
  const free: Slot[] = Array.from({ length: lanes }, (_, i) => (i === 0 ? 'main' : i - 1));
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
      concurrency: lanes, startOrder: lanes > 1 ? longestFirst(requests) : undefined, onDone: (_, __, done) => options.onProgress?.(done, requests.length), stopped: () => reaping() || pool?.stopped === true,
    });
  } finally {
    await pool?.close();
  }
}

function runIn(slot: Slot, request: CellRequest, options: RunCellsOptions, pool: WorkerPool | undefined): Promise<CellOutcome> {
  if (slot !== 'main') return pool!.run(slot, request, options.onWarning);
  return runCell(request, { onWarning: options.onWarning, ...(options.onCellProgress === undefined ? {} : { onProgress: options.onCellProgress }) });
}

/**
 * Indices of the cells, the largest trace file first (ties in input order): started in that order,
 * the last replays to start are short ones, so the lanes end close together. On 2 cores, 12 shipped
 * traces with -j 2: 4.76-4.84 s against 4.82-5.08 s in input order (three runs each, 2026-12-07). A
 * trace that cannot be read counts as empty here; its cell reports why.
 */
export function longestFirst(requests: readonly CellRequest[]): number[] {
  // One stat per trace, not per cell (a trace has a cell for each build compared).
  const sizeOf = new Map<string, number>();
  const sizes = requests.map((request) => {
    let size = sizeOf.get(request.trace);
    if (size === undefined) sizeOf.set(request.trace, size = fileSize(request.trace));
    return size;
  });
  return requests.map((_, i) => i).sort((a, b) => sizes[b]! - sizes[a]! || a - b);
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
