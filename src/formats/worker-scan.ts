// Main-thread side of parsing a large file with scan-worker.ts: start the worker, build records
// from each scanned block as it arrives, return credits so the worker reads on.

import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { TraceInputError } from './errors.js';
import type { QemuLogParser } from './qemu-log/parser.js';
import type { ScanWorkerData, ScanWorkerMessage } from './qemu-log/scan-worker-protocol.js';

/** Below this size the worker's start-up (about 30 ms) costs more than it saves. */
export const WORKER_MIN_BYTES = 8 << 20;

const workerUrl = new URL('./qemu-log/scan-worker.js', import.meta.url);

/**
 * Whether to use the worker for `path`: a regular file large enough, and the compiled worker
 * script present (it is not when the TypeScript sources run directly, as under Jest).
 */
export function shouldScanInWorker(path: string): boolean {
  if (path === '-' || process.env.IGB_REPLAY_NO_WORKER === '1') return false;
  try {
    return statSync(path).size >= WORKER_MIN_BYTES && existsSync(fileURLToPath(workerUrl));
  } catch {
    return false;
  }
}

/** Parses `path` through the worker into `parser`; resolves with the number of bytes read. */
export function scanInWorker(name: string, path: string, parser: QemuLogParser,
  onProgress?: (bytesRead: number) => void, pace?: () => Promise<void>): Promise<number> {
  const inFlight = new SharedArrayBuffer(4);
  const credits = new Int32Array(inFlight);
  const { port1: returns, port2 } = new MessageChannel();
  const data: ScanWorkerData = { path, inFlight, returns: port2, nicDevices: parser.nicDeviceNames };
  const worker = new Worker(workerUrl, { workerData: data, transferList: [port2] });
  let bytes = 0;
  let failed = false;
  // Paces run one after another, so a slow consumer sees one wait at a time.
  let paced: Promise<void> = Promise.resolve();
  return new Promise<number>((resolve, reject) => {
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      returns.close();
      void worker.terminate();
      reject(error);
    };
    worker.on('message', (message: ScanWorkerMessage) => {
      if (failed) return;
      if (message.type === 'error') return fail(new TraceInputError(name, `read failed: ${message.code ?? message.message}`));
      if (message.type === 'done') {
        parser.addForeignCounts(message.foreign);
        returns.close();
        return void worker.terminate().then(() => resolve(bytes), reject);
      }
      try {
        parser.consume(Buffer.from(message.bytes, 0, message.byteLength), message);
      } catch (error) {
        return fail(error);
      }
      bytes += message.sourceBytes;
      onProgress?.(bytes);
      // Hand the buffers back for reuse, then wake the worker if it waits for them; a slow
      // consumer (pace) holds them back, which stops the worker after a few blocks.
      const giveBack = (): void => {
        returns.postMessage({ bytes: message.bytes, starts: message.starts, fields: message.fields },
          [message.bytes, message.starts.buffer as ArrayBuffer, message.fields.buffer as ArrayBuffer]);
        Atomics.sub(credits, 0, 1);
        Atomics.notify(credits, 0);
      };
      if (pace === undefined) giveBack();
      else paced = paced.then(pace).then(giveBack, fail);
    });
    worker.on('error', fail);
  });
}
