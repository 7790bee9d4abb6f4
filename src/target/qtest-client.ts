// A pipelining qtest client.
//
// Requests are written without waiting for replies; QEMU answers strictly in order, so replies are
// matched FIFO. Commands issued in the same tick are coalesced into one write (a microtask flush),
// and sendBatch() issues a whole batch at once: pipelining is what takes the client from ~8k to
// ~300-400k commands/s (see reference/replay-feasibility.md).
//
// Failure model:
//  - `FAIL ...` / `ERR ...` rejects that request with QtestCommandError; the connection stays usable.
//  - `IRQ raise|lower N` lines are asynchronous notifications, not replies: emitted on onIrq.
//  - A timeout, an unsolicited or unparsable line, or the transport closing ends the connection:
//    once replies cannot be trusted to line up, every pending request is rejected.

import { Emitter } from './events.js';
import { encodeLines } from './line-framing.js';
import { PendingQueue } from './pending-queue.js';
import type { Transport } from './transport.js';
import { ProtocolClient, type ProtocolClientOptions } from './protocol-client.js';
import {
  decodeReply, encodeCommand, parseIrqLine, replyKind, validateRawCommand,
  type Endianness, type Integer, type IrqEvent, type QtestCommand, type QtestResult, type QtestResultByOp,
} from './qtest-protocol.js';
import { ProtocolError, QtestCommandError, TargetClosedError, TargetTimeoutError } from './errors.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export interface QtestClientOptions extends ProtocolClientOptions {
  /** Per-request timeout in ms, counted from when the request is issued; Infinity disables it. */
  readonly timeoutMs?: number;
}

export interface RequestOptions {
  readonly timeoutMs?: number;
}

/** Result tuple of a batch: element i is what command i resolves to. */
export type QtestBatchResult<C extends readonly QtestCommand[]> = {
  -readonly [K in keyof C]: C[K] extends QtestCommand ? QtestResultByOp[C[K]['op']] : never;
};

interface Pending {
  readonly line: string;
  readonly command: QtestCommand | undefined;
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly resolve: (value: QtestResult | string) => void;
  readonly reject: (error: Error) => void;
}

export class QtestClient extends ProtocolClient {
  private readonly queue = new PendingQueue<Pending>((expired) => this.onTimeout(expired));
  private readonly irqEmitter = new Emitter<IrqEvent>();
  private readonly timeoutMs: number;
  private outgoing: string[] = [];

  /** Asynchronous interrupt notifications (only after `irq_intercept_in/out`). */
  readonly onIrq = this.irqEmitter.event;

  constructor(transport: Transport, options: QtestClientOptions = {}) {
    super(transport, 'qtest', options.describeClose);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** Requests written (or about to be) whose reply has not arrived. */
  get inFlight(): number {
    return this.queue.size;
  }

  readb(addr: Integer, options?: RequestOptions): Promise<number> { return this.send({ op: 'readb', addr }, options); }
  readw(addr: Integer, options?: RequestOptions): Promise<number> { return this.send({ op: 'readw', addr }, options); }
  readl(addr: Integer, options?: RequestOptions): Promise<number> { return this.send({ op: 'readl', addr }, options); }
  readq(addr: Integer, options?: RequestOptions): Promise<bigint> { return this.send({ op: 'readq', addr }, options); }
  writeb(addr: Integer, value: Integer, options?: RequestOptions): Promise<void> { return this.send({ op: 'writeb', addr, value }, options); }
  writew(addr: Integer, value: Integer, options?: RequestOptions): Promise<void> { return this.send({ op: 'writew', addr, value }, options); }
  writel(addr: Integer, value: Integer, options?: RequestOptions): Promise<void> { return this.send({ op: 'writel', addr, value }, options); }
  writeq(addr: Integer, value: Integer, options?: RequestOptions): Promise<void> { return this.send({ op: 'writeq', addr, value }, options); }
  inb(port: number, options?: RequestOptions): Promise<number> { return this.send({ op: 'inb', port }, options); }
  inw(port: number, options?: RequestOptions): Promise<number> { return this.send({ op: 'inw', port }, options); }
  inl(port: number, options?: RequestOptions): Promise<number> { return this.send({ op: 'inl', port }, options); }
  outb(port: number, value: number, options?: RequestOptions): Promise<void> { return this.send({ op: 'outb', port, value }, options); }
  outw(port: number, value: number, options?: RequestOptions): Promise<void> { return this.send({ op: 'outw', port, value }, options); }
  outl(port: number, value: number, options?: RequestOptions): Promise<void> { return this.send({ op: 'outl', port, value }, options); }
  read(addr: Integer, size: number, options?: RequestOptions): Promise<Uint8Array> { return this.send({ op: 'read', addr, size }, options); }
  write(addr: Integer, data: Uint8Array, options?: RequestOptions): Promise<void> { return this.send({ op: 'write', addr, data }, options); }
  /** Needs the qtest accelerator; without it QEMU answers `FAIL Unknown command`. Resolves to the new virtual time (ns). */
  clockStep(ns?: Integer, options?: RequestOptions): Promise<bigint> {
    return this.send(ns === undefined ? { op: 'clock_step' } : { op: 'clock_step', ns }, options);
  }
  clockSet(ns: Integer, options?: RequestOptions): Promise<bigint> { return this.send({ op: 'clock_set', ns }, options); }
  endianness(options?: RequestOptions): Promise<Endianness> { return this.send({ op: 'endianness' }, options); }

  /** Sends one typed command. Invalid arguments reject with QtestArgumentError before anything is sent. */
  send<C extends QtestCommand>(command: C, options?: RequestOptions): Promise<QtestResultByOp[C['op']]> {
    let line: string;
    try {
      line = encodeCommand(command);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.enqueue(line, command, options, resolve as (value: QtestResult | string) => void, reject);
    });
  }

