// Worker thread for large trace files: reads the file and runs the first parsing stage
// (block-scan.ts) while the main thread builds records from the previous block. Buffers move
// between the threads without copying (transferred ArrayBuffers) and come back for reuse; with
// MAX_BLOCKS_IN_FLIGHT blocks out, the worker waits for one to return, which bounds memory.

import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { Ch } from '../chars.js';
import { type BlockScan, createBlockScan, scanBlock } from './block-scan.js';
import { LineClassifier } from './line-classifier.js';
import { FastCoreLine } from './fast-core.js';
import {
  type BlockBuffers, CARRY_ROOM, MAX_BLOCKS_IN_FLIGHT, READ_BYTES, type ScanWorkerData, type ScanWorkerMessage,
} from './scan-worker-protocol.js';

/** Initial line capacity of a block's scan arrays (grown when a block has more, shorter lines). */
const LINES_PER_BLOCK = Math.ceil(READ_BYTES / 48);

class BufferPool {
  private readonly free: BlockBuffers[] = [];
  private created = 0;

  constructor(private readonly data: ScanWorkerData, private readonly inFlight: Int32Array) {}

  /** A block's buffers with at least `bytes` bytes; waits for a returned one when all are out. */
  take(bytes: number): BlockBuffers {
    for (;;) {
      this.drainReturns();
      const index = this.free.findIndex((buffers) => buffers.bytes.byteLength >= bytes);
      if (index >= 0) return this.free.splice(index, 1)[0]!;
      if (this.created < MAX_BLOCKS_IN_FLIGHT || this.free.length > 0) {
        // Too small a returned buffer (a very long line) is dropped and replaced.
        if (this.free.length > 0) this.free.pop();
        else this.created++;
        const scan = createBlockScan(LINES_PER_BLOCK);
        return { bytes: new ArrayBuffer(Math.max(bytes, READ_BYTES + CARRY_ROOM)), starts: scan.starts, fields: scan.fields };
      }
      const out = Atomics.load(this.inFlight, 0);
      if (out >= MAX_BLOCKS_IN_FLIGHT) Atomics.wait(this.inFlight, 0, out, 1000);
    }
  }

  private drainReturns(): void {
    for (let message = receiveMessageOnPort(this.data.returns); message !== undefined;
      message = receiveMessageOnPort(this.data.returns)) {
      this.free.push(message.message as BlockBuffers);
    }
  }
}

function run(data: ScanWorkerData): void {
  const inFlight = new Int32Array(data.inFlight);
  const pool = new BufferPool(data, inFlight);
  const fast = new FastCoreLine();
  const classifier = new LineClassifier(data.nicDevices);
  const fd = openSync(data.path, 'r');
  try {
    let carry = Buffer.alloc(0);
    for (;;) {
      const buffers = pool.take(carry.length + READ_BYTES + 1);
      const block = Buffer.from(buffers.bytes);
      carry.copy(block, 0);
      const read = readSync(fd, block, carry.length, READ_BYTES, null);
      const filled = carry.length + read;
      if (read === 0) {
        // A last line without a newline gets one, as in-thread parsing does.
        if (filled > 0) {
          block[filled] = Ch.Newline;
          post(fast, classifier, inFlight, block, buffers, filled + 1, filled);
        }
        break;
      }
      const blockEnd = block.lastIndexOf(Ch.Newline, filled - 1) + 1;
      carry = Buffer.from(block.subarray(blockEnd, filled));
      post(fast, classifier, inFlight, block, buffers, blockEnd, blockEnd);
    }
    parentPort!.postMessage({ type: 'done', foreign: classifier.foreignCounts() } satisfies ScanWorkerMessage);
  } finally {
    closeSync(fd);
  }
}

function post(fast: FastCoreLine, classifier: LineClassifier, inFlight: Int32Array, block: Buffer, buffers: BlockBuffers, blockEnd: number,
  sourceBytes: number): void {
  const scan: BlockScan = { count: 0, lines: 0, starts: buffers.starts, fields: buffers.fields };
  scanBlock(fast, classifier, block, 0, blockEnd, scan);
  Atomics.add(inFlight, 0, 1);
  const message: ScanWorkerMessage = {
    type: 'block', bytes: buffers.bytes, byteLength: blockEnd, sourceBytes, count: scan.count, lines: scan.lines,
    starts: scan.starts, fields: scan.fields,
  };
  parentPort!.postMessage(message, [buffers.bytes, scan.starts.buffer as ArrayBuffer, scan.fields.buffer as ArrayBuffer]);
}

try {
  run(workerData as ScanWorkerData);
} catch (error) {
  const message: ScanWorkerMessage = { type: 'error', message: (error as Error).message, code: (error as NodeJS.ErrnoException).code };
  parentPort!.postMessage(message);
}
