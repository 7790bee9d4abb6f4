// Decodes the headers of an Ethernet frame into named fields with their byte ranges: Ethernet,
// 802.1Q tags, ARP, IPv4, IPv6 (fixed header), ICMP/ICMPv6, TCP and UDP. Enough to name what
// differs between a recorded frame and a replayed one, and to find where the TX data path puts
// a checksum. Pure: no I/O. Anything not decoded is payload, compared by offset.

export interface FrameField {
  /** `eth.type`, `vlan.vid`, `ipv4.checksum`, `tcp.seq`... */
  readonly name: string;
  readonly offset: number;
  readonly length: number;
  /** The value as a number; for addresses a string (MAC, dotted IPv4, IPv6 hex groups). */
  readonly value: number | string;
}

export interface L3Info {
  readonly kind: 'ipv4' | 'ipv6';
  readonly offset: number;
  /** Bytes of the IP header (IPv4 IHL*4; 40 for IPv6: extension headers are not walked). */
  readonly headerLength: number;
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  /** The transport protocol number. */
  readonly protocol: number;
}

export interface L4Info {
  readonly kind: 'tcp' | 'udp' | 'icmp' | 'icmpv6';
  readonly offset: number;
  readonly headerLength: number;
  /** Where the transport checksum lies. */
  readonly checksumOffset: number;
}

export interface DecodedFrame {
  readonly fields: readonly FrameField[];
  /** Where the undecoded rest (the payload) starts. */
  readonly payloadOffset: number;
  /** Offset of the 802.1Q tag when there is one (outermost). */
  readonly vlanOffset?: number;
  readonly l3?: L3Info;
  readonly l4?: L4Info;
}

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_ARP = 0x0806;
const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;
const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMPV6 = 58;

class FieldList {
  readonly fields: FrameField[] = [];
  constructor(private readonly data: Uint8Array) {}

  /** Adds an unsigned big-endian field of 1, 2 or 4 bytes if the frame holds it. */
  num(name: string, offset: number, length: 1 | 2 | 4, mask = 0xffffffff, shift = 0): number | undefined {
    if (offset + length > this.data.length) return undefined;
    let value = 0;
    for (let i = 0; i < length; i++) value = value * 256 + this.data[offset + i]!;
    value = Math.floor(value / 2 ** shift) & mask;
    this.fields.push({ name, offset, length, value: value >>> 0 });
    return value >>> 0;
  }

  text(name: string, offset: number, length: number, format: (bytes: Uint8Array) => string): boolean {
    if (offset + length > this.data.length) return false;
    this.fields.push({ name, offset, length, value: format(this.data.subarray(offset, offset + length)) });
    return true;
  }
}

export function macText(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}

function ipv4Text(bytes: Uint8Array): string {
  return Array.from(bytes).join('.');
}

function ipv6Text(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':');
}

export function decodeFrame(data: Uint8Array): DecodedFrame {
  const f = new FieldList(data);
  if (!f.text('eth.dst', 0, 6, macText) || !f.text('eth.src', 6, 6, macText)) return { fields: f.fields, payloadOffset: Math.min(data.length, 12) };
  let offset = 12;
  let type = f.num('eth.type', offset, 2);
  let vlanOffset: number | undefined;
  while (type === ETH_VLAN || type === ETH_QINQ) {
    vlanOffset ??= offset;
    f.num('vlan.pcp', offset + 2, 1, 0x7, 5);
    f.num('vlan.vid', offset + 2, 2, 0xfff);
    offset += 4;
    type = f.num('vlan.type', offset, 2);
  }
  offset += 2;
  const base = { vlanOffset };
  if (type === ETH_IPV4) return decodeIpv4(f, data, offset, base);
  if (type === ETH_IPV6) return decodeIpv6(f, data, offset, base);
  if (type === ETH_ARP) {
    f.num('arp.op', offset + 6, 2);
    f.text('arp.sha', offset + 8, 6, macText);
    f.text('arp.spa', offset + 14, 4, ipv4Text);
    f.text('arp.tha', offset + 18, 6, macText);
    f.text('arp.tpa', offset + 24, 4, ipv4Text);
    return { fields: f.fields, payloadOffset: Math.min(data.length, offset + 28), ...base };
  }
  return { fields: f.fields, payloadOffset: Math.min(data.length, offset), ...base };
}

interface Base { readonly vlanOffset: number | undefined }

function withBase(base: Base): { vlanOffset?: number } {
  return base.vlanOffset === undefined ? {} : { vlanOffset: base.vlanOffset };
}

