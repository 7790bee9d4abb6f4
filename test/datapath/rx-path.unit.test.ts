// The receive side of the data path without QEMU, on the real traffic-mix and nomsi recordings and
// their captures: every frame the recording's device received is matched, in order, with a
// received frame of the capture, and its receive descriptors are seeded at the recorded addresses
// with the buffer address the device wrote to (igb: word 0); frames received inside a write (the
// backend answering at once) take their events from that write.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrace } from '../../src/formats/read-trace.js';
import type { Access, TraceRecord } from '../../src/model/access.js';
import { FrameCursor, frameDirection, macBytes } from '../../src/frames/frame-cursor.js';
import { pcapFrames } from '../../src/frames/pcap.js';
import { deviceRow } from '../../src/devices/table.js';
import { deliveredBytes, flushedInsideTimer, RxDataPath, RX_START_EVENT, recordedFrames, type RxInjection } from '../../src/datapath/rx-path.js';
import { FramesCollector } from '../../src/checks/frames/frames-collector.js';
import { RxFormatTracker } from '../../src/datapath/rx-writeback.js';
import { igbRegisters, registersFor } from '../../src/regs/database.js';
import { OwnMacs } from '../../src/datapath/own-macs.js';

async function recordsOf(path: string): Promise<TraceRecord[]> {
  const records: TraceRecord[] = [];
  await readTrace(path, { access: (a) => records.push(a), marker: (m) => records.push(m) }, {});
  return records;
}

const MAC = macBytes('52:54:00:12:34:56');

async function injectionsOf(name: string): Promise<{ path: RxDataPath; injections: RxInjection[]; records: TraceRecord[] }> {
  const records = await recordsOf(`traces/${name}.log`);
  const path = new RxDataPath(new FrameCursor(`traces/${name}.pcap`, 'rx', MAC), deviceRow('igb').rxBuffers, new RxFormatTracker('igb', igbRegisters()));
  const injections = [...(await path.window(records)).values()];
  await path.close();
  return { path, injections, records };
}

describe.each(['linux-6.1-traffic-mix', 'linux-6.1-nomsi'])('received frames of %s', (name) => {
  it('matches every receipt with the capture\'s received frames, in order, and leaves none out', async () => {
    const { path, injections, records } = await injectionsOf(name);
    const receipts = records.reduce((n, r) => n + r.events.filter((e) => e.name === RX_START_EVENT).length, 0);
    const captured = [...pcapFrames(new Uint8Array(readFileSync(`traces/${name}.pcap`)), name)].filter((f) => frameDirection(f.data, MAC) === 'rx');
    expect(path.recorded).toBe(receipts);
    expect(captured).toHaveLength(receipts);
    const packets = injections.flatMap((i) => i.packets);
    expect(packets).toHaveLength(receipts);
    expect(packets.map((p) => p.captureIndex)).toEqual(captured.map((f) => f.index));
    expect(path.notInjected()).toEqual([]);
  });

  it('seeds each frame\'s descriptors where the recording\'s device read them, with the buffer it wrote to in word 0', async () => {
    const { injections } = await injectionsOf(name);
    for (const packet of injections.flatMap((i) => i.packets)) {
      const descriptors = packet.events.filter((e) => e.name === 'e1000e_rx_descr');
      const buffers = packet.events.filter((e) => e.name === 'igb_rx_desc_buff_write');
      expect(packet.descriptors).toBe(descriptors.length);
      if (descriptors.length === 0) continue;
      const first = packet.writes[0]!;
      expect(first.address).toBe(Number.parseInt(/PA: 0x([0-9a-f]+)/.exec(descriptors[0]!.text)![1]!, 16));
      const word0 = new DataView(first.data.buffer, first.data.byteOffset).getBigUint64(0, true);
      expect(`0x${word0.toString(16)}`).toBe(/addr: (0x[0-9a-f]+)/.exec(buffers[0]!.text)![1]);
    }
  });
});

