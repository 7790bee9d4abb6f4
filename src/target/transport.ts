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
  /**
   * Incoming text in arbitrary chunks (a line may be split across chunks). Text that arrived
   * before the first listener attached is delivered to it, never dropped.
   */
  readonly onData: Event<string>;
  /** A read or write error; always followed by onClose. */
  readonly onError: Event<Error>;
  /**
   * Fires exactly once, when the channel is gone for whatever reason, after all data received
   * before it; a listener that attaches after the close is still called.
   */
  readonly onClose: Event<TransportClosed>;
}

/**
 * Shared event plumbing: guarantees "error, then close, exactly once", and that nothing is lost
 * to a listener that attaches late. QEMU may write (the QMP greeting) as soon as its connection is
 * accepted, while the launcher is still waiting for the other connection; a wrapper given as the
 * QEMU binary (valgrind, rr, strace) makes that order common. So data that arrives before the first
 * data listener is kept and handed to it, and a close listener that attaches after the close is
 * told too, after any kept data has been delivered.
 */
abstract class TransportBase implements Transport {
  private readonly dataEmitter = new Emitter<string>();
  private readonly errorEmitter = new Emitter<Error>();
  private readonly closeEmitter = new Emitter<TransportClosed>();
  /** Chunks not yet delivered: they arrived while nobody listened (or behind such chunks). */
  private backlog: string[] = [];
  private closedWith: TransportClosed | undefined;

  readonly onError = this.errorEmitter.event;

  /** The first listener gets what arrived before it, on a microtask, ahead of anything newer. */
  readonly onData: Event<string> = (listener) => {
    const subscription = this.dataEmitter.event(listener);
    if (this.backlog.length > 0) queueMicrotask(() => this.deliverBacklog());
    return subscription;
  };

  /** A listener attaching after the close still hears of it (on a microtask, after the backlog). */
  readonly onClose: Event<TransportClosed> = (listener) => {
    const closedWith = this.closedWith;
    if (closedWith === undefined) return this.closeEmitter.event(listener);
    let subscribed = true;
    queueMicrotask(() => {
      this.deliverBacklog();
      if (subscribed) listener(closedWith);
    });
    return { dispose: () => { subscribed = false; } };
  };

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  abstract write(data: string): void;
  abstract close(): void;

  protected emitData(chunk: string): void {
    if (this.closed || chunk.length === 0) return;
    // Behind an undelivered backlog, a chunk waits its turn so the order stays the stream's.
    if (this.backlog.length > 0 || !this.dataEmitter.hasListeners) this.backlog.push(chunk);
    else this.dataEmitter.fire(chunk);
  }

  private deliverBacklog(): void {
    // One at a time: a listener may detach midway, and the rest must then wait for the next one.
    while (this.backlog.length > 0 && this.dataEmitter.hasListeners) this.dataEmitter.fire(this.backlog.shift() as string);
  }

  /** Marks the transport closed and notifies listeners; later calls are ignored. */
  protected finish(error?: Error): boolean {
    if (this.closedWith !== undefined) return false;
    this.deliverBacklog(); // data that arrived before the close is seen before it
    const closedWith = error === undefined ? {} : { error };
    this.closedWith = closedWith;
    if (error !== undefined) this.errorEmitter.fire(error);
    this.closeEmitter.fire(closedWith);
    // The data emitter keeps its listeners: a backlog nobody has taken yet may still be delivered.
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
