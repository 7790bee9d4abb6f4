// Bidirectional text channels to QEMU, in the vscode-jsonrpc split: a transport only moves text;
// line framing and request/reply matching live in line-framing.ts and the clients.
//
// Implementations:
//  - StreamTransport over a Node readable/writable pair: a unix socket (see unix-socket.ts) or a
//    child's stdout/stdin (`-qtest stdio`).
//  - An in-memory pair, for protocol unit tests without QEMU.

import type { Readable, Writable } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { Emitter, type Event } from './events.js';

export interface TransportClosed {
  /** The error that ended the channel, if it did not end cleanly. */
  readonly error?: Error;
}

export interface Transport {
  /**
   * Queues text for sending. After the transport closed, writes are dropped: the close event has
   * already told every user, and QEMU is not there to read them.
   */
  write(data: string): void;
  /** Closes both directions. Idempotent; fires onClose once if it had not fired yet. */
  close(): void;
  readonly closed: boolean;
  /** Incoming text in arbitrary chunks (a line may be split across chunks). */
  readonly onData: Event<string>;
  /** A read or write error; always followed by onClose. */
  readonly onError: Event<Error>;
  /** Fires exactly once, when the channel is gone for whatever reason. */
  readonly onClose: Event<TransportClosed>;
}

/** Shared event plumbing: guarantees "error, then close, exactly once". */
abstract class TransportBase implements Transport {
  private readonly dataEmitter = new Emitter<string>();
  private readonly errorEmitter = new Emitter<Error>();
  private readonly closeEmitter = new Emitter<TransportClosed>();
  private isClosed = false;

  readonly onData = this.dataEmitter.event;
  readonly onError = this.errorEmitter.event;
  readonly onClose = this.closeEmitter.event;

  get closed(): boolean {
    return this.isClosed;
  }

  abstract write(data: string): void;
  abstract close(): void;

  protected emitData(chunk: string): void {
    if (!this.isClosed && chunk.length > 0) this.dataEmitter.fire(chunk);
  }

  /** Marks the transport closed and notifies listeners; later calls are ignored. */
  protected finish(error?: Error): boolean {
    if (this.isClosed) return false;
    this.isClosed = true;
    if (error !== undefined) this.errorEmitter.fire(error);
    this.closeEmitter.fire(error === undefined ? {} : { error });
    this.dataEmitter.dispose();
    this.errorEmitter.dispose();
    this.closeEmitter.dispose();
    return true;
  }
}

/**
 * A transport over Node streams. Writes are not throttled by backpressure: Node buffers them, and
 * the qtest client bounds what is in flight by how many requests its caller issues.
 */
export class StreamTransport extends TransportBase {
  /** A socket is both ends; a child's stdio is two streams. */
  private readonly duplex: boolean;

  constructor(private readonly readable: Readable, private readonly writable: Writable) {
    super();
    this.duplex = Object.is(readable, writable);
    readable.setEncoding('utf8');
    readable.on('data', (chunk: string) => this.emitData(chunk));
    readable.on('end', () => this.finish());
    readable.on('close', () => this.finish());
    readable.on('error', (error: Error) => this.finish(error));
    if (!this.duplex) {
      writable.on('error', (error: Error) => this.finish(error));
      writable.on('close', () => this.finish());
    }
    // A connection that died before we attached has already emitted 'close'.
    if (readable.destroyed) queueMicrotask(() => this.finish());
  }

  write(data: string): void {
    if (this.closed || this.writable.destroyed) return;
    this.writable.write(data);
  }

  close(): void {
    this.finish();
    this.readable.destroy();
    if (!this.duplex) this.writable.destroy();
  }
}

export function socketTransport(socket: Socket): StreamTransport {
  return new StreamTransport(socket, socket);
}

/** QEMU's stdio as the channel (`-qtest stdio`): we write its stdin and read its stdout. */
export function childStdioTransport(child: ChildProcess): StreamTransport {
  if (child.stdin === null || child.stdout === null) {
    throw new TypeError('childStdioTransport needs a child spawned with stdin and stdout pipes');
  }
  return new StreamTransport(child.stdout, child.stdin);
}

/** One end of an in-memory pair. Data written on one end arrives on the other, asynchronously and in order. */
export class MemoryTransport extends TransportBase {
  private peer: MemoryTransport | undefined;

  /** @internal used by createMemoryTransportPair */
  connect(peer: MemoryTransport): void {
    this.peer = peer;
  }

  write(data: string): void {
    const peer = this.peer;
    if (this.closed || peer === undefined) return;
    // Asynchronous like a real socket, so tests see the same re-entrancy as with QEMU.
    queueMicrotask(() => peer.emitData(data));
  }

  close(): void {
    this.shutDown(undefined);
  }

  /** Test hook: ends both ends as a broken connection would, with `error` on this end. */
  fail(error: Error): void {
    this.shutDown(error);
  }

  private shutDown(error: Error | undefined): void {
    // Let data already written arrive first, as a socket delivers buffered data before EOF.
    queueMicrotask(() => {
      this.finish(error);
      this.peer?.finish();
    });
  }
}

export function createMemoryTransportPair(): [MemoryTransport, MemoryTransport] {
  const a = new MemoryTransport();
  const b = new MemoryTransport();
  a.connect(b);
  b.connect(a);
  return [a, b];
}