describe('a capture with fewer received frames than the recording (SYNTHETIC: the real traffic-mix capture cut short)', () => {
  it('injects the frames it has and reports the rest as not injected, cause capture-exhausted, from the first one left out', async () => {
    const name = 'linux-6.1-traffic-mix';
    const kept = 100;
    const bytes = readFileSync(`traces/${name}.pcap`);
    const received = [...pcapFrames(new Uint8Array(bytes), name)].filter((f) => frameDirection(f.data, MAC) === 'rx');
    const dir = mkdtempSync(join(tmpdir(), 'igb-replay-rx-cut-'));
    try {
      const cut = join(dir, 'cut.pcap');
      writeFileSync(cut, bytes.subarray(0, received[kept]!.offset));
      const records = await recordsOf(`traces/${name}.log`);
      const path = new RxDataPath(new FrameCursor(cut, 'rx', MAC), deviceRow('igb').rxBuffers, new RxFormatTracker('igb', igbRegisters()));
      const packets = [...(await path.window(records)).values()].flatMap((injection) => injection.packets);
      await path.close();
      expect(packets).toHaveLength(kept);
      const receipts = records.flatMap((r) => r.events.filter((e) => e.name === RX_START_EVENT));
      const left = path.notInjected();
      expect(left).toHaveLength(1);
      expect(left[0]).toMatchObject({ cause: 'capture-exhausted', frames: path.recorded - kept, firstLine: receipts[kept]!.line });
      expect(left[0]!.reason).toContain('fewer received frames than the recording');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('e1000e packet-split receive descriptors (linux-6.1-e1000e-jumbo: the e1000e driver with MTU 9000)', () => {
  it('are seeded with all four buffer addresses the device read, and read back where it wrote, the split-off header included', async () => {
    const name = 'linux-6.1-e1000e-jumbo';
    const records = await recordsOf(`traces/${name}.log`);
    const path = new RxDataPath(new FrameCursor(`traces/${name}.pcap`, 'rx', MAC), deviceRow('e1000e').rxBuffers, new RxFormatTracker('e1000e', registersFor('e1000e')));
    const packets = [...(await path.window(records)).values()].flatMap((injection) => injection.packets);
    await path.close();
    const split = packets.filter((packet) => packet.events.some((e) => e.name === 'e1000e_rx_desc_ps_read'));
    expect(split.length).toBeGreaterThan(100);
    for (const packet of split) {
      const seeded = packet.writes.flatMap((write) => {
        const view = new DataView(write.data.buffer, write.data.byteOffset, write.data.byteLength);
        return Array.from({ length: write.data.byteLength / 8 }, (_, i) => view.getBigUint64(i * 8, true));
      });
      for (const read of packet.events.filter((e) => e.name === 'e1000e_rx_desc_ps_read')) {
        const addresses = /\[(.*)\]/.exec(read.text)![1]!.split(',').map((a) => BigInt(a.trim()));
        expect(seeded).toEqual(expect.arrayContaining(addresses));
      }
      // The header QEMU splits into buffer 0 has no buffer-write event: the bytes-written event counts it.
      const written = packet.buffers.reduce((n, b) => n + b.length, 0);
      expect(written - packet.expected.length).toBeGreaterThanOrEqual(0);
      expect(written - packet.expected.length).toBeLessThanOrEqual(4);
    }
    // Some frames had their header split off (buffer 0 and another written): the case the buffer-write events alone missed.
    expect(split.some((packet) => packet.buffers.length > 1)).toBe(true);
  });
});

describe('frames received inside a write', () => {
  it('are most of the shipped traffic (slirp answers pings and ARP at once), and take the write\'s events', async () => {
    const records = await recordsOf('traces/linux-6.1-traffic-mix.log');
    let nested = 0;
    let own = 0;
    let previous: Access | undefined;
    for (const record of records) {
      if (record.type === 'access') {
        previous = record;
        continue;
      }
      for (const frame of recordedFrames(record, previous)) {
        if (frame.nested) nested++;
        else own++;
        expect(frame.events[0]!.name).toBe(RX_START_EVENT);
        expect(frame.events.some((e) => e.name === 'e1000e_rx_written_to_guest' || e.name === 'e1000e_rx_flt_dropped')).toBe(true);
      }
    }
    expect(nested).toBeGreaterThan(own);
    expect(own).toBeGreaterThan(0);
  });
});

describe('what the device writes for a received frame', () => {
  it('is the frame padded to 60 bytes, without its 802.1Q tag when the device stripped it (SYNTHETIC frames)', () => {
    const arp = Uint8Array.from({ length: 42 }, (_, i) => i + 1);
    expect(deliveredBytes(arp, false)).toEqual(Uint8Array.from({ length: 60 }, (_, i) => (i < 42 ? i + 1 : 0)));
    const tagged = Uint8Array.from({ length: 70 }, (_, i) => i);
    expect([...deliveredBytes(tagged, true)]).toEqual([...tagged.subarray(0, 12), ...tagged.subarray(16)]);
    expect(deliveredBytes(tagged, false)).toBe(tagged);
  });

  it('covers exactly the bytes the recording\'s device wrote, for every frame of the real captures (at most an FCS more)', async () => {
    for (const name of ['linux-6.1-traffic-mix', 'linux-6.1-jumbo']) {
      const { injections } = await injectionsOf(name);
      for (const packet of injections.flatMap((i) => i.packets)) {
        const written = packet.buffers.reduce((n, b) => n + b.length, 0);
        expect(written - packet.expected.length).toBeGreaterThanOrEqual(0);
        expect(written - packet.expected.length).toBeLessThanOrEqual(4);
      }
    }
  });

  it('is compared with what the target wrote: alike passes, one byte off is a frame difference of the RX buffer, decoded', async () => {
    const { injections } = await injectionsOf('linux-6.1-traffic-mix');
    const packet = injections.flatMap((i) => i.packets).find((p) => p.expected.length > 60)!;
    const collector = new FramesCollector();
    expect(collector.delivered(packet, 7, packet.expected)).toBe(true);
    const off = Uint8Array.from(packet.expected);
    off[22] = off[22]! ^ 0xff; // IPv4 TTL
    expect(collector.delivered(packet, 7, off)).toBe(false);
    const result = collector.finish('capture.pcap', []);
    expect(result.byClass['frame-differs']).toBe(1);
    expect(result.divergences[0]).toMatchObject({ direction: 'rx', register: 'RX buffer', line: packet.line, captureIndex: packet.captureIndex, summary: expect.stringMatching(/received frame #\d+: .*ttl/i) });
  });
});

describe.each(['linux-6.1-sriov', 'linux-6.1-sriov-flr', 'linux-6.1-aarch64-sriov'])('received frames of %s (SR-IOV: the device switches frames between its pools)', (name) => {
  it('tells the frames it switched to itself from the wire\'s: the wire\'s match the capture\'s received frames one for one, in order', async () => {
    const records = await recordsOf(`traces/${name}.log`);
    const sidecar = JSON.parse(readFileSync(`traces/${name}.json`, 'utf8')) as { mac: string };
    const own = igbOwnMacs(records, sidecar.mac);
    const path = new RxDataPath(new FrameCursor(`traces/${name}.pcap`, 'rx', own), deviceRow('igb').rxBuffers, new RxFormatTracker('igb', igbRegisters()));
    const packets = [...(await path.window(records)).values()].flatMap((i) => i.packets);
    await path.close();
    const captured = [...pcapFrames(new Uint8Array(readFileSync(`traces/${name}.pcap`)), name)].filter((f) => !own.sentBy(f.data));
    expect(path.switched).toBeGreaterThan(0);
    expect(path.recorded - path.switched).toBe(captured.length);
    expect(packets.map((p) => p.captureIndex)).toEqual(captured.map((f) => f.index));
    expect(path.notInjected()).toEqual([]);
    // A switched frame follows its transmit descriptor; the wire's come after the backend asked whether the NIC can take them.
    let previous: Access | undefined;
    for (const record of records) {
      if (record.type === 'access') previous = record;
      else for (const frame of recordedFrames(record, previous)) expect(frame.switched).toBe(/Received vector of [2-9]/.test(frame.events[0]!.text));
    }
  });

  it('seeds the receive descriptors of switched frames before the transmit tail write that makes them', async () => {
    const records = await recordsOf(`traces/${name}.log`);
    const path = new RxDataPath(new FrameCursor(`traces/${name}.pcap`, 'rx', igbOwnMacs(records, '52:54:00:12:34:56')), deviceRow('igb').rxBuffers, new RxFormatTracker('igb', igbRegisters()));
    await path.window(records);
    await path.close();
    const writes = [...path.switchedAt.values()].flatMap((at) => at.seeds);
    expect(writes.length).toBeGreaterThan(0);
    const transmits = new Set(records.filter((r): r is Access => r.type === 'access' && r.events.some((e) => e.name === 'e1000e_tx_descr')).map((r) => r.seq));
    for (const seq of path.switchedAt.keys()) expect(transmits.has(seq)).toBe(true);
    // And their write-backs, to read back after that write: one per descriptor seeded, each with the status the recording logged.
    for (const at of path.switchedAt.values()) expect(at.frames.length).toBeGreaterThan(0);
    const frames = [...path.switchedAt.values()].flatMap((at) => at.frames);
    expect(frames).toHaveLength(path.switched);
    const decoded = frames.flatMap((f) => f.writebacks.decoded);
    expect(decoded.length).toBeGreaterThan(0);
    for (const writeback of decoded) expect(writeback.expected.has('status')).toBe(true);
  });
});

/** The NIC's own MACs of a whole recording (the VFs' included), as the replay learns them. */
function igbOwnMacs(records: readonly TraceRecord[], mac: string): OwnMacs {
  const own = new OwnMacs(igbRegisters(), macBytes(mac));
  own.see(records);
  return own;
}

// linux-6.1-aarch64-ethtool: after `ethtool -r`, slirp's IPv6 multicast frame waited in the backend
// while the link was down, and QEMU handed it to the device inside the autonegotiation timer
// (negotiation done, receiving again, the frame, then flow control and LSC). The frame is still
// injected (after the timer's step: leaving it out would put the receive ring out of step for every
// frame after it), and it is the one frame that flushedInsideTimer names.
describe('a frame the backend held until autonegotiation completed (linux-6.1-aarch64-ethtool)', () => {
  it('is injected like every other received frame, and is the one named as flushed inside the autoneg timer', async () => {
    const name = 'linux-6.1-aarch64-ethtool';
    const { path, injections, records } = await injectionsOf(name);
    expect(path.notInjected()).toEqual([]);
    const packets = injections.flatMap((i) => i.packets);
    expect(packets.length + path.switched).toBe(path.recorded);
    expect(packets.some((p) => p.line === 13459)).toBe(true);
    const flushed = records.flatMap((r, i) => (r.type === 'marker' && flushedInsideTimer(r, records[i - 1]) !== undefined ? [`${r.line} ${flushedInsideTimer(r, records[i - 1])}`] : []));
    expect(flushed).toEqual(['13459 autoneg']);
    expect(records.find((r) => r.type === 'marker' && r.line === 13457)?.events.map((e) => e.name)).toEqual(['e1000x_link_negotiation_done', 'e1000e_rx_start_recv']);
  });
});
