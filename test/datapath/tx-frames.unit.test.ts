// The TX data path without QEMU: frames of the real traffic-mix capture rebuilt into what the
// driver's buffers held, and the order-based frame check, which must pass on the recorded frames
// and fail, naming the decoded field, on a deliberately different one.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { pcapFrames } from '../../src/frames/pcap.js';
import { FrameCursor, frameDirection, macBytes } from '../../src/frames/frame-cursor.js';
import { decodeFrame } from '../../src/frames/decode.js';
import { FramesCollector } from '../../src/checks/frames/frames-collector.js';
import { rebuildBuffers, framesFor } from '../../src/datapath/tx-buffer.js';
import { classifyDescriptor, type TxOffloads } from '../../src/datapath/tx-descriptor.js';
import type { TxSeed } from '../../src/datapath/tx-path.js';
import type { TxPacket } from '../../src/datapath/tx-ring.js';
import type { Access, TraceRecord } from '../../src/model/access.js';
import { readTrace } from '../../src/formats/read-trace.js';
import { TxDataPath } from '../../src/datapath/tx-path.js';
import { deviceRow } from '../../src/devices/table.js';
import { registersFor } from '../../src/regs/database.js';

const MAC = macBytes('52:54:00:12:34:56');
const capture = new Uint8Array(readFileSync('traces/linux-6.1-traffic-mix.pcap'));
const tx = [...pcapFrames(capture, 'traffic-mix.pcap')].filter((f) => frameDirection(f.data, MAC) === 'tx');
const tcp = tx.find((f) => decodeFrame(f.data).l4?.kind === 'tcp' && f.data.length > 100)!;

const NONE: TxOffloads = { tso: false, vlan: false, l4Checksum: false, ipChecksum: false };

function packet(length: number, offloads: Partial<TxOffloads> = {}, payloadLength?: number): TxPacket {
  return {
    line: 1, buffers: [{ address: 0x1000n, length: 20 }, { address: 0x2000n, length: length - 20 }], offloads: { ...NONE, ...offloads },
    ...(payloadLength === undefined ? {} : { payloadLength }),
  };
}

function seed(frames: readonly Uint8Array[]): TxSeed {
  const access = { type: 'access', seq: 7, line: 70, kind: 'write', space: 'mmio', offset: 0xe018, size: 4, value: 1, verdict: 'ok', events: [] } as Access;
  return {
    handoff: { access, register: 'TDT(0)', descriptors: [], packets: [] }, writes: [], readBack: [], writebacks: [], skipped: [],
    expected: frames.map((data, i) => ({ data, pcapIndex: i, packetLine: 60 })),
  };
}

describe('TX buffers rebuilt from captured frames', () => {
  it('puts the pseudo-header sum in an offloaded TCP checksum, the rest byte for byte', () => {
    const rebuilt = rebuildBuffers(packet(tcp.data.length, { l4Checksum: true }), [tcp.data]);
    expect('bytes' in rebuilt).toBe(true);
    const bytes = (rebuilt as { bytes: Uint8Array }).bytes;
    const at = decodeFrame(tcp.data).l4!.checksumOffset;
    expect(bytes.subarray(0, at)).toEqual(tcp.data.subarray(0, at));
    expect(bytes.subarray(at + 2)).toEqual(tcp.data.subarray(at + 2));
    expect(bytes.subarray(at, at + 2)).not.toEqual(tcp.data.subarray(at, at + 2));
  });

  it('removes the 802.1Q tag the device inserts, and refuses an untagged frame for VLE', () => {
    const tagged = new Uint8Array(tcp.data.length + 4);
    tagged.set(tcp.data.subarray(0, 12));
    tagged.set([0x81, 0x00, 0x00, 0x05], 12);
    tagged.set(tcp.data.subarray(12), 16);
    const vle = { vlan: true };
    expect(rebuildBuffers(packet(tcp.data.length, vle), [tagged])).toEqual({ bytes: tcp.data });
    expect(rebuildBuffers(packet(tcp.data.length, vle), [tcp.data])).toEqual({ skip: expect.stringMatching(/no 802\.1Q tag/) });
  });

  it('skips a packet whose descriptors carry another length, saying both', () => {
    expect(rebuildBuffers(packet(tcp.data.length + 6), [tcp.data])).toEqual({ skip: `the captured frame gives ${tcp.data.length} bytes, the descriptors carry ${tcp.data.length + 6}` });
  });

  it('expects one frame per MSS of a TSO payload', () => {
    const context = { index: 0, headerLength: 66, mss: 1460, line: 1 };
    expect(framesFor({ ...packet(100, { tso: true }, 4380), context })).toBe(3);
    expect(framesFor({ ...packet(100, { tso: true }, 2920), context })).toBe(3 - 1);
  });
});

