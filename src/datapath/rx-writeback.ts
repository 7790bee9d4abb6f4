// The receive descriptors a device writes back for a frame, read back from the target's guest
// memory and compared with what the recording's device logged putting there. QEMU logs the
// write-back's contents as it builds them (`e1000e_rx_metadata_status_flags`, `_pkt_type`,
// `_vlan`, `_ip_id`, `igb_rx_metadata_rss`/`e1000e_rx_metadata_rss`, and the bytes of each buffer
// write), so the recording says, field by field, what each descriptor held after the frame; the
// replay reads the same descriptor from the target once its device handled the frame. Before, these
// fields were compared only through the target's own events: a device that logged one value and
// wrote another, or wrote it to the wrong bits, passed.
//
// The descriptor format is the driver's choice, per queue (igb: SRRCTL.DESCTYPE) or per device
// (e1000e: RCTL.DTYP, RFCTL.EXSTEN), followed through the recording's register writes. Formats
// decoded: igb's advanced one-buffer descriptor and e1000e's extended and packet-split descriptors,
// what Linux's igb and e1000e use; any other is counted as not read back, with its name.
// Pure: events and register writes in, expectations and differences out.

import type { Access, SideEvent } from '../model/access.js';
import type { RegisterDatabase } from '../regs/database.js';
import type { DeviceModel } from '../devices/table.js';

export type RxWritebackField = 'status' | 'length' | 'vlan' | 'rss-hash' | 'rss-type' | 'packet-type' | 'ip-id'
  | 'buffer-1-length' | 'buffer-2-length' | 'buffer-3-length';

/** Where a field lies in the descriptor: little-endian dword `dword`, `bits` bits from `shift`. */
interface FieldPlace {
  readonly dword: number;
  readonly shift: number;
  readonly bits: number;
}

/** A receive descriptor format whose write-back is decoded. */
export interface RxWritebackFormat {
  readonly name: string;
  readonly bytes: number;
  readonly fields: Readonly<Partial<Record<RxWritebackField, FieldPlace>>>;
  /**
   * Packet split: the length of each of the four buffers is its own field, from QEMU's
   * `e1000e_rx_desc_ps_write bytes written: [...]` (the header it splits into buffer 0 has no
   * buffer-write event); otherwise `length` is the sum of the descriptor's buffer writes.
   */
  readonly perBufferLengths?: true;
}

const place = (dword: number, shift: number, bits: number): FieldPlace => ({ dword, shift, bits });

/**
 * 82576 datasheet 7.1.5.2, advanced receive descriptor, write-back format (Linux igb's
 * union e1000_adv_rx_desc .wb): dword 0 RSS type (3:0) and packet type (from bit 4); dword 1 the
 * RSS hash, or the IP identification (15:0) and packet checksum; dword 2 extended status and
 * errors; dword 3 packet length (15:0) and VLAN tag (31:16).
 */
const IGB_ADVANCED: RxWritebackFormat = {
  name: 'advanced one-buffer',
  bytes: 16,
  fields: {
    'rss-type': place(0, 0, 4), 'packet-type': place(0, 4, 12), 'rss-hash': place(1, 0, 32), 'ip-id': place(1, 0, 16),
    status: place(2, 0, 32), length: place(3, 0, 16), vlan: place(3, 16, 16),
  },
};

/**
 * 82574 datasheet 3.2.5.2, extended receive descriptor, write-back format (Linux e1000e's
 * union e1000_rx_desc_extended .wb): dword 0 MRQ (RSS type and queue), dword 1 the RSS hash or
 * the IP identification (15:0) and checksum; dword 2 extended status and errors; dword 3 length and VLAN tag.
 */
const E1000E_EXTENDED: RxWritebackFormat = {
  name: 'extended',
  bytes: 16,
  fields: {
    'rss-type': place(0, 0, 32), 'rss-hash': place(1, 0, 32), 'ip-id': place(1, 0, 16),
    status: place(2, 0, 32), length: place(3, 0, 16), vlan: place(3, 16, 16),
  },
};

/**
 * 82574 datasheet 3.2.5.3.2, packet split receive descriptor, write-back format (Linux e1000e's
 * union e1000_rx_desc_packet_split .wb, 32 bytes; the e1000e driver uses it with jumbo frames):
 * dwords 0-3 as the extended one's (dword 3's length being buffer 0's); then
 * dword 4 the header status (15:0) and buffer 1's length (31:16); dword 5 buffers 2 and 3's lengths.
 */
const E1000E_PACKET_SPLIT: RxWritebackFormat = {
  name: 'packet split',
  bytes: 32,
  fields: {
    ...E1000E_EXTENDED.fields,
    'buffer-1-length': place(4, 16, 16), 'buffer-2-length': place(5, 0, 16), 'buffer-3-length': place(5, 16, 16),
  },
  perBufferLengths: true,
};