function decodeIpv4(f: FieldList, data: Uint8Array, offset: number, base: Base): DecodedFrame {
  const ihl = f.num('ipv4.ihl', offset, 1, 0xf);
  if (ihl === undefined || offset + 20 > data.length) return { fields: f.fields, payloadOffset: Math.min(data.length, offset), ...withBase(base) };
  f.num('ipv4.tos', offset + 1, 1);
  f.num('ipv4.total_length', offset + 2, 2);
  f.num('ipv4.id', offset + 4, 2);
  f.num('ipv4.flags', offset + 6, 1, 0x7, 5);
  f.num('ipv4.fragment_offset', offset + 6, 2, 0x1fff);
  f.num('ipv4.ttl', offset + 8, 1);
  const protocol = f.num('ipv4.protocol', offset + 9, 1)!;
  f.num('ipv4.checksum', offset + 10, 2);
  f.text('ipv4.src', offset + 12, 4, ipv4Text);
  f.text('ipv4.dst', offset + 16, 4, ipv4Text);
  const headerLength = ihl * 4;
  const l3: L3Info = { kind: 'ipv4', offset, headerLength, src: data.subarray(offset + 12, offset + 16), dst: data.subarray(offset + 16, offset + 20), protocol };
  const fragmented = ((data[offset + 6]! & 0x1f) << 8 | data[offset + 7]!) !== 0;
  // Only a first fragment carries the transport header.
  return decodeL4(f, data, offset + headerLength, l3, fragmented, base);
}

function decodeIpv6(f: FieldList, data: Uint8Array, offset: number, base: Base): DecodedFrame {
  if (offset + 40 > data.length) return { fields: f.fields, payloadOffset: Math.min(data.length, offset), ...withBase(base) };
  f.num('ipv6.traffic_class', offset, 2, 0xff, 4);
  f.num('ipv6.flow_label', offset, 4, 0xfffff);
  f.num('ipv6.payload_length', offset + 4, 2);
  const protocol = f.num('ipv6.next_header', offset + 6, 1)!;
  f.num('ipv6.hop_limit', offset + 7, 1);
  f.text('ipv6.src', offset + 8, 16, ipv6Text);
  f.text('ipv6.dst', offset + 24, 16, ipv6Text);
  const l3: L3Info = { kind: 'ipv6', offset, headerLength: 40, src: data.subarray(offset + 8, offset + 24), dst: data.subarray(offset + 24, offset + 40), protocol };
  return decodeL4(f, data, offset + 40, l3, false, base);
}

function decodeL4(f: FieldList, data: Uint8Array, offset: number, l3: L3Info, fragment: boolean, base: Base): DecodedFrame {
  const done = (payloadOffset: number, l4?: L4Info): DecodedFrame => ({
    fields: f.fields, payloadOffset: Math.min(data.length, payloadOffset), l3, ...(l4 === undefined ? {} : { l4 }), ...withBase(base),
  });
  if (fragment) return done(offset);
  switch (l3.protocol) {
    case PROTO_TCP: {
      if (offset + 20 > data.length) return done(offset);
      f.num('tcp.src_port', offset, 2);
      f.num('tcp.dst_port', offset + 2, 2);
      f.num('tcp.seq', offset + 4, 4);
      f.num('tcp.ack', offset + 8, 4);
      const words = f.num('tcp.data_offset', offset + 12, 1, 0xf, 4)!;
      f.num('tcp.flags', offset + 12, 2, 0x1ff);
      f.num('tcp.window', offset + 14, 2);
      f.num('tcp.checksum', offset + 16, 2);
      f.num('tcp.urgent', offset + 18, 2);
      return done(offset + words * 4, { kind: 'tcp', offset, headerLength: words * 4, checksumOffset: offset + 16 });
    }
    case PROTO_UDP:
      if (offset + 8 > data.length) return done(offset);
      f.num('udp.src_port', offset, 2);
      f.num('udp.dst_port', offset + 2, 2);
      f.num('udp.length', offset + 4, 2);
      f.num('udp.checksum', offset + 6, 2);
      return done(offset + 8, { kind: 'udp', offset, headerLength: 8, checksumOffset: offset + 6 });
    case PROTO_ICMP:
    case PROTO_ICMPV6: {
      if (offset + 4 > data.length) return done(offset);
      const kind = l3.protocol === PROTO_ICMP ? 'icmp' : 'icmpv6';
      f.num(`${kind}.type`, offset, 1);
      f.num(`${kind}.code`, offset + 1, 1);
      f.num(`${kind}.checksum`, offset + 2, 2);
      return done(offset + 4, { kind, offset, headerLength: 4, checksumOffset: offset + 2 });
    }
    default:
      return done(offset);
  }
}
