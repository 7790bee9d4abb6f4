// Worker threads that run replay cells beyond the one the main thread takes (`replay -j N`, N > 1,
// see run-cells.ts): each runs the cells it is given, each against its own QEMU.
//
// The pool answers to the reaper like a QEMU does: on Ctrl-C (shutdown) every worker is told to stop
// its QEMU and start none, and is ended once it has; on a sudden exit (shutdownSync) the QEMUs the
// workers reported are killed and their directories removed from here.

import { rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Disposable } from '../target/events.js';
import { signalProcessTree } from '../target/managed-child.js';
import { registerForReaping, type Reapable } from '../target/reaper.js';
import type { CellOutcome, CellRequest, StartedQemu } from './cell.js';
import { deserializeError, type FromWorker, type ToWorker } from './messages.js';

/** How long a worker may take to stop its QEMU when told to (SIGTERM, then SIGKILL after 2 s). */
const REAP_WAIT_MS = 5_000;

interface Pending {
  readonly resolve: (outcome: CellOutcome) => void;
  readonly reject: (error: Error) => void;
  readonly onWarning: (message: string) => void;
  readonly keepTempDir: boolean;
  qemu?: StartedQemu;
}

class PoolWorker {
  readonly pending = new Map<number, Pending>();
  private reaped: (() => void) | undefined;
  /** The thread ended (a crash, or terminate()): it takes no more cells. */
  dead = false;

  constructor(readonly worker: Worker) {
    worker.on('message', (message: FromWorker) => this.receive(message));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`a replay worker thread exited (code ${code})`)));
  }

  send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  /** Asks the worker to stop its QEMU; resolves when it has, or after REAP_WAIT_MS. */
  reap(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, REAP_WAIT_MS);
      this.reaped = () => {
        clearTimeout(timer);
        resolve();
      };
      this.send({ type: 'reap' });
    });
  }

  private receive(message: FromWorker): void {
    if (message.type === 'reaped') {
      this.reaped?.();
      return;
    }
    const pending = this.pending.get(message.id);
    if (pending === undefined) return;
    switch (message.type) {
      case 'warning': pending.onWarning(message.message); break;
      case 'qemu': pending.qemu = message.qemu; break;
      case 'done':
        this.pending.delete(message.id);
        pending.resolve(message.outcome);
        break;
      case 'failed':
        this.pending.delete(message.id);
        pending.reject(deserializeError(message.error));
        break;
    }
  }

  private fail(error: Error): void {
    this.dead = true;
    this.reaped?.();
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

export class WorkerPool implements Reapable {
  private readonly workers: PoolWorker[];
  private readonly registration: Disposable;
  private nextId = 0;
  private closing = false;

  constructor(size: number) {
    const script = new URL('./replay-worker.js', import.meta.url);
    this.workers = Array.from({ length: size }, () => new PoolWorker(new Worker(script)));
    this.registration = registerForReaping(this);
  }

  /** True once the pool is being stopped: start nothing more. */
  get stopped(): boolean {
    return this.closing;
  }

  /** Runs a cell on worker `index` (the caller decides how many each runs at once). */
  run(index: number, request: CellRequest, onWarning: (message: string) => void): Promise<CellOutcome> {
    const worker = this.workers[index]!;
    if (this.closing) return Promise.reject(new Error('the replay was interrupted'));
    if (worker.dead) return Promise.reject(new Error('a replay worker thread ended'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      worker.pending.set(id, { resolve, reject, onWarning, keepTempDir: request.prepare.keepTempDir === true });
      worker.send({ type: 'run', id, request });
    });
  }

  /** Ends the workers once their cells are done (they start none after that). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.registration.dispose();
  }

  // Reapable: the reaper calls these on a signal or at exit.
  async shutdown(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.reap()));
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.registration.dispose();
  }

  shutdownSync(): void {
    this.closing = true;
    for (const worker of this.workers) {
      for (const pending of worker.pending.values()) {
        if (pending.qemu === undefined) continue;
        signalProcessTree(pending.qemu.pid, 'SIGKILL');
        if (!pending.keepTempDir) rmSync(pending.qemu.tempDir, { recursive: true, force: true });
      }
    }
  }
}
