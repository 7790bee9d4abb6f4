// The mmiotrace line parser on SYNTHETIC lines, one per record type, in the exact formats of Linux
// kernel/trace/trace_mmiotrace.c (the real recording is covered in real.test.ts).
import { describe, expect, it } from '@jest/globals';
import { parseMmiotraceLine } from '../../../src/formats/mmiotrace/line.js';

describe('parseMmiotraceLine: every record type', () => {
  it('reads VERSION', () => {
    expect(parseMmiotraceLine('VERSION 20070824')).toEqual({ type: 'version', version: '20070824' });
  });

  it('reads PCIDEV without a driver (trailing space) and with one', () => {
    const nic = parseMmiotraceLine('PCIDEV 0010 808610c9 b feba0000 febc0000 c041 febf0004 0 0 0 20000 20000 20 4000 0 0 0 ');
    expect(nic).toEqual({
      type: 'pcidev', busDevfn: '0010', vendor: 0x8086, device: 0x10c9,
      starts: [0xfeba0000, 0xfebc0000, 0xc041, 0xfebf0004, 0, 0, 0], sizes: [0x20000, 0x20000, 0x20, 0x4000, 0, 0, 0],
    });
    const vga = parseMmiotraceLine('PCIDEV 0008 12341111 0 fd000008 0 febf4000 0 0 0 c0002 1000000 0 1000 0 0 0 20000 bochs-drm');
    expect(vga).toMatchObject({ type: 'pcidev', vendor: 0x1234, device: 0x1111, driver: 'bochs-drm' });
  });

  it('reads MAP and UNMAP', () => {
    expect(parseMmiotraceLine('MAP 1.863334 1 0xfeba0000 0xffffcfac805c0000 0x20000 0x0 0'))
      .toEqual({ type: 'map', timeUs: 1_863_334, id: 1, phys: 0xfeba0000, length: 0x20000 });
    expect(parseMmiotraceLine('UNMAP 1.873258 2 0x0 0')).toEqual({ type: 'unmap', timeUs: 1_873_258, id: 2 });
  });

  it('reads R and W with width, time, map id, address, value and pid', () => {
    expect(parseMmiotraceLine('R 4 1.866469 1 0xfeba0008 0x80080481 0x0 0')).toEqual({
      type: 'rw', kind: 'read', width: 4, timeUs: 1_866_469, id: 1, phys: 0xfeba0008, value: 0x80080481, pid: 0,
    });
    expect(parseMmiotraceLine('W 1 12.000001 3 0xfeba5402 0xff 0xffffffffc0a1b2c3 517'))
      .toMatchObject({ kind: 'write', width: 1, timeUs: 12_000_001, value: 0xff, pid: 517 });
    expect(parseMmiotraceLine('R 8 1.000000 1 0xfeba0000 0x123456789abcd 0x0 0')).toMatchObject({ width: 8, value: 0x123456789abcd });
  });

  it('marks a 64-bit value it cannot hold exactly instead of rounding it', () => {
    expect(parseMmiotraceLine('R 8 1.000000 1 0xfeba0000 0xffffffffffffffff 0x0 0')).toMatchObject({ type: 'rw', value: undefined });
  });

  it('reads MARK with its text (spaces kept) and without text', () => {
    expect(parseMmiotraceLine('MARK 3.630661 IGBREC end of recording')).toEqual({ type: 'mark', timeUs: 3_630_661, text: 'IGBREC end of recording' });
    expect(parseMmiotraceLine('MARK 3.630661')).toEqual({ type: 'mark', timeUs: 3_630_661, text: '' });
  });

  it('reads UNKNOWN (an instruction mmiotrace could not decode) and the lost-events notice', () => {
    expect(parseMmiotraceLine('UNKNOWN 2.000000 1 0xfeba0010 0f,b7,04 0xffffffffc0001234 0'))
      .toEqual({ type: 'unknown-op', timeUs: 2_000_000, id: 1, phys: 0xfeba0010 });
    expect(parseMmiotraceLine('mmiotrace has lost 12 events')).toEqual({ type: 'lost', count: 12 });
  });

  it('tells empty lines and text that is no record apart', () => {
    expect(parseMmiotraceLine('')).toEqual({ type: 'empty' });
    expect(parseMmiotraceLine('# tracer: mmiotrace')).toEqual({ type: 'other' });
  });
});

describe('parseMmiotraceLine: malformed records', () => {
  it.each([
    ['R 3 1.000000 1 0xfeba0000 0x0 0x0 0', /width must be 1, 2, 4 or 8/],
    ['R 4 1.5 1 0xfeba0000 0x0 0x0 0', /expected "R <width> <sec\.usec>/],
    ['W 4 1.000000 1 feba0000 0x0 0x0 0', /expected "W <width>/],
    ['R 4 1.000000 1 0xfeba0000 0x0 0x0', /expected "R/],
    ['MAP 1.000000 1 0xfeba0000 0x0 0x20000', /expected "MAP/],
    ['UNMAP 1.000000 x 0x0 0', /expected "UNMAP/],
    ['PCIDEV 0010 808610c9 b feba0000', /expected "PCIDEV/],
    ['PCIDEV 0010 808610c9 b zz 0 0 0 0 0 0 0 0 0 0 0 0 0', /expected "PCIDEV/],
    ['MARK soon hello', /expected "MARK/],
    ['VERSION x', /expected "VERSION/],
  ])('%s', (line, reason) => {
    const parsed = parseMmiotraceLine(line);
    expect(parsed.type).toBe('malformed');
    expect(parsed.type === 'malformed' ? parsed.reason : '').toMatch(reason);
  });
});
