// Cuts a stream of byte chunks into blocks of whole lines without copying them: the consumer gets
// the chunk and the bounds of its whole lines, and walks them itself. That lets the parser read a
// line and find its end in one pass instead of searching for the newline first. Only a line split
// across two chunks is copied (its two pieces joined).

import { Ch } from './chars.js';

export interface LineBlockConsumer {
  /** `bytes[start, end)` holds one or more whole lines, each ending in `\n`. */
  block(bytes: Buffer, start: number, end: number): void;
}

export class LineSplitter {
  private carry: Buffer | undefined;

  constructor(private readonly consumer: LineBlockConsumer) {}

  push(chunk: Buffer): void {
    const lastNewline = chunk.lastIndexOf(Ch.Newline);
    if (lastNewline < 0) {
      this.carry = this.carry === undefined ? Buffer.from(chunk) : Buffer.concat([this.carry, chunk]);
      return;
    }
    let bodyStart = 0;
    if (this.carry !== undefined) {
      const firstNewline = chunk.indexOf(Ch.Newline);
      const joined = Buffer.concat([this.carry, chunk.subarray(0, firstNewline + 1)]);
      this.carry = undefined;
      this.consumer.block(joined, 0, joined.length);
      bodyStart = firstNewline + 1;
    }
    if (bodyStart <= lastNewline) this.consumer.block(chunk, bodyStart, lastNewline + 1);
    if (lastNewline + 1 < chunk.length) this.carry = Buffer.from(chunk.subarray(lastNewline + 1));
  }

  /** Flushes a final line that had no terminating newline. */
  end(): void {
    if (this.carry !== undefined && this.carry.length > 0) {
      const text = Buffer.concat([this.carry, Buffer.from('\n')]);
      this.carry = undefined;
      this.consumer.block(text, 0, text.length);
    }
  }
}
