// The byte-level reader of R/W lines against parseMmiotraceLine on SYNTHETIC lines: it reads the
// common form exactly as parseMmiotraceLine does, and leaves every unusual form to it.
import { describe, expect, it } from '@jest/globals';
import { ByteReader } from '../../../src/formats/byte-reader.js';
import { parseMmiotraceLine } from '../../../src/formats/mmiotrace/line.js';
import { readRwLine } from '../../../src/formats/mmiotrace/rw-line.js';

function fast(line: string): ReturnType<typeof readRwLine> {
  const bytes = Buffer.from(line, 'latin1');
  return readRwLine(new ByteReader().on(bytes, 0, bytes.length));
}

describe('readRwLine', () => {
  it('reads the common forms as parseMmiotraceLine does', () => {
    const lines = [
      'R 4 1.866469 1 0xfeba0008 0x80080481 0x0 0', 'W 2 12.000001 3 0x1000 0xffff 0xffffffffc0a1 42',
      'R 1 0.000000 -1 0xfeba0008 0xAB 0x0 -0', 'R 8 1.866470 1 0xfeba0010 0x123456789abcd 0x0 0',
      'R 4 1.866471 1 0xfeba0008 0x1 0x0 0   ',
    ];
    for (const line of lines) {
      expect(fast(line)).toBeDefined();
      expect(fast(line)).toEqual(parseMmiotraceLine(line));
    }
    expect(Object.is(fast('R 1 0.000000 1 0x0 0x0 0x0 -0')!.pid, -0)).toBe(true);
  });

  it('leaves every other form to parseMmiotraceLine', () => {
    const lines = [
      'R 4 1.866469 1 0XFEBA0008 0x1 0x0 0', 'R 4 1.866469 1 0xfeba0008 0xffffffffffffffff 0x0 0',
      'R 4 1.866469 1 0x00000000feba0008 0x1 0x0 0', 'R 01 1.866469 1 0xfeba0008 0x1 0x0 0', 'R 3 1.866469 1 0x8 0x1 0x0 0',
      'R  4 1.866469 1 0x8 0x1 0x0 0', 'R 4 1.86646 1 0x8 0x1 0x0 0', 'R 4 1.8664690 1 0x8 0x1 0x0 0',
      'R 4 1.866469 12345678901 0x8 0x1 0x0 0', 'R 4 1.866469 1 0x8 0x1 0x0 0 extra', 'R 4 1.866469 1 0x8 0x1 0x0 0\t',
      'R 4 1234567890123456.866469 1 0x8 0x1 0x0 0', 'RR 4 1.866469 1 0x8 0x1 0x0 0', 'R', 'R ', 'W 4', 'MARK 1.866469 R 4',
    ];
    for (const line of lines) expect(fast(line)).toBeUndefined();
  });
});
