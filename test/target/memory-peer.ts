// The far end of an in-memory transport, playing QEMU in protocol unit tests: it records the
// lines the client sent and lets the test answer with arbitrary chunks.
import { createMemoryTransportPair, type MemoryTransport } from '../../src/target/transport.js';
import { LineFramer } from '../../src/target/line-framing.js';

export class MemoryPeer {
  readonly received: string[] = [];
  readonly writes: string[] = [];
  readonly client: MemoryTransport;
  private readonly end: MemoryTransport;
  private waiters: Array<() => void> = [];

  constructor() {
    [this.client, this.end] = createMemoryTransportPair();
    const framer = new LineFramer((line) => this.received.push(line));
    this.end.onData((chunk) => {
      this.writes.push(chunk);
      framer.push(chunk);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolves once at least `count` lines have arrived. */
  async waitForLines(count: number): Promise<string[]> {
    while (this.received.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.received;
  }

  send(text: string): void {
    this.end.write(text);
  }

  hangUp(): void {
    this.end.close();
  }
}

/** Lets queued microtasks and I/O callbacks run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
