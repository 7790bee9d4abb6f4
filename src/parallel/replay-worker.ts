// A worker thread of a parallel replay: runs the cells the main thread sends, one at a time, each
// against its own QEMU, and reports back what it started so the main thread can stop it. Signals
// reach only the main thread: on Ctrl-C it sends `reap`, and this thread's reaper stops its QEMU and
// any it would still start.

import { parentPort } from 'node:worker_threads';
import { reapAll } from '../target/reaper.js';
import { runCell } from './cell.js';
import { serializeError, type FromWorker, type ToWorker } from './messages.js';

const port = parentPort;
if (port === null) throw new Error('replay-worker.js runs as a worker thread');

function post(message: FromWorker): void {
  port!.postMessage(message);
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'reap') {
    void reapAll().then(() => post({ type: 'reaped' }));
    return;
  }
  const { id, request } = message;
  runCell(request, {
    onWarning: (text) => post({ type: 'warning', id, message: text }),
    onQemu: (qemu) => post({ type: 'qemu', id, qemu }),
  }).then(
    (outcome) => post({ type: 'done', id, outcome }),
    (error: unknown) => post({ type: 'failed', id, error: serializeError(error) }),
  );
});
