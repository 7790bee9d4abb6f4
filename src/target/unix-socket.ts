// Unix-socket endpoints for qtest and QMP.
//
// As libqtest does, the tool listens and QEMU connects as a client (`-chardev socket,path=P`
// without server=on, verified on QEMU 10.0.2). Listening first means there is no window where
// QEMU's socket exists but is not ready, no polling for the path to appear, and a QEMU that dies
// during start-up is noticed by its exit instead of a connect timeout.
// connectUnixSocket covers the other direction (QEMU started by someone else with server=on).

import { createServer, createConnection, type Server, type Socket } from 'node:net';
import { socketTransport, type Transport } from './transport.js';
import { TargetError, TargetTimeoutError } from './errors.js';

/** sun_path is 108 bytes on Linux and 104 on macOS/BSD, including the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = 103;

export function checkSocketPath(path: string): void {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new TargetError('launch-failed', `unix socket path is too long (${Buffer.byteLength(path)} bytes): ${path}`,
      'set TMPDIR to a shorter directory (e.g. /tmp)');
  }
}

export interface AcceptOptions {
  readonly timeoutMs: number;
  /** Aborting rejects the pending accept with the signal's reason (e.g. "QEMU exited"). */
  readonly signal?: AbortSignal;
}

/** A listening socket that hands out accepted connections as transports. */
export class UnixSocketListener {
  private readonly accepted: Socket[] = [];
  private waiter: ((socket: Socket) => void) | undefined;

  private constructor(private readonly server: Server, readonly path: string) {
    server.on('connection', (socket) => {
      if (this.waiter !== undefined) this.waiter(socket);
      else this.accepted.push(socket);
    });
  }

  static listen(path: string): Promise<UnixSocketListener> {
    checkSocketPath(path);
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', (error) => reject(new TargetError('launch-failed',
        `cannot listen on ${path}: ${error.message}`, undefined, { cause: error })));
      server.listen(path, () => resolve(new UnixSocketListener(server, path)));
    });
  }

  /** Waits for the next connection. */
  accept(options: AcceptOptions): Promise<Transport> {
    const ready = this.accepted.shift();
    if (ready !== undefined) return Promise.resolve(socketTransport(ready));
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.waiter = undefined;
      };
      const onAbort = (): void => {
        cleanup();
        reject(options.signal?.reason);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new TargetTimeoutError(`accept on ${this.path}`, options.timeoutMs));
      }, options.timeoutMs);
      if (options.signal?.aborted === true) return onAbort();
      options.signal?.addEventListener('abort', onAbort);
      this.waiter = (socket) => {
        cleanup();
        resolve(socketTransport(socket));
      };
    });
  }

  /**
   * Stops listening; accepted connections stay open. The listening handle closes at once (libuv
   * also unlinks the socket file); server.close()'s callback is not awaited because it only fires
   * once every accepted connection has ended.
   */
  close(): void {
    for (const socket of this.accepted.splice(0)) socket.destroy();
    this.server.close();
  }
}

/** Connects to a socket someone else listens on (e.g. QEMU's `-chardev socket,server=on`). */
export function connectUnixSocket(path: string, timeoutMs: number): Promise<Transport> {
  checkSocketPath(path);
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TargetTimeoutError(`connect to ${path}`, timeoutMs));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socketTransport(socket));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new TargetError('launch-failed', `cannot connect to ${path}: ${error.message}`, undefined, { cause: error }));
    });
  });
}
