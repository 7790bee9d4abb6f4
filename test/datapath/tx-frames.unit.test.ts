// The TX data path without QEMU: frames of the real traffic-mix capture rebuilt into what the
// driver's buffers held, and the order-based frame check, which must pass on the recorded frames
// and fail, naming the decoded field, on a deliberately different one.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { pcapFrames } from '../../src/frames/pcap.js';
import { frameDirection, macBytes } from '../../src/frames/frame-cursor.js';
import { decodeFrame } from '../../src/frames/decode.js';
import { FramesCollector } from '../../src/checks/frames/frames-collector.js';
import { rebuildBuffers, framesFor } from '../../src/datapath/tx-buffer.js';
import { CMD_EOP, CMD_VLE, POPTS_TXSM } from '../../src/datapath/tx-descriptor.js';
import type { TxSeed } from '../../src/datapath/tx-path.js';
import type { TxPacket } from '../../src/datapath/tx-ring.js';
import type { Access } from '../../src/model/access.js';

const MAC = macBytes('52:54:00:12:34:56');
const capture = new Uint8Array(readFileSync('traces/linux-6.1-traffic-mix.pcap'));
const tx = [...pcapFrames(capture, 'traffic-mix.pcap')].filter((f) => frameDirection(f.data, MAC) === 'tx');
const tcp = tx.find((f) => decodeFrame(f.data).l4?.kind === 'tcp' && f.data.length > 100)!;

function packet(length: number, cmd = 0x2b300000 | CMD_EOP, olinfo = 0): TxPacket {
  return { line: 1, buffers: [{ address: 0x1000n, length: 20 }, { address: 0x2000n, length: length - 20 }], cmd, olinfo };
}

function seed(frames: readonly Uint8Array[]): TxSeed {
  const access = { type: 'access', seq: 7, line: 70, kind: 'write', space: 'mmio', offset: 0xe018, size: 4, value: 1, verdict: 'ok', events: [] } as Access;
  return {
    handoff: { access, register: 'TDT(0)', descriptors: [], packets: [] }, writes: [], skipped: [],
    expected: frames.map((data, i) => ({ data, pcapIndex: i, packetLine: 60 })),
  };
}

describe('TX buffers rebuilt from captured frames', () => {
  it('puts the pseudo-header sum in an offloaded TCP checksum, the rest byte for byte', () => {
    const rebuilt = rebuildBuffers(packet(tcp.data.length, 0x2b300000 | CMD_EOP, POPTS_TXSM), [tcp.data]);
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
    const vle = 0x2b300000 | CMD_EOP | CMD_VLE;
    expect(rebuildBuffers(packet(tcp.data.length, vle), [tagged])).toEqual({ bytes: tcp.data });
    expect(rebuildBuffers(packet(tcp.data.length, vle), [tcp.data])).toEqual({ skip: expect.stringMatching(/no 802\.1Q tag/) });
  });

  it('skips a packet whose descriptors carry another length, saying both', () => {
    expect(rebuildBuffers(packet(tcp.data.length + 6), [tcp.data])).toEqual({ skip: `the captured frame gives ${tcp.data.length} bytes, the descriptors carry ${tcp.data.length + 6}` });
  });

  it('expects one frame per MSS of a TSO payload', () => {
    const context = { index: 0, vlan: 0, macLength: 14, ipLength: 20, l4Length: 32, mss: 1460, line: 1 };
    expect(framesFor({ ...packet(100, 0x80000000 | 0x2b300000 | CMD_EOP, 4380 << 14), context })).toBe(3);
    expect(framesFor({ ...packet(100, 0x80000000 | 0x2b300000 | CMD_EOP, 2920 << 14), context })).toBe(3 - 1);
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
    expect(result.byClass).toEqual({ 'frame-differs': 0, 'frame-missing': 1, 'frame-extra': 1 });
    const late = new FramesCollector();
    late.expect([seed(frames)]);
    late.emitted([frames[0]!]);
    expect(late.finish('x.pcap', []).byClass['frame-missing']).toBe(2);
  });
});
