// The classic-pcap reader on synthetic captures (made here, not recordings): every frame back
// with its offset, both byte orders, and a file:offset error for every way a file can be short or
// corrupt. The real captures in traces/ are read by the data-path replay tests.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcapFormatError, PcapReader, pcapFrames } from '../../src/frames/pcap.js';

/** A synthetic capture: `frames` with the given byte order. */
function synthetic(frames: readonly Uint8Array[], littleEndian = true): Uint8Array {
  const parts: Uint8Array[] = [];
  const head = new DataView(new ArrayBuffer(24));
  head.setUint32(0, 0xa1b2c3d4, littleEndian);
  head.setUint16(4, 2, littleEndian);
  head.setUint16(6, 4, littleEndian);
  head.setUint32(16, 65535, littleEndian);
  head.setUint32(20, 1, littleEndian);
  parts.push(new Uint8Array(head.buffer));
  frames.forEach((frame, i) => {
    const record = new DataView(new ArrayBuffer(16));
    record.setUint32(0, 1_800_000_000 + i, littleEndian);
    record.setUint32(4, 500, littleEndian);
    record.setUint32(8, frame.length, littleEndian);
    record.setUint32(12, frame.length, littleEndian);
    parts.push(new Uint8Array(record.buffer), frame);
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const FRAMES = [60, 1514, 61, 9018].map((length, i) => Uint8Array.from({ length }, (_, j) => (i * 31 + j) & 0xff));

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'pcap-test-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function readAll(bytes: Uint8Array, name: string): Promise<Uint8Array[]> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  const reader = await PcapReader.open(path);
  const frames: Uint8Array[] = [];
  try {
    for (let frame = await reader.next(); frame !== undefined; frame = await reader.next()) frames.push(frame.data);
  } finally {
    await reader.close();
  }
  return frames;
}

describe('classic pcap (synthetic captures)', () => {
  it('gives every frame back, with offsets and times, in both byte orders', async () => {
    for (const littleEndian of [true, false]) {
      const bytes = synthetic(FRAMES, littleEndian);
      const inMemory = [...pcapFrames(bytes, 'x.pcap')];
      expect(inMemory.map((f) => f.data)).toEqual(FRAMES);
      expect(inMemory.map((f) => f.offset)).toEqual([24, 24 + 16 + 60, 24 + 32 + 60 + 1514, 24 + 48 + 60 + 1514 + 61]);
      expect(inMemory[1]!.timeUs).toBe((1_800_000_001) * 1e6 + 500);
      expect(await readAll(bytes, `ok-${littleEndian}.pcap`)).toEqual(FRAMES);
    }
  });

  it('names file and offset for a capture cut at any byte', async () => {
    const whole = synthetic(FRAMES);
    // Every cut that is not at a frame boundary must fail, in memory and from the file alike.
    const boundaries = new Set([24, 24 + 16 + 60, 24 + 32 + 60 + 1514, 24 + 48 + 60 + 1514 + 61, whole.length]);
    for (let cut = 0; cut < whole.length; cut += cut < 200 ? 1 : 97) {
      const bytes = whole.subarray(0, cut);
      if (boundaries.has(cut)) {
        expect(() => [...pcapFrames(bytes, 'cut.pcap')]).not.toThrow();
        continue;
      }
      expect(() => [...pcapFrames(bytes, 'cut.pcap')]).toThrow(PcapFormatError);
      expect(() => [...pcapFrames(bytes, 'cut.pcap')]).toThrow(/^cut\.pcap:\d+: truncated/);
    }
    await expect(readAll(whole.subarray(0, 24 + 16 + 30), 'short.pcap')).rejects.toThrow(/short\.pcap:40: truncated frame 0 \(30 of 60 bytes\)/);
    await expect(readAll(whole.subarray(0, 24 + 7), 'head.pcap')).rejects.toThrow(/head\.pcap:24: truncated record header of frame 0 \(7 of 16 bytes\)/);
  });

  it('rejects corrupt headers with the offset of the bad field', () => {
    const bad = synthetic(FRAMES).slice();
    new DataView(bad.buffer).setUint32(24 + 8, 0x7fffffff, true);
    expect(() => [...pcapFrames(bad, 'big.pcap')]).toThrow(/big\.pcap:32: frame length \d+ is beyond any Ethernet frame/);
    const notPcap = new TextEncoder().encode('this is a trace, not a capture');
    expect(() => [...pcapFrames(notPcap, 'text.pcap')]).toThrow(/text\.pcap:0: not a classic pcap file/);
    const wifi = synthetic([]).slice();
    new DataView(wifi.buffer).setUint32(20, 105, true);
    expect(() => [...pcapFrames(wifi, 'wifi.pcap')]).toThrow(/wifi\.pcap:20: link type 105/);
    expect(() => [...pcapFrames(new Uint8Array(10), 'tiny.pcap')]).toThrow(/tiny\.pcap:10: truncated file header/);
  });
});
