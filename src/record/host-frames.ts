// Frames the host sends the NIC during a recording, for what slirp never sends: frames longer than
// the MTU allows (the size checks of RCTL.LPE and RLPML). The NIC's netdev is then a hub port; on
// the same hub sit slirp (DHCP and the rest, as in every recording) and a `-netdev stream` that
// QEMU connects to the recorder's socket with. The guest asks on its console
// (`IGBREC: host send oversize`), the recorder writes the frames on the stream (net/stream.c's
// framing: a 4-byte big-endian length, then the frame), and the hub hands them to the NIC, where
// filter-dump captures them like any received frame and QEMU logs what the device did with each.

import { createServer, type Server, type Socket } from 'node:net';
import { onesSum, fold } from '../frames/checksum.js';
import { FrameChannel } from '../target/frame-channel.js';

/** The host's made-up station and addresses (slirp's network, an address slirp does not use). */
const HOST_MAC = [0x52, 0x55, 0x0a, 0x00, 0x02, 0x63] as const;
const HOST_IP = [10, 0, 2, 99] as const;
/** The guest's lease from slirp's DHCP (the first address it hands out). */
const GUEST_IP = [10, 0, 2, 15] as const;
/** UDP discard: nothing in the guest listens, the frame's fate is the NIC's. */
const DISCARD_PORT = 9;
const SOURCE_PORT = 12345;
const ETH_HEADER = 14;
const IPV4_HEADER = 20;
const UDP_HEADER = 8;

/**
 * Frame lengths without FCS: the largest a 1500-byte MTU allows (1514), then over it by 1 to 8
 * bytes (1518 + FCS is the untagged maximum with LPE clear; QEMU compared without the FCS before
 * 8.1), the tagged maximum (1522 with FCS) and beyond, and frames well over it that only LPE with
 * a large RLPML lets in.
 */
export const OVERSIZE_FRAME_LENGTHS: readonly number[] = [1514, 1515, 1518, 1519, 1522, 1523, 1600, 2000];

/** `IGBREC: host send oversize` → 'oversize'; anything else → undefined. */
export function frameRequestOf(consoleLine: string): 'oversize' | undefined {
  return /IGBREC: host send oversize\s*$/.test(consoleLine.replace(/\r/g, '')) ? 'oversize' : undefined;
}

/** An IPv4/UDP frame from the host to the guest, `length` bytes without FCS, the payload counting up. */
export function udpFrameToGuest(guestMac: readonly number[], length: number, sequence: number): Uint8Array {
  const frame = new Uint8Array(length);
  frame.set(guestMac, 0);
  frame.set(HOST_MAC, 6);
  frame.set([0x08, 0x00], 12);
  const ip = ETH_HEADER;
  const ipLength = length - ETH_HEADER;
  frame.set([0x45, 0, ipLength >> 8, ipLength & 0xff, sequence >> 8, sequence & 0xff, 0x40, 0, 64, 17, 0, 0, ...HOST_IP, ...GUEST_IP], ip);
  const checksum = ~fold(onesSum(frame.subarray(ip, ip + IPV4_HEADER))) & 0xffff;
  frame.set([checksum >> 8, checksum & 0xff], ip + 10);
  const udp = ip + IPV4_HEADER;
  const udpLength = ipLength - IPV4_HEADER;
  // Checksum 0: none (allowed for UDP over IPv4).
  frame.set([SOURCE_PORT >> 8, SOURCE_PORT & 0xff, 0, DISCARD_PORT, udpLength >> 8, udpLength & 0xff, 0, 0], udp);
  for (let i = udp + UDP_HEADER; i < length; i++) frame[i] = (i - udp - UDP_HEADER) & 0xff;
  return frame;
}

/** `52:54:00:12:34:56` → its six bytes. */
export function macBytes(mac: string): number[] {
  return mac.split(':').map((part) => Number.parseInt(part, 16));
}

/** One request served: frames sent, or why none were. */
export interface FrameRequest {
  readonly sent: number;
  readonly error?: string;
}

/** Serves the guest's frame requests for one run on the stream socket QEMU connects to. */
export class HostFrameSender {
  private channel: FrameChannel | undefined;
  private readonly served: FrameRequest[] = [];

  private constructor(private readonly server: Server, private readonly guestMac: readonly number[]) {
    server.on('connection', (socket: Socket) => {
      // One connection (QEMU's); frames the NIC sends on the hub come back here and are dropped.
      if (this.channel === undefined) this.channel = new FrameChannel(socket);
      else socket.destroy();
    });
  }

  static listen(socketPath: string, guestMac: string): Promise<HostFrameSender> {
    const server = createServer();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve(new HostFrameSender(server, macBytes(guestMac))));
    });
  }

  /** For run-guest's onConsoleLine. */
  readonly onConsoleLine = (line: string): void => {
    if (frameRequestOf(line) === undefined) return;
    if (this.channel === undefined) {
      this.served.push({ sent: 0, error: 'QEMU never connected to the host-frame socket' });
      return;
    }
    OVERSIZE_FRAME_LENGTHS.forEach((length, i) => this.channel!.send(udpFrameToGuest(this.guestMac, length, i + 1)));
    this.served.push({ sent: OVERSIZE_FRAME_LENGTHS.length });
  };

  /** What was sent, request by request. */
  get requests(): readonly FrameRequest[] {
    return this.served;
  }

  close(): void {
    this.channel?.close();
    this.server.close();
  }
}
