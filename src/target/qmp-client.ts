// A minimal QMP (QEMU Machine Protocol) client: greeting, capability negotiation, commands matched
// to replies by `id`, and asynchronous events. Enough for `stop`/`cont`/`quit`/`query-status`
// during a replay; anything else goes through executeRaw().
//
// QMP is JSON, one object per line ("\r\n"-terminated). Integers beyond 2^53 lose precision in
// JSON.parse; none of the commands used here return such values.

import { Emitter } from './events.js';
import type { Transport } from './transport.js';
import { ProtocolClient, type ProtocolClientOptions } from './protocol-client.js';
import { ProtocolError, QmpCommandError, TargetTimeoutError } from './errors.js';

export interface QmpGreeting {
  readonly version: { readonly qemu: { readonly major: number; readonly minor: number; readonly micro: number }; readonly package: string };
  readonly capabilities: readonly string[];
}

export interface QmpEvent {
  readonly event: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly timestamp: { readonly seconds: number; readonly microseconds: number };
}

export interface QmpStatus {
  readonly status: string;
  readonly running: boolean;
}

/** Typed signatures of the commands the tool uses. */
export interface QmpCommands {
  'query-status': { args: undefined; result: QmpStatus };
  stop: { args: undefined; result: Record<string, never> };
  cont: { args: undefined; result: Record<string, never> };
  quit: { args: undefined; result: Record<string, never> };
  'system_reset': { args: undefined; result: Record<string, never> };
  /** A network client's link down or up (the NIC's backend: a host-side link change for the NIC). */
  'set_link': { args: { name: string; up: boolean }; result: Record<string, never> };
}

export interface QmpClientOptions extends ProtocolClientOptions {
  /** Per-command and greeting timeout in ms. */
  readonly timeoutMs?: number;
}

interface Pending {
  readonly command: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `QMP` member of QEMU's greeting: `{version: {qemu: {major, minor, micro}, package}, capabilities: [...]}`. */
function isGreeting(value: unknown): value is QmpGreeting {
  if (!isObject(value) || !isObject(value.version) || !Array.isArray(value.capabilities)) return false;
  const qemu = value.version.qemu;
  return isObject(qemu) && ['major', 'minor', 'micro'].every((key) => typeof qemu[key] === 'number')
    && value.capabilities.every((capability) => typeof capability === 'string');
}

/** The id under which the greeting wait sits in the pending map, so a close rejects it too. */
const GREETING_ID = 0;

export class QmpClient extends ProtocolClient {
  private readonly eventEmitter = new Emitter<QmpEvent>();
  private readonly pending = new Map<number, Pending>();
  private readonly timeoutMs: number;
  private nextId = GREETING_ID + 1;
  /** A greeting that arrived before anyone waited for it. */
  private earlyGreeting: Json | undefined;
  private greetingWaiter: ((message: Json) => void) | undefined;
  private greetingValue: QmpGreeting | undefined;

  /** Asynchronous QMP events (STOP, RESUME, SHUTDOWN, ...). */
  readonly onEvent = this.eventEmitter.event;

  private constructor(transport: Transport, options: QmpClientOptions) {
    super(transport, 'QMP', options.describeClose);
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Waits for the greeting and negotiates capabilities; the client is ready when this resolves. */
  static async connect(transport: Transport, options: QmpClientOptions = {}): Promise<QmpClient> {
    const client = new QmpClient(transport, options);
    try {
      client.greetingValue = await client.waitForGreeting();
      await client.executeRaw('qmp_capabilities');
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  /** What QEMU announced (version, capabilities). */
  get greeting(): QmpGreeting | undefined {
    return this.greetingValue;
  }

  execute<K extends keyof QmpCommands>(command: K, args?: QmpCommands[K]['args']): Promise<QmpCommands[K]['result']> {
    return this.executeRaw(command, args) as Promise<QmpCommands[K]['result']>;
  }

  /** Any QMP command; resolves with its `return` value or rejects with QmpCommandError. */
  executeRaw(command: string, args?: Readonly<Record<string, unknown>>, timeoutMs = this.timeoutMs): Promise<unknown> {
    const refusal = this.refusal;
    if (refusal !== undefined) return Promise.reject(refusal);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TargetTimeoutError(`QMP ${command}`, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { command, resolve, reject, timer });
      // While closing, the request just waits to be rejected with the explained close error.
      if (!this.writable) return;
      const message = args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
      this.transport.write(`${JSON.stringify(message)}\n`);
    });
  }

  /** Resolves with the next event called `name` (e.g. 'STOP' after `stop`). Subscribe before acting. */
  waitForEvent(name: string, timeoutMs = this.timeoutMs): Promise<QmpEvent> {
    const refusal = this.refusal;
    if (refusal !== undefined) return Promise.reject(refusal);
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        subscription.dispose();
        closeSubscription.dispose();
      };
      const timer = setTimeout(() => {
        done();
        reject(new TargetTimeoutError(`QMP event ${name}`, timeoutMs));
      }, timeoutMs);
      const subscription = this.eventEmitter.event((event) => {
        if (event.event !== name) return;
        done();
        resolve(event);
      });
      const closeSubscription = this.onClose((error) => {
        done();
        reject(error);
      });
    });
  }

  private waitForGreeting(): Promise<QmpGreeting> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(GREETING_ID);
        reject(new TargetTimeoutError('QMP greeting', this.timeoutMs));
      }, this.timeoutMs);
      this.pending.set(GREETING_ID, { command: 'greeting', resolve: () => undefined, reject, timer });
      const accept = (message: Json): void => {
        clearTimeout(timer);
        this.pending.delete(GREETING_ID);
        const qmp = message.QMP;
        if (isGreeting(qmp)) {
          resolve(qmp);
        } else {
          reject(new ProtocolError('qmp', 'greeting', JSON.stringify(message), 'malformed greeting'));
        }
      };
      if (this.earlyGreeting !== undefined) accept(this.earlyGreeting);
      else this.greetingWaiter = accept;
    });
  }

  protected onLine(line: string): void {
    if (line.trim() === '') return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return this.abandon(new ProtocolError('qmp', undefined, line, 'invalid JSON'));
    }
    if (!isObject(message)) return this.abandon(new ProtocolError('qmp', undefined, line, 'not a JSON object'));
    if ('QMP' in message) {
      if (this.greetingWaiter === undefined) this.earlyGreeting = message;
      this.greetingWaiter?.(message);
      this.greetingWaiter = undefined;
    } else if (typeof message.event === 'string') {
      this.eventEmitter.fire({
        event: message.event,
        data: isObject(message.data) ? message.data : {},
        timestamp: isObject(message.timestamp) ? message.timestamp as QmpEvent['timestamp'] : { seconds: 0, microseconds: 0 },
      });
    } else {
      this.onReply(message);
    }
  }

  private onReply(message: Json): void {
    const id = typeof message.id === 'number' ? message.id : -1;
    const pending = this.pending.get(id);
    if (pending === undefined) return; // a reply to a request that already timed out
    this.pending.delete(id);
    clearTimeout(pending.timer);
    const error = message.error;
    if (isObject(error)) {
      pending.reject(new QmpCommandError(pending.command, String(error.class), String(error.desc)));
    } else {
      pending.resolve(message.return);
    }
  }

  protected onFinalized(error: Error): void {
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
    this.eventEmitter.dispose();
  }
}
