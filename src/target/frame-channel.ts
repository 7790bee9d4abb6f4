// The replay target's network backend, held by the tool: QEMU's `-netdev socket,fd=3` on one end
// of a socket pair (as QEMU's own tests/qtest/igb-test.c does), this on the other. Each frame
// goes either way as a 4-byte big-endian length and the frame's bytes (net/socket.c's framing).
// Every frame the device transmits is kept until taken; frames to inject are sent with send().

import type { Duplex } from 'node:stream';

const LENGTH_BYTES = 4;
/** After the reply to the command that made the device send, frames still in flight are read within a loop turn; this bounds a wait for frames that never come. */
const FRAME_WAIT_MS = 20;

export class FrameChannel {
  private pending: Uint8Array = new Uint8Array(0);
  private frames: Uint8Array[] = [];
  private wake: (() => void) | undefined;
  private closed = false;
  /** Frames received in all. */
  received = 0;

  constructor(private readonly socket: Duplex) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => { this.closed = true; });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  /** Sends a frame to the device (it receives it as from the network). */
  send(frame: Uint8Array): void {
    const header = new Uint8Array(LENGTH_BYTES);
    new DataView(header.buffer).setUint32(0, frame.length, false);
    this.socket.write(header);
    this.socket.write(frame);
  }

  /**
   * The frames received since the last call. Call it after a reply to a later qtest command: QEMU
   * wrote the frames to the socket before that reply, so they are read within a turn of the event
   * loop; if fewer than `expected` came by then, waits at most FRAME_WAIT_MS for the rest.
   */
  async take(expected: number): Promise<Uint8Array[]> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.frames.length < expected && !this.closed) {
      const deadline = performance.now() + FRAME_WAIT_MS;
      while (this.frames.length < expected && !this.closed && performance.now() < deadline) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(1, deadline - performance.now()));
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
    const frames = this.frames;
    this.frames = [];
    return frames;
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private receive(chunk: Uint8Array): void {
    let data = chunk;
    if (this.pending.length > 0) {
      data = new Uint8Array(this.pending.length + chunk.length);
      data.set(this.pending);
      data.set(chunk, this.pending.length);
    }
    let at = 0;
    while (data.length - at >= LENGTH_BYTES) {
      const length = new DataView(data.buffer, data.byteOffset + at, LENGTH_BYTES).getUint32(0, false);
      if (data.length - at - LENGTH_BYTES < length) break;
      this.frames.push(data.slice(at + LENGTH_BYTES, at + LENGTH_BYTES + length));
      this.received++;
      at += LENGTH_BYTES + length;
    }
    this.pending = data.slice(at);
    if (at > 0) this.wake?.();
  }
}
