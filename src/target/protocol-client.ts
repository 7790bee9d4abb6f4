// The lifecycle the qtest and QMP clients share: a line protocol over a transport that is open,
// then closing (the transport went away and the launcher is still finding out why), then closed.
// Once closed, every pending request has been rejected with one error, and so is every request
// made later; onClose fires exactly once with that error.
//
// Why "closing": when QEMU drops a connection it has usually died, and the useful error names its
// exit status and quotes its stderr, which takes a moment to learn. Requests made meanwhile must
// get that error too, not a vaguer one, so they wait instead of being written.

import { Emitter } from './events.js';
import { LineFramer } from './line-framing.js';
import type { Transport, TransportClosed } from './transport.js';
import { TargetClosedError } from './errors.js';

export type ProtocolName = 'qtest' | 'QMP';

export interface ProtocolClientOptions {
  /**
   * Builds the error pending requests are rejected with when the transport closes on its own.
   * The launcher uses it to wait for QEMU's exit status and quote its stderr.
   */
  readonly describeClose?: (closed: TransportClosed) => Promise<Error>;
}

type State = 'open' | 'closing' | 'closed';

export abstract class ProtocolClient {
  private readonly framer = new LineFramer((line) => this.onLine(line));
  private readonly closeEmitter = new Emitter<Error>();
  private state: State = 'open';
  private closeError: Error | undefined;

  /** Fires once when the client becomes unusable, with the error pending requests got. */
  readonly onClose = this.closeEmitter.event;

  protected constructor(
    protected readonly transport: Transport,
    private readonly protocol: ProtocolName,
    private readonly describeClose: ProtocolClientOptions['describeClose'],
  ) {
    // The transport delivers data and a close that happened before these subscriptions later, on
    // a microtask, so nothing reaches the subclass before its own fields are initialised.
    transport.onData((chunk) => this.framer.push(chunk));
    transport.onClose((closed) => void this.onTransportClosed(closed));
  }

  /** True once the client no longer sends requests (closing or closed). */
  get closed(): boolean {
    return this.state !== 'open';
  }

  /** Closes the connection; pending requests reject with TargetClosedError. Idempotent. */
  close(): void {
    if (this.state === 'closed') return;
    this.finalize(new TargetClosedError(`${this.protocol} client closed`));
    this.transport.close();
  }

  /** One complete incoming line, without its line ending. */
  protected abstract onLine(line: string): void;

  /** Rejects everything pending with `error` and releases the subclass's own listeners. */
  protected abstract onFinalized(error: Error): void;

  /**
   * The error a new request must be rejected with now, or undefined if it may proceed. While
   * closing it may be queued but not written (see `writable`): finalize() will reject it.
   */
  protected get refusal(): Error | undefined {
    if (this.state !== 'closed') return undefined;
    return this.closeError ?? new TargetClosedError(`${this.protocol} client closed`);
  }

  /** Whether requests may be written to the transport now. */
  protected get writable(): boolean {
    return this.state === 'open';
  }

  /** The reply stream can no longer be trusted: fail everything and drop the connection. */
  protected abandon(cause: Error): void {
    this.abandonWith(new TargetClosedError(`${this.protocol} connection abandoned: ${cause.message}`, undefined, '', { cause }));
  }

  protected abandonWith(error: Error): void {
    this.finalize(error);
    this.transport.close();
  }

  private async onTransportClosed(closed: TransportClosed): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.finalize(await closeErrorFor(this.protocol, closed, this.describeClose));
  }

  private finalize(error: Error): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeError = error;
    this.onFinalized(error);
    this.closeEmitter.fire(error);
    this.closeEmitter.dispose();
  }
}

/**
 * The caller's description of a close, or, when there is none or it fails, a plain one naming
 * the protocol.
 */
async function closeErrorFor(protocol: ProtocolName, closed: TransportClosed,
  describeClose: ProtocolClientOptions['describeClose']): Promise<Error> {
  const fallback = (): Error => new TargetClosedError(
    closed.error === undefined ? `QEMU closed the ${protocol} connection` : `${protocol} connection failed: ${closed.error.message}`,
    undefined, '', { cause: closed.error });
  if (describeClose === undefined) return fallback();
  try {
    return await describeClose(closed);
  } catch {
    return fallback();
  }
}