// Descriptor words as QEMU 10.0.2 logged them (`e1000e_tx_descr`) in the shipped recordings: the
// same three words mean different things on igb (advanced) and e1000e (extended).
describe('transmit descriptors by layout', () => {
  const words = (first: bigint, cmdTypeLen: number, last: number) => ({ first, cmdTypeLen, last, line: 1 });

  it('reads igb advanced data and context descriptors: TSE bit 31, IDX and PAYLEN in olinfo, MAC+IP+L4 lengths', () => {
    // linux-6.1-traffic-mix.log: a TSO context (MACLEN 14, IPLEN 20, L4LEN 20, MSS 1460) and a TSO
    // packet's first data descriptor (54 header bytes, no EOP, PAYLEN 4380, IXSM and TXSM).
    expect(classifyDescriptor(words(0x1c14n, 0x20200c00, 0x5b41400), 'advanced')).toMatchObject({
      kind: 'context', context: { index: 0, headerLength: 14 + 20 + 20, mss: 1460 },
    });
    expect(classifyDescriptor(words(0x1c804d0an, 0xa2300036, 0x4470300), 'advanced')).toMatchObject({
      kind: 'data', length: 54, eop: false, contextIndex: 0, payloadLength: 4380,
      offloads: { tso: true, vlan: false, l4Checksum: true, ipChecksum: true },
    });
  });

  it('reads e1000e extended data and context descriptors: TSE bit 26, HDRLEN, MSS and PAYLEN in the context', () => {
    // Words of an e1000e traffic-mix recording: a checksum context (TUCSS 34, TUCSO 40)
    // and a data descriptor with EOP and TXSM; then a TSO context as the 82574 datasheet lays it out.
    expect(classifyDescriptor(words(0x282200000000n, 0x20000000, 0), 'extended')).toMatchObject({ kind: 'context', context: { index: 0, mss: 0 } });
    expect(classifyDescriptor(words(0x1342e02n, 0xab100042, 0x200), 'extended')).toMatchObject({
      kind: 'data', length: 0x42, eop: true, contextIndex: 0, offloads: { tso: false, vlan: false, l4Checksum: true, ipChecksum: false },
    });
    expect(classifyDescriptor(words(0x0n, 0x2d000000 | 4000, (1448 << 16) | (66 << 8)), 'extended')).toMatchObject({
      kind: 'context', context: { index: 0, headerLength: 66, mss: 1448, payloadLength: 4000 },
    });
    expect(classifyDescriptor(words(0x3000n, 0x2d100042, 0x300), 'extended')).toMatchObject({
      kind: 'data', offloads: { tso: true, l4Checksum: true, ipChecksum: true },
    });
    // The same data descriptor under the advanced layout is none (DTYP 1 is no data descriptor there),
    // and e1000e's legacy IDE bit (bit 31) is no TSO request.
    expect(classifyDescriptor(words(0x1342e02n, 0xab100042, 0x200), 'advanced').kind).toBe('unknown');
    expect(classifyDescriptor(words(0x1342e02n, 0x8b000062, 0), 'extended')).toMatchObject({ kind: 'legacy', offloads: { tso: false } });
  });

  it('reads legacy descriptors alike in both layouts: VLE is rebuilt, IC is not', () => {
    for (const layout of ['advanced', 'extended'] as const) {
      expect(classifyDescriptor(words(0x4000n, 0x4b00003c, 0x50000), layout)).toMatchObject({
        kind: 'legacy', length: 0x3c, eop: true, insertsChecksumAt: false, offloads: { vlan: true, tso: false },
      });
      expect(classifyDescriptor(words(0x4000n, 0x0f00003c, 0), layout)).toMatchObject({ kind: 'legacy', insertsChecksumAt: true });
    }
  });
});

