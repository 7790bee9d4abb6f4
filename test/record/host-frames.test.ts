// The host's frames of a recording (src/record/host-frames.ts): what they are (valid IPv4/UDP to
// the guest, of the lengths that probe the size checks) and that a console request sends them all,
// framed as QEMU's netdev stream reads them, on the connection QEMU makes to the recorder.
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fold, onesSum } from '../../src/frames/checksum.js';
import { frameRequestOf, HostFrameSender, macBytes, OVERSIZE_FRAME_LENGTHS, udpFrameToGuest } from '../../src/record/host-frames.js';
import { FrameChannel } from '../../src/target/frame-channel.js';

const GUEST_MAC = '52:54:00:12:34:56';

describe('udpFrameToGuest', () => {
  it.each(OVERSIZE_FRAME_LENGTHS.map((length) => [length]))('%i bytes: to the guest MAC, IPv4 with a valid header checksum, UDP to port 9', (length) => {
    const frame = udpFrameToGuest(macBytes(GUEST_MAC), length, 3);
    expect(frame.length).toBe(length);
    expect([...frame.subarray(0, 6)]).toEqual([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
    expect([frame[12], frame[13]]).toEqual([0x08, 0x00]);
    // IPv4 total length and a header that sums to 0xffff.
    expect((frame[16]! << 8) | frame[17]!).toBe(length - 14);
    expect(fold(onesSum(frame.subarray(14, 34)))).toBe(0xffff);
    expect([...frame.subarray(26, 34)]).toEqual([10, 0, 2, 99, 10, 0, 2, 15]);
    expect((frame[36]! << 8) | frame[37]!).toBe(9);
    expect((frame[38]! << 8) | frame[39]!).toBe(length - 34);
  });

  it('probes both sides of each size limit: the MTU, the tagged maximum, beyond', () => {
    expect(OVERSIZE_FRAME_LENGTHS[0]).toBe(1514);
    expect(OVERSIZE_FRAME_LENGTHS).toEqual(expect.arrayContaining([1518, 1519, 1522, 1523]));
    expect(Math.max(...OVERSIZE_FRAME_LENGTHS)).toBeLessThanOrEqual(2048);
  });
});

describe('frameRequestOf', () => {
  it('recognises the guest\'s request, with or without a carriage return', () => {
    expect(frameRequestOf('IGBREC: host send oversize')).toBe('oversize');
    expect(frameRequestOf('IGBREC: host send oversize\r')).toBe('oversize');
    expect(frameRequestOf('IGBREC: host set_link down')).toBeUndefined();
    expect(frameRequestOf('IGBREC: host send oversize now')).toBeUndefined();
  });
});

describe('HostFrameSender', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('sends every frame, length-prefixed, when the guest asks; says so when nobody connected', async () => {
    dir = mkdtempSync(join(tmpdir(), 'host-frames-'));
    const unconnected = await HostFrameSender.listen(join(dir, 'none.sock'), GUEST_MAC);
    unconnected.onConsoleLine('IGBREC: host send oversize');
    expect(unconnected.requests).toEqual([{ sent: 0, error: 'QEMU never connected to the host-frame socket' }]);
    unconnected.close();

    const sender = await HostFrameSender.listen(join(dir, 'f.sock'), GUEST_MAC);
    // Stands in for QEMU's netdev stream client.
    const socket = createConnection(join(dir, 'f.sock'));
    const qemuSide = new FrameChannel(socket);
    await new Promise((resolve) => socket.once('connect', resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
    sender.onConsoleLine('some other line');
    sender.onConsoleLine('IGBREC: host send oversize');
    const frames = await qemuSide.take(OVERSIZE_FRAME_LENGTHS.length);
    expect(frames.map((frame) => frame.length)).toEqual([...OVERSIZE_FRAME_LENGTHS]);
    expect(sender.requests).toEqual([{ sent: OVERSIZE_FRAME_LENGTHS.length }]);
    sender.close();
    qemuSide.close();
  });
});
