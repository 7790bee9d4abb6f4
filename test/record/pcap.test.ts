// Counting the frames of a filter-dump capture. The small captures are synthetic (built here,
// byte by byte); the real one is a shipped recording's, checked against its sidecar.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { countPcapFrames } from '../../src/record/pcap.js';
import { parseSidecar } from '../../src/trace/sidecar.js';

/** A pcap file header (little-endian, microseconds, Ethernet) and frames of the given sizes. */
function synthetic(sizes: readonly number[], bigEndian = false): Buffer {
  const header = Buffer.alloc(24);
  const put = (buffer: Buffer, value: number, at: number): number => (bigEndian ? buffer.writeUInt32BE(value, at) : buffer.writeUInt32LE(value, at));
  put(header, 0xa1b2c3d4, 0);
  put(header, 65536, 16);
  put(header, 1, 20);
  const records = sizes.map((size) => {
    const record = Buffer.alloc(16 + size);
    put(record, size, 8);
    put(record, size, 12);
    return record;
  });
  return Buffer.concat([header, ...records]);
}

describe('countPcapFrames', () => {
  it('counts frames in either byte order, an empty capture too', () => {
    expect(countPcapFrames(synthetic([60, 1514, 9018]))).toEqual({ frames: 3 });
    expect(countPcapFrames(synthetic([42, 42], true))).toEqual({ frames: 2 });
    expect(countPcapFrames(synthetic([]))).toEqual({ frames: 0 });
  });

  it('says what is wrong with a damaged capture', () => {
    expect(countPcapFrames(Buffer.alloc(10))).toEqual({ problem: '10 bytes, shorter than a pcap file header' });
    expect(countPcapFrames(Buffer.alloc(24))).toEqual({ problem: 'not a pcap file (magic 0x00000000)' });
    const full = synthetic([60, 60]);
    expect(countPcapFrames(full.subarray(0, full.length - 1))).toEqual({ problem: 'frame 2: 60 bytes announced, the file ends first' });
    expect(countPcapFrames(full.subarray(0, 24 + 76 + 8))).toEqual({ problem: 'frame 2 at byte 100: truncated record header' });
  });

  const shipped = readdirSync('traces').filter((name) => name.endsWith('.json'))
    .map((name) => parseSidecar(readFileSync(join('traces', name), 'utf8'), name))
    .filter((sidecar) => sidecar.pcap !== undefined);

  it.each(shipped.map((sidecar) => [sidecar.pcap!.file, sidecar.pcap!.frames]))('shipped %s has the %d frames its sidecar says', (file, frames) => {
    expect(existsSync(join('traces', String(file)))).toBe(true);
    expect(countPcapFrames(readFileSync(join('traces', String(file))))).toEqual({ frames });
  });
});
