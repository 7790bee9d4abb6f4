// Receive descriptor write-backs without QEMU: what the recording's device logged writing into each
// receive descriptor (real recordings of igb and e1000e), which format the driver chose (followed
// through its register writes), and the field-by-field comparison with a descriptor read back.
// The descriptor bytes and the few hand-made events below are synthetic, labelled as such.
import { describe, expect, it } from '@jest/globals';
import { readTrace } from '../../src/formats/read-trace.js';
import type { Access, SideEvent, TraceRecord } from '../../src/model/access.js';
import { FrameCursor, macBytes } from '../../src/frames/frame-cursor.js';
import { deviceRow, type DeviceModel } from '../../src/devices/table.js';
import { RxDataPath, type RxPacket } from '../../src/datapath/rx-path.js';
import { compareWriteback, recordedWritebacks, RxFormatTracker, type RxWriteback } from '../../src/datapath/rx-writeback.js';
import { registersFor } from '../../src/regs/database.js';

async function packetsOf(name: string, model: DeviceModel): Promise<RxPacket[]> {
  const records: TraceRecord[] = [];
  await readTrace(`traces/${name}.log`, { access: (a) => records.push(a), marker: (m) => records.push(m) }, {});
  const path = new RxDataPath(new FrameCursor(`traces/${name}.pcap`, 'rx', macBytes('52:54:00:12:34:56')), deviceRow(model).rxBuffers,
    new RxFormatTracker(model, registersFor(model)));
  const injections = [...(await path.window(records)).values()];
  await path.close();
  return injections.flatMap((injection) => [...injection.packets]);
}

const DD_EOP = 0x3;

describe.each([
  ['linux-6.1-traffic-mix', 'igb', 'advanced one-buffer', ['length', 'packet-type', 'rss-hash', 'rss-type', 'status', 'vlan']],
  ['linux-6.1-e1000e-traffic-mix', 'e1000e', 'extended', ['length', 'status', 'vlan']],
] as const)('write-backs recorded in %s (%s)', (name, model, format, fields) => {
  it('give every received frame one decoded descriptor, its length the bytes written to the buffer, DD and EOP set', async () => {
    const packets = await packetsOf(name, model);
    expect(packets.length).toBeGreaterThan(100);
    for (const packet of packets) {
      expect(packet.writebacks.undecoded).toEqual([]);
      expect(packet.writebacks.decoded).toHaveLength(1);
      const writeback = packet.writebacks.decoded[0]!;
      expect(writeback.format.name).toBe(format);
      expect([...writeback.expected.keys()].sort()).toEqual(fields);
      expect(writeback.expected.get('length')).toBe(packet.buffers.reduce((n, b) => n + b.length, 0));
      expect(writeback.expected.get('status')! & DD_EOP).toBe(DD_EOP);
    }
  });
});

/** A synthetic igb frame's events: its descriptor on ring `ring`, a 98-byte buffer write, metadata. */
function igbEvents(ring: number): SideEvent[] {
  const event = (line: number, name: string, text: string): SideEvent => ({ name, category: 'rx', line, text });
  return [
    event(1, 'e1000e_rx_receive_iov', 'Received vector of 1 fragments'),
    event(2, 'e1000e_rx_descr', `Next RX descriptor: ring #${ring}, PA: 0x1af01040, length: 16`),
    event(3, 'igb_rx_desc_buff_write', 'buffer 1, addr: 0x1af060c0, offset: 0, from: 0x7ffd, length: 98'),
    event(4, 'e1000e_rx_metadata_status_flags', 'status_flags is 0x73'),
    event(5, 'igb_rx_metadata_rss', 'RSS data: rss: 0x7078F67F, rss_pkt_type: 0x2'),
    event(6, 'e1000e_rx_metadata_pkt_type', 'the packet type is 33'),
    event(7, 'e1000e_rx_metadata_vlan', 'VLAN tag is 0x64'),
  ];
}

/** A synthetic register write. */
function write(offset: number, value: number): Access {
  return { type: 'access', seq: 0, line: 1, kind: 'write', space: 'mmio', offset, size: 4, value, verdict: 'ok', events: [] };
}

const SRRCTL0 = 0xc00c;
const SRRCTL0_ALIAS = 0x280c;
const DESCTYPE_ADV_ONEBUF = 1 << 25;

