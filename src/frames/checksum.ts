// Internet checksums (RFC 1071): what a driver that offloads checksumming leaves in a frame's
// checksum field before the device fills it in. Pure.

import type { L3Info } from './decode.js';

/** One's-complement sum of 16-bit big-endian words, not folded. */
export function onesSum(bytes: Uint8Array, start = 0): number {
  let sum = start;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (bytes.length % 2 === 1) sum += bytes[bytes.length - 1]! << 8;
  return sum;
}

export function fold(sum: number): number {
  let folded = sum;
  while (folded > 0xffff) folded = (folded & 0xffff) + Math.floor(folded / 0x10000);
  return folded;
}

/**
 * The folded, uncomplemented sum of the IPv4/IPv6 pseudo-header with transport length `length`:
 * what Linux writes into the TCP/UDP checksum field of a packet whose checksum the NIC computes
 * (CHECKSUM_PARTIAL), and, with length 0, of a TSO packet.
 */
export function pseudoHeaderSum(l3: L3Info, length: number): number {
  let sum = onesSum(l3.src) + onesSum(l3.dst) + l3.protocol;
  sum += l3.kind === 'ipv4' ? length : Math.floor(length / 0x10000) + (length & 0xffff);
  return fold(sum);
}