/** igb SRRCTL.DESCTYPE (bits 27:25), 82576 datasheet 8.10.2. */
const IGB_DESCTYPE_SHIFT = 25;
const IGB_DESCTYPE_NAMES = ['legacy', 'advanced one-buffer', 'advanced header splitting', 'advanced header replication always',
  'advanced header replication (large packets)', 'advanced header splitting always'];
/** e1000e RCTL.DTYP (bits 11:10, 1 = packet split) and RFCTL.EXSTEN (bit 15), 82574 datasheet 10.2.5.1 and 10.2.5.4. */
const E1000E_DTYP_SHIFT = 10;
const E1000E_EXSTEN = 1 << 15;

/**
 * Follows the registers that choose the receive descriptor format through the recording's writes,
 * and says which format a ring's descriptors have: a decoded one, or the name of one that is not.
 */
export class RxFormatTracker {
  private readonly values = new Map<string, number>();

  constructor(private readonly model: DeviceModel, private readonly registers: RegisterDatabase) {}

  see(access: Access): void {
    if (access.kind !== 'write' || access.space !== 'mmio') return;
    const ref = this.registers.lookupOffset(access.offset);
    if (ref === undefined) return;
    const canonical = this.registers.canonical(ref);
    if (['SRRCTL', 'RCTL', 'RFCTL'].includes(canonical.def.name)) this.values.set(canonical.name, access.value);
  }

  /**
   * The format of `ring`'s descriptors now, or why they are not decoded (`in ... format`, or of a
   * format the recording does not show: a cut trace that starts after the driver chose it).
   */
  formatOf(ring: number): RxWritebackFormat | { readonly undecoded: string } {
    if (this.model === 'igb') {
      const srrctl = this.values.get(`SRRCTL(${ring})`);
      if (srrctl === undefined) return { undecoded: `of a format the recording does not show (SRRCTL(${ring}) is not written in it)` };
      const type = (srrctl >>> IGB_DESCTYPE_SHIFT) & 7;
      return type === 1 ? IGB_ADVANCED : { undecoded: `in ${IGB_DESCTYPE_NAMES[type] ?? `type ${type}`} format (SRRCTL.DESCTYPE ${type})` };
    }
    const rctl = this.values.get('RCTL');
    const rfctl = this.values.get('RFCTL');
    if (rctl !== undefined && ((rctl >>> E1000E_DTYP_SHIFT) & 3) === 1) return E1000E_PACKET_SPLIT;
    if (rctl === undefined || rfctl === undefined) return { undecoded: 'of a format the recording does not show (RCTL or RFCTL is not written in it)' };
    return (rfctl & E1000E_EXSTEN) !== 0 ? E1000E_EXTENDED : { undecoded: 'in legacy format (RFCTL.EXSTEN 0)' };
  }
}

/** One receive descriptor the recording's device wrote back for a frame, and what it logged putting there. */
export interface RxWriteback {
  readonly address: number;
  readonly ring: number;
  /** Line of its `e1000e_rx_descr` event. */
  readonly line: number;
  readonly format: RxWritebackFormat;
  readonly expected: ReadonlyMap<RxWritebackField, number>;
}

/** The descriptors of one frame: those decoded, and the names of formats that are not. */
export interface RxWritebacks {
  readonly decoded: readonly RxWriteback[];
  readonly undecoded: readonly string[];
}

/** `Next RX descriptor: ring #0, PA: 0x1af01040, length: 16`: the device reads a receive descriptor. */
export const RX_DESCRIPTOR_EVENT = 'e1000e_rx_descr';
const DESCRIPTOR_TEXT = /ring #(\d+), PA: 0x([0-9a-fA-F]+), length: (\d+)/;

/** The ring, guest address and size of a descriptor an `RX_DESCRIPTOR_EVENT` names, or undefined if its text is not that. */
export function rxDescriptorRead(text: string): { ring: number; address: number; bytes: number } | undefined {
  const m = DESCRIPTOR_TEXT.exec(text);
  return m === null ? undefined : { ring: Number(m[1]), address: Number.parseInt(m[2]!, 16), bytes: Number(m[3]) };
}
const BUFFER_LENGTH = /length: (\d+)$/;
/** What the device wrote to each buffer of a packet-split descriptor, `bytes written: [34, 1480, 0, 0]`. */
export const PS_WRITE_EVENT = 'e1000e_rx_desc_ps_write';
const PS_WRITTEN = /^bytes written: \[(\d+), (\d+), (\d+), (\d+)\]$/;

