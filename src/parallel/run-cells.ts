// Runs the cells of a corpus (trace × build) with up to `jobs` replays at once and returns their
// outcomes in input order. One cell, or -j 1, runs in this thread as a lone replay always has;
// more run in worker threads (worker-pool.ts), one QEMU per replay.

import { runCell, type CellOutcome, type CellRequest } from './cell.js';
import { runOrdered } from './ordered.js';

export interface RunCellsOptions {
  readonly jobs: number;
  readonly onWarning: (message: string) => void;
  /** Cells completed so far, of all. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Progress within a cell when it runs in this thread (steps done of total). */
  readonly onCellProgress?: (done: number, total: number) => void;
}

export async function runCells(requests: readonly CellRequest[], options: RunCellsOptions): Promise<CellOutcome[]> {
  const jobs = Math.min(options.jobs, requests.length);
  const onDone = (_: number, __: CellOutcome, done: number): void => options.onProgress?.(done, requests.length);
  if (jobs <= 1) {
    return runOrdered(requests, (request) => runCell(request, {
      onWarning: options.onWarning, ...(options.onCellProgress === undefined ? {} : { onProgress: options.onCellProgress }),
    }), { concurrency: 1, onDone });
  }
  const { WorkerPool } = await import('./worker-pool.js');
  const pool = new WorkerPool(jobs);
  try {
    return await runOrdered(requests, (request) => pool.run(request, options.onWarning), { concurrency: jobs, onDone, stopped: () => pool.stopped });
  } finally {
    await pool.close();
  }
}
