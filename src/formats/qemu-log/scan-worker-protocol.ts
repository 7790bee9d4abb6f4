// Messages between the main thread and scan-worker.ts.

import type { ForeignCounts } from './line-classifier.js';

/** Bytes read per block; large blocks amortise the per-message cost. */
export const READ_BYTES = 1 << 18;
/** Room for the partial line carried over from the previous block. */
export const CARRY_ROOM = 1 << 16;
/**
 * Blocks in flight at once. Their buffers circulate between the threads (transferred, never
 * copied, and reused), so memory stays at a few MiB whatever the file size.
 */
export const MAX_BLOCKS_IN_FLIGHT = 4;

export interface ScanWorkerData {
  readonly path: string;
  /** PCI device model names whose pci_cfg lines are the NIC's. */
  readonly nicDevices: readonly string[];
  /** Int32 counter of blocks posted but not yet returned. */
  readonly inFlight: SharedArrayBuffer;
  /** The main thread sends consumed blocks' buffers back on this port. */
  readonly returns: import('node:worker_threads').MessagePort;
}

/** The reusable buffers of one block. */
export interface BlockBuffers {
  readonly bytes: ArrayBuffer;
  readonly starts: Int32Array;
  readonly fields: Float64Array;
}

export type ScanWorkerMessage =
  | (BlockBuffers & {
    readonly type: 'block';
    /** Bytes of whole lines in `bytes`. */
    readonly byteLength: number;
    /** Bytes of the file this block covers (for progress). */
    readonly sourceBytes: number;
    readonly count: number;
    readonly lines: number;
  })
  /** `foreign`: the lines not about the device, counted by name and not sent. */
  | { readonly type: 'done'; readonly foreign: ForeignCounts }
  | { readonly type: 'error'; readonly message: string; readonly code: string | undefined };