/** The four buffer lengths of a `PS_WRITE_EVENT`, or undefined if its text is not that. */
export function psBytesWritten(text: string): number[] | undefined {
  const m = PS_WRITTEN.exec(text);
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
}
const PS_LENGTH_FIELDS: readonly RxWritebackField[] = ['length', 'buffer-1-length', 'buffer-2-length', 'buffer-3-length'];
/** Event → the fields its numbers give, in the order it prints them. */
const METADATA: ReadonlyMap<string, { readonly pattern: RegExp; readonly fields: readonly RxWritebackField[] }> = new Map([
  ['e1000e_rx_metadata_status_flags', { pattern: /status_flags is 0x([0-9a-fA-F]+)/, fields: ['status'] }],
  ['e1000e_rx_metadata_pkt_type', { pattern: /packet type is (\d+)/, fields: ['packet-type'] }],
  ['e1000e_rx_metadata_vlan', { pattern: /VLAN tag is 0x([0-9a-fA-F]+)/, fields: ['vlan'] }],
  ['e1000e_rx_metadata_ip_id', { pattern: /IPv4 ID is 0x([0-9a-fA-F]+)/, fields: ['ip-id'] }],
  ['igb_rx_metadata_rss', { pattern: /rss: 0x([0-9a-fA-F]+), rss_pkt_type: 0x([0-9a-fA-F]+)/, fields: ['rss-hash', 'rss-type'] }],
  ['e1000e_rx_metadata_rss', { pattern: /rss: 0x([0-9a-fA-F]+), mrq: 0x([0-9a-fA-F]+)/, fields: ['rss-hash', 'rss-type'] }],
]);
/** Decimal where the event prints %u. */
const DECIMAL_FIELDS: ReadonlySet<RxWritebackField> = new Set(['packet-type']);

/**
 * The write-backs of one received frame from its recorded events (its receipt to the next
 * frame's): each descriptor event starts one; the buffer writes after it give its length, the
 * metadata events its other fields. A descriptor with metadata and no VLAN event carries no tag.
 */
export function recordedWritebacks(events: readonly SideEvent[], bufferEvent: string, formats: RxFormatTracker): RxWritebacks {
  const decoded: RxWriteback[] = [];
  const undecoded: string[] = [];
  let current: { address: number; ring: number; line: number; format: RxWritebackFormat; expected: Map<RxWritebackField, number> } | undefined;
  const close = (): void => {
    if (current === undefined) return;
    if (current.expected.has('status') && !current.expected.has('vlan')) current.expected.set('vlan', 0);
    // The RSS hash and the IP identification share dword 1: the one the device logged is the one it wrote.
    if (current.expected.has('rss-hash')) current.expected.delete('ip-id');
    decoded.push(current);
    current = undefined;
  };
  for (const event of events) {
    if (event.name === RX_DESCRIPTOR_EVENT) {
      close();
      const read = rxDescriptorRead(event.text);
      if (read === undefined) continue;
      const format = formats.formatOf(read.ring);
      if ('undecoded' in format) undecoded.push(format.undecoded);
      else if (read.bytes !== format.bytes) undecoded.push(`in ${format.name} format with ${read.bytes} bytes each`);
      else current = { address: read.address, ring: read.ring, line: event.line, format, expected: new Map() };
      continue;
    }
    if (current === undefined) continue;
    if (current.format.perBufferLengths === true) {
      if (event.name === PS_WRITE_EVENT) {
        const lengths = psBytesWritten(event.text);
        if (lengths !== undefined) PS_LENGTH_FIELDS.forEach((field, i) => current!.expected.set(field, lengths[i]!));
        continue;
      }
      if (event.name === bufferEvent) continue;
    }
    if (event.name === bufferEvent) {
      const length = BUFFER_LENGTH.exec(event.text);
      if (length !== null) current.expected.set('length', (current.expected.get('length') ?? 0) + Number(length[1]));
      continue;
    }
    const metadata = METADATA.get(event.name);
    const m = metadata?.pattern.exec(event.text);
    if (metadata === undefined || m === null || m === undefined) continue;
    metadata.fields.forEach((field, i) => {
      if (current!.format.fields[field] !== undefined) current!.expected.set(field, Number.parseInt(m[i + 1]!, DECIMAL_FIELDS.has(field) ? 10 : 16));
    });
  }
  close();
  return { decoded, undecoded };
}

export interface RxFieldDifference {
  readonly field: RxWritebackField;
  /** Byte offset of the field's dword in the descriptor. */
  readonly offset: number;
  readonly expected: number;
  readonly actual: number;
}

/** The recorded fields of a write-back that the descriptor read back from the target holds otherwise. */
export function compareWriteback(writeback: RxWriteback, bytes: Uint8Array): RxFieldDifference[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const differences: RxFieldDifference[] = [];
  for (const [field, expected] of writeback.expected) {
    const where = writeback.format.fields[field]!;
    const offset = where.dword * 4;
    if (offset + 4 > bytes.length) continue;
    const mask = where.bits === 32 ? 0xffffffff : (1 << where.bits) - 1;
    const actual = ((view.getUint32(offset, true) >>> where.shift) & mask) >>> 0;
    if (actual !== ((expected & mask) >>> 0)) differences.push({ field, offset, expected: (expected & mask) >>> 0, actual });
  }
  return differences;
}
