// What the driver had put in a packet's buffers, rebuilt from the frames the capture shows the
// device sent: the frame without the 802.1Q tag the device inserted (VLE), with the checksum
// field as a driver that offloads it leaves it (the pseudo-header sum), and for TSO the one
// large packet the segments were cut from (first segment's headers, every segment's payload).
// The device recomputes what it offloads (lengths, IP id per segment, checksums), so this tests
// exactly that. Pure.

import { decodeFrame } from '../frames/decode.js';
import { pseudoHeaderSum } from '../frames/checksum.js';
import type { TxPacket } from './tx-ring.js';

const VLAN_TPID = 0x8100;
const VLAN_TAG_BYTES = 4;
const ETH_ADDRESSES = 12;
const TCP_FIN = 0x01;
const TCP_PSH = 0x08;

export type Rebuilt = { readonly bytes: Uint8Array } | { readonly skip: string };

/** How many captured frames the device sent for this packet (TSO: one per MSS of payload). */
export function framesFor(packet: TxPacket): number {
  if (!packet.offloads.tso) return 1;
  const mss = packet.context?.mss ?? 0;
  const payload = packet.payloadLength ?? 0;
  return mss > 0 && payload > 0 ? Math.ceil(payload / mss) : 1;
}

/** The bytes of the packet's buffers, in order, or why they cannot be rebuilt. */
export function rebuildBuffers(packet: TxPacket, frames: readonly Uint8Array[]): Rebuilt {
  if (packet.unsupported !== undefined) return { skip: packet.unsupported };
  if (frames.length === 0) return { skip: 'the capture has no frame left for this packet' };
  const untagged: Uint8Array[] = [];
  for (const frame of frames) {
    // A copy (Buffer.slice would be a view, and the checksum is written into it).
    const bytes = packet.offloads.vlan ? untag(frame) : new Uint8Array(frame);
    if (bytes === undefined) return { skip: 'VLAN insertion requested, but the captured frame carries no 802.1Q tag' };
    untagged.push(bytes);
  }
  const built = packet.offloads.tso ? joinSegments(packet, untagged) : { bytes: withPartialChecksum(packet, untagged[0]!) };
  if ('skip' in built) return built;
  const carried = packet.buffers.reduce((n, buffer) => n + buffer.length, 0);
  if (carried !== built.bytes.length) {
    return { skip: `the captured frame${frames.length > 1 ? 's give' : ' gives'} ${built.bytes.length} bytes, the descriptors carry ${carried}` };
  }
  return built;
}

function untag(frame: Uint8Array): Uint8Array | undefined {
  if (frame.length < ETH_ADDRESSES + VLAN_TAG_BYTES || ((frame[12]! << 8) | frame[13]!) !== VLAN_TPID) return undefined;
  const bytes = new Uint8Array(frame.length - VLAN_TAG_BYTES);
  bytes.set(frame.subarray(0, ETH_ADDRESSES));
  bytes.set(frame.subarray(ETH_ADDRESSES + VLAN_TAG_BYTES), ETH_ADDRESSES);
  return bytes;
}

function writeU16(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = (value >>> 8) & 0xff;
  bytes[offset + 1] = value & 0xff;
}

/** Transport length of the frame's IP packet (IPv6: extension headers are not walked). */
function transportLength(bytes: Uint8Array, l3Offset: number, kind: 'ipv4' | 'ipv6', headerLength: number): number {
  const declared = (bytes[l3Offset + (kind === 'ipv4' ? 2 : 4)]! << 8) | bytes[l3Offset + (kind === 'ipv4' ? 3 : 5)]!;
  return kind === 'ipv4' ? declared - headerLength : declared;
}

/** With TXSM the driver leaves the pseudo-header sum in the TCP/UDP checksum for the device to finish. */
function withPartialChecksum(packet: TxPacket, bytes: Uint8Array): Uint8Array {
  if (!packet.offloads.l4Checksum) return bytes;
  const decoded = decodeFrame(bytes);
  if (decoded.l3 === undefined || decoded.l4 === undefined || (decoded.l4.kind !== 'tcp' && decoded.l4.kind !== 'udp')) return bytes;
  const length = transportLength(bytes, decoded.l3.offset, decoded.l3.kind, decoded.l3.headerLength);
  writeU16(bytes, decoded.l4.checksumOffset, pseudoHeaderSum(decoded.l3, length));
  return bytes;
}

/**
 * The large TCP packet the segments came from: the first segment's headers and every segment's
 * payload, FIN/PSH from the last segment (the device sets them on the last only). Lengths and
 * checksums as a TSO driver leaves them: IP length and checksum 0, TCP checksum the pseudo-header
 * sum without length; the device fills them in per segment.
 */
function joinSegments(packet: TxPacket, segments: readonly Uint8Array[]): Rebuilt {
  const first = decodeFrame(segments[0]!);
  if (first.l3 === undefined || first.l4?.kind !== 'tcp') return { skip: 'TSO packet whose first segment is not TCP over IP' };
  const context = packet.context;
  const headers = first.payloadOffset;
  if (context !== undefined && context.headerLength !== headers) {
    return { skip: `TSO context gives ${context.headerLength} header bytes, the first segment has ${headers}` };
  }
  const payloads = segments.map((segment) => segment.subarray(decodeFrame(segment).payloadOffset));
  const total = headers + payloads.reduce((n, p) => n + p.length, 0);
  const bytes = new Uint8Array(total);
  bytes.set(segments[0]!.subarray(0, headers));
  let at = headers;
  for (const payload of payloads) {
    bytes.set(payload, at);
    at += payload.length;
  }
  const last = segments[segments.length - 1]!;
  const flagsAt = first.l4.offset + 13;
  bytes[flagsAt] = bytes[flagsAt]! | (last[decodeFrame(last).l4!.offset + 13]! & (TCP_FIN | TCP_PSH));
  if (first.l3.kind === 'ipv4') {
    writeU16(bytes, first.l3.offset + 2, 0);
    writeU16(bytes, first.l3.offset + 10, 0);
  } else {
    writeU16(bytes, first.l3.offset + 4, 0);
  }
  writeU16(bytes, first.l4.checksumOffset, pseudoHeaderSum(first.l3, 0));
  return { bytes };
}

/** Splits a packet's bytes over its buffers: (address, bytes) per buffer. */
export function splitOverBuffers(packet: TxPacket, bytes: Uint8Array): { readonly address: bigint; readonly data: Uint8Array }[] {
  const parts: { address: bigint; data: Uint8Array }[] = [];
  let at = 0;
  for (const buffer of packet.buffers) {
    if (buffer.length > 0) parts.push({ address: buffer.address, data: bytes.subarray(at, at + buffer.length) });
    at += buffer.length;
  }
  return parts;
}