  /**
   * Sends all commands in one write and resolves with their results in order. The whole batch is
   * validated first, so an invalid command means nothing is sent. If any command fails, the batch
   * rejects with the first failure (the other commands were still executed by QEMU).
   */
  sendBatch<const C extends readonly QtestCommand[]>(commands: C, options?: RequestOptions): Promise<QtestBatchResult<C>>;
  // The implementation resolves with what each command's decoder returned, in order: by
  // construction what QtestBatchResult<C> says, which the overload above states for callers.
  sendBatch(commands: readonly QtestCommand[], options?: RequestOptions): Promise<Array<QtestResult | string>> {
    let lines: string[];
    try {
      lines = commands.map((command) => encodeCommand(command));
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const results: Array<QtestResult | string> = [];
      let remaining = commands.length;
      let failed = false;
      if (remaining === 0) return resolve(results);
      const fail = (error: Error): void => {
        if (!failed) reject(error);
        failed = true;
      };
      lines.forEach((line, i) => {
        this.enqueue(line, commands[i], options, (value) => {
          results[i] = value;
          remaining -= 1;
          if (remaining === 0 && !failed) resolve(results);
        }, fail);
      });
    });
  }

  /**
   * Sends a hand-written command (e.g. `irq_intercept_in /machine/...`) after checking it for the
   * shapes that abort QEMU. Resolves with the text after `OK ` ('' for a bare `OK`).
   */
  command(line: string, options?: RequestOptions): Promise<string> {
    try {
      validateRawCommand(line);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.enqueue(line, undefined, options, resolve as (value: QtestResult | string) => void, reject);
    });
  }

  private enqueue(
    line: string, command: QtestCommand | undefined, options: RequestOptions | undefined,
    resolve: (value: QtestResult | string) => void, reject: (error: Error) => void,
  ): void {
    const refusal = this.refusal;
    if (refusal !== undefined) {
      reject(refusal);
      return;
    }
    const timeoutMs = options?.timeoutMs ?? this.timeoutMs;
    this.queue.push({ line, command, timeoutMs, deadline: performance.now() + timeoutMs, resolve, reject });
    if (!this.writable) return; // closing: it is rejected with the explained close error
    this.outgoing.push(line);
    if (this.outgoing.length === 1) queueMicrotask(() => this.flush());
  }

  private flush(): void {
    const lines = this.outgoing;
    this.outgoing = [];
    if (this.writable) this.transport.write(encodeLines(lines));
  }

  protected onLine(line: string): void {
    if (line.startsWith('IRQ ')) {
      const irq = parseIrqLine(line);
      if (irq !== undefined) return this.irqEmitter.fire(irq);
    }
    const pending = this.queue.shift();
    if (pending === undefined) {
      return this.abandon(new ProtocolError('qtest', undefined, line, 'no request is pending'));
    }
    const kind = replyKind(line);
    if (kind === 'fail') return pending.reject(new QtestCommandError(pending.line, line));
    if (kind === undefined) {
      const error = new ProtocolError('qtest', pending.line, line, 'not an OK/FAIL/ERR reply');
      pending.reject(error);
      return this.abandon(error);
    }
    const payload = line.length > 2 ? line.slice(3) : '';
    if (pending.command === undefined) return pending.resolve(payload);
    const value = decodeReply(pending.command, payload);
    if (value instanceof Error) pending.reject(new ProtocolError('qtest', pending.line, line, value.message));
    else pending.resolve(value);
  }

  private onTimeout(expired: Pending): void {
    const timeout = new TargetTimeoutError(expired.line, expired.timeoutMs);
    const rest = new TargetClosedError(
      `qtest connection abandoned: \`${expired.line}\` got no reply within ${expired.timeoutMs} ms, so later replies cannot be matched to requests`,
      undefined, '', { cause: timeout });
    for (const pending of this.queue.drain()) pending.reject(pending === expired ? timeout : rest);
    this.abandonWith(rest);
  }

  protected onFinalized(error: Error): void {
    this.outgoing = [];
    for (const pending of this.queue.drain()) pending.reject(error);
    this.irqEmitter.dispose();
  }
}
