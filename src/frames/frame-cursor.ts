// The frames of one direction of a capture, in order, read from the file as they are needed (a
// replay takes them window by window, so a long capture is never held whole). A frame went out
// (the guest transmitted it) when its source MAC is the NIC's (or, with SR-IOV, one of the MACs
// the guest gave the NIC: datapath/own-macs.ts); every other frame came in.

import { PcapReader, type PcapFrame } from './pcap.js';

export type FrameDirection = 'tx' | 'rx';

/** Parses `52:54:00:12:34:56` into its 6 bytes. */
export function macBytes(mac: string): Uint8Array {
  return Uint8Array.from(mac.split(':').map((part) => Number.parseInt(part, 16)));
}

export function frameDirection(frame: Uint8Array, nicMac: Uint8Array): FrameDirection {
  for (let i = 0; i < 6; i++) if (frame[6 + i] !== nicMac[i]) return 'rx';
  return frame.length >= 12 ? 'tx' : 'rx';
}

/** Tells the frames the NIC sent: by its MAC, or by a set of MACs that can grow as the replay goes. */
export type NicAddresses = Uint8Array | { sentBy(frame: Uint8Array): boolean };

export class FrameCursor {
  private reader: PcapReader | undefined;
  private ended = false;
  /** Frames of this direction taken so far. */
  taken = 0;

  constructor(private readonly path: string, private readonly direction: FrameDirection, private readonly nic: NicAddresses) {}

  private directionOf(frame: Uint8Array): FrameDirection {
    if (this.nic instanceof Uint8Array) return frameDirection(frame, this.nic);
    return this.nic.sentBy(frame) ? 'tx' : 'rx';
  }

  /** The next frame of this direction, or undefined when the capture has no more. */
  async next(): Promise<PcapFrame | undefined> {
    if (this.ended) return undefined;
    this.reader ??= await PcapReader.open(this.path);
    for (;;) {
      const frame = await this.reader.next();
      if (frame === undefined) {
        await this.close();
        this.ended = true;
        return undefined;
      }
      if (this.directionOf(frame.data) === this.direction) {
        this.taken++;
        return frame;
      }
    }
  }

  async close(): Promise<void> {
    const reader = this.reader;
    this.reader = undefined;
    await reader?.close();
  }
}