describe('frame check, in order', () => {
  it('passes the recorded frames', () => {
    const check = new FramesCollector();
    check.expect([seed(tx.slice(0, 5).map((f) => f.data))]);
    check.emitted(tx.slice(0, 3).map((f) => f.data));
    check.emitted(tx.slice(3, 5).map((f) => f.data));
    const result = check.finish('x.pcap', []);
    expect(result.tx).toMatchObject({ framesExpected: 5, framesEmitted: 5, framesCompared: 5, framesMatched: 5 });
    expect(result.divergences).toEqual([]);
  });

  it('fails a deliberately different frame, naming the decoded field and the tail write', () => {
    const changed = new Uint8Array(tcp.data);
    const seqAt = decodeFrame(changed).l4!.offset + 4;
    changed[seqAt + 3] = changed[seqAt + 3]! ^ 0x01;
    const check = new FramesCollector();
    check.expect([seed([tcp.data])]);
    check.emitted([changed]);
    const result = check.finish('x.pcap', []);
    expect(result.byClass['frame-differs']).toBe(1);
    expect(result.divergences[0]).toMatchObject({ class: 'frame-differs', line: 70, register: 'TDT(0)', packetLine: 60 });
    expect(result.divergences[0]!.fields.map((f) => f.field)).toEqual(['tcp.seq']);
  });

  it('tells a left-out frame from a different one, and counts what never came and what was extra', () => {
    const frames = tx.slice(0, 3).map((f) => f.data);
    const check = new FramesCollector();
    check.expect([seed(frames)]);
    check.emitted([frames[1]!, frames[2]!, tcp.data]);
    const result = check.finish('x.pcap', []);
    expect(result.byClass).toEqual({ 'frame-differs': 0, 'frame-missing': 1, 'frame-extra': 1, 'descriptor-differs': 0 });
    const late = new FramesCollector();
    late.expect([seed(frames)]);
    late.emitted([frames[0]!]);
    expect(late.finish('x.pcap', []).byClass['frame-missing']).toBe(2);
  });
});

describe('transmit descriptor write-backs', () => {
  // SYNTHETIC status dwords as read back: the first descriptor with DD, the second without.
  const withChecks = (): TxSeed => ({
    ...seed([]),
    readBack: [{ address: 0x100c, length: 4 }, { address: 0x101c, length: 4 }],
    writebacks: [{ address: 0x1000, line: 61 }, { address: 0x1010, line: 62 }],
  });

  it('counts a descriptor asked for a status report (RS) whose DD the device set, and names one it left clear', () => {
    const check = new FramesCollector();
    check.txWrittenBack(withChecks(), new Uint8Array([0x01, 0, 0, 0, 0x00, 0, 0, 0]));
    const result = check.finish('x.pcap', []);
    expect(result.tx).toMatchObject({ descriptorsReadBack: 2, descriptorsMatched: 1 });
    expect(result.byClass['descriptor-differs']).toBe(1);
    expect(result.divergences[0]).toMatchObject({
      class: 'descriptor-differs', direction: 'tx', register: 'TDT(0)', line: 70, packetLine: 62, fields: [{ field: 'status.DD', offset: 12, expected: 1, actual: 0 }],
    });
    expect(result.divergences[0]!.summary).toMatch(/0x1010 .*no DD after the tail write/);
  });

  it('counts nothing for a tail write it could not read back (the run stopped first)', () => {
    const check = new FramesCollector();
    check.txWrittenBack(withChecks(), undefined);
    expect(check.finish('x.pcap', []).tx).toMatchObject({ descriptorsReadBack: 0, descriptorsMatched: 0 });
  });
});

describe.each([['linux-6.1-traffic-mix', 'igb'], ['linux-6.1-e1000e-traffic-mix', 'e1000e']] as const)('status reports asked in %s (%s)', (name, model) => {
  it('are one per packet (Linux sets RS on its last descriptor), each read back from the status dword of a seeded descriptor', async () => {
    const records: TraceRecord[] = [];
    await readTrace(`traces/${name}.log`, { access: (a) => records.push(a), marker: (m) => records.push(m) }, {});
    const path = new TxDataPath(registersFor(model), deviceRow(model).txDescriptors, new FrameCursor(`traces/${name}.pcap`, 'tx', macBytes('52:54:00:12:34:56')));
    const seeds = [...(await path.window(records)).values()];
    await path.close();
    const packets = seeds.reduce((n, s) => n + s.handoff.packets.length, 0);
    expect(packets).toBeGreaterThan(100);
    expect(seeds.reduce((n, s) => n + s.writebacks.length, 0)).toBe(packets);
    expect(path.headWritebackDescriptors).toBe(0);
    for (const s of seeds) {
      const seeded = new Set(s.handoff.descriptors.map((d) => d.address));
      expect(s.writebacks.every((w) => seeded.has(w.address))).toBe(true);
      expect(s.readBack).toEqual(s.writebacks.map((w) => ({ address: w.address + 12, length: 4 })));
    }
  });
});