describe('the descriptor format', () => {
  it('follows SRRCTL(n) of the frame\'s ring (igb), through its legacy alias too', () => {
    const formats = new RxFormatTracker('igb', registersFor('igb'));
    expect(recordedWritebacks(igbEvents(0), 'igb_rx_desc_buff_write', formats).undecoded)
      .toEqual(['of a format the recording does not show (SRRCTL(0) is not written in it)']);
    formats.see(write(SRRCTL0_ALIAS, 0));
    expect(recordedWritebacks(igbEvents(0), 'igb_rx_desc_buff_write', formats).undecoded).toEqual(['in legacy format (SRRCTL.DESCTYPE 0)']);
    formats.see(write(SRRCTL0, DESCTYPE_ADV_ONEBUF | 2));
    const { decoded, undecoded } = recordedWritebacks(igbEvents(0), 'igb_rx_desc_buff_write', formats);
    expect(undecoded).toEqual([]);
    expect(decoded[0]).toMatchObject({ address: 0x1af01040, ring: 0, line: 2 });
    expect(Object.fromEntries(decoded[0]!.expected)).toEqual({
      length: 98, status: 0x73, 'rss-hash': 0x7078f67f, 'rss-type': 2, 'packet-type': 33, vlan: 0x64,
    });
    // Ring 1 has its own SRRCTL.
    expect(recordedWritebacks(igbEvents(1), 'igb_rx_desc_buff_write', formats).undecoded).toHaveLength(1);
  });

  it('is packet split, extended or legacy by RCTL.DTYP and RFCTL.EXSTEN (e1000e)', () => {
    const formats = new RxFormatTracker('e1000e', registersFor('e1000e'));
    const ring = 0;
    formats.see(write(0x100, 0x8002)); // RCTL: EN, DTYP 0
    expect(formats.formatOf(ring)).toEqual({ undecoded: 'of a format the recording does not show (RCTL or RFCTL is not written in it)' });
    formats.see(write(0x5008, 0));
    expect(formats.formatOf(ring)).toEqual({ undecoded: 'in legacy format (RFCTL.EXSTEN 0)' });
    formats.see(write(0x5008, 1 << 15));
    expect(formats.formatOf(ring)).toMatchObject({ name: 'extended', bytes: 16 });
    formats.see(write(0x100, 0x8002 | (1 << 10)));
    expect(formats.formatOf(ring)).toMatchObject({ name: 'packet split', bytes: 32 });
  });
});

describe('packet-split write-backs recorded in linux-6.1-e1000e-jumbo (e1000e, MTU 9000)', () => {
  it('give each buffer its own length, from the bytes-written event (the split-off header has no buffer write), summing to what was written', async () => {
    const packets = (await packetsOf('linux-6.1-e1000e-jumbo', 'e1000e')).filter((p) => p.writebacks.decoded.some((w) => w.format.name === 'packet split'));
    expect(packets.length).toBeGreaterThan(100);
    let headersSplit = 0;
    for (const packet of packets) {
      expect(packet.writebacks.undecoded).toEqual([]);
      const lengths = packet.writebacks.decoded.flatMap((w) => (['length', 'buffer-1-length', 'buffer-2-length', 'buffer-3-length'] as const).map((f) => w.expected.get(f)!));
      expect(lengths.reduce((n, l) => n + l, 0)).toBe(packet.buffers.reduce((n, b) => n + b.length, 0));
      if (lengths[0]! > 0 && lengths[1]! > 0) headersSplit++;
    }
    expect(headersSplit).toBeGreaterThan(0);
  });

  it('read back with buffer 1\'s length off by one names that field at its dword (SYNTHETIC descriptor bytes)', async () => {
    const packet = (await packetsOf('linux-6.1-e1000e-jumbo', 'e1000e')).find((p) => p.writebacks.decoded[0]?.expected.get('buffer-1-length') === 1480)!;
    const writeback = packet.writebacks.decoded[0]!;
    const bytes = new Uint8Array(32);
    const view = new DataView(bytes.buffer);
    view.setUint32(8, writeback.expected.get('status')!, true);
    view.setUint32(12, writeback.expected.get('length')! | (writeback.expected.get('vlan')! << 16), true);
    view.setUint32(16, 1480 << 16, true);
    for (const field of ['rss-type', 'rss-hash', 'ip-id'] as const) expect(writeback.expected.has(field)).toBe(false);
    expect(compareWriteback(writeback, bytes)).toEqual([]);
    view.setUint32(16, 1479 << 16, true);
    expect(compareWriteback(writeback, bytes)).toEqual([{ field: 'buffer-1-length', offset: 16, expected: 1480, actual: 1479 }]);
  });
});

describe('a descriptor read back', () => {
  const formats = new RxFormatTracker('igb', registersFor('igb'));
  formats.see(write(SRRCTL0, DESCTYPE_ADV_ONEBUF));
  const writeback: RxWriteback = recordedWritebacks(igbEvents(0), 'igb_rx_desc_buff_write', formats).decoded[0]!;
  /** Synthetic: the advanced write-back the recorded fields describe (datasheet 7.1.5.2 layout). */
  const asWritten = (): Uint8Array => {
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, 2 | (33 << 4), true);
    view.setUint32(4, 0x7078f67f, true);
    view.setUint32(8, 0x73, true);
    view.setUint32(12, 98 | (0x64 << 16), true);
    return bytes;
  };

  it('that holds what the recording logged matches', () => {
    expect(compareWriteback(writeback, asWritten())).toEqual([]);
  });

  it('names each field that differs, with its dword\'s offset', () => {
    const bytes = asWritten();
    const view = new DataView(bytes.buffer);
    view.setUint32(0, 2 | (2 << 4), true); // packet type encoded otherwise
    view.setUint32(8, 0x8073, true); // a status bit more
    expect(compareWriteback(writeback, bytes)).toEqual([
      { field: 'status', offset: 8, expected: 0x73, actual: 0x8073 },
      { field: 'packet-type', offset: 0, expected: 33, actual: 2 },
    ]);
  });
});
