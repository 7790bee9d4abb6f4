import { describe, it, expect } from '@jest/globals';
import {
  accessCommand, accessOp, accessWidth, decodeReply, encodeCommand, OP_WIDTH, parseIrqLine, replyKind, validateRawCommand,
  type AccessWidth, type QtestCommand,
} from '../../src/target/qtest-protocol.js';
import { QtestArgumentError } from '../../src/target/errors.js';

describe('encodeCommand', () => {
  it.each<[QtestCommand, string]>([
    [{ op: 'readl', addr: 0xfeba0008 }, 'readl 0xfeba0008'],
    [{ op: 'readq', addr: 0xffff_ffff_ffff_fff8n }, 'readq 0xfffffffffffffff8'],
    [{ op: 'writel', addr: 0xfeba0020, value: 0x04201340 }, 'writel 0xfeba0020 0x4201340'],
    [{ op: 'writeq', addr: 0, value: 0xffff_ffff_ffff_ffffn }, 'writeq 0x0 0xffffffffffffffff'],
    [{ op: 'writeb', addr: 8, value: 0 }, 'writeb 0x8 0x0'],
    [{ op: 'outl', port: 0xcf8, value: 0x80001010 }, 'outl 0xcf8 0x80001010'],
    [{ op: 'inw', port: 0xcfe }, 'inw 0xcfe'],
    [{ op: 'read', addr: 0x1000, size: 16 }, 'read 0x1000 0x10'],
    [{ op: 'write', addr: 0x1000, data: new Uint8Array([0xde, 0xad, 0x00]) }, 'write 0x1000 0x3 0xdead00'],
    [{ op: 'clock_step' }, 'clock_step'],
    [{ op: 'clock_step', ns: 900_000_000 }, 'clock_step 0x35a4e900'],
    [{ op: 'clock_set', ns: 10n }, 'clock_set 0xa'],
    [{ op: 'endianness' }, 'endianness'],
  ])('%j -> %s', (command, line) => {
    expect(encodeCommand(command)).toBe(line);
  });

  it('never writes a leading zero that base-0 parsing would read as octal', () => {
    expect(encodeCommand({ op: 'writel', addr: 0o10, value: 0o777 })).toBe('writel 0x8 0x1ff');
  });

  it.each<[QtestCommand, RegExp]>([
    [{ op: 'readl', addr: -1 }, /address -1/],
    [{ op: 'readl', addr: 1.5 }, /address 1.5/],
    [{ op: 'readl', addr: Number.MAX_SAFE_INTEGER + 1 }, /address/],
    [{ op: 'readl', addr: 1n << 64n }, /address/],
    [{ op: 'writeb', addr: 0, value: 0x100 }, /value 256 .*0xff/],
    [{ op: 'writew', addr: 0, value: 0x10000 }, /value/],
    [{ op: 'writel', addr: 0, value: 0x1_0000_0000 }, /value/],
    [{ op: 'writel', addr: 0, value: Number.NaN }, /value NaN/],
    [{ op: 'outb', port: 0x10000, value: 0 }, /port/],
    [{ op: 'read', addr: 0, size: 0 }, /size 0/],
    [{ op: 'write', addr: 0, data: new Uint8Array(0) }, /size 0/],
    [{ op: 'clock_step', ns: -1n }, /ns/],
  ])('rejects %j', (command, message) => {
    expect(() => encodeCommand(command)).toThrow(QtestArgumentError);
    expect(() => encodeCommand(command)).toThrow(message);
  });
});

describe('validateRawCommand', () => {
  it('accepts a well-formed line', () => {
    expect(() => validateRawCommand('irq_intercept_in /machine/unattached/device[0]')).not.toThrow();
  });

  it.each(['', 'readl  0x8', ' readl 0x8', 'readl 0x8 ', 'readl\t0x8', 'readl 0x8\nreadl 0x0'])('rejects %j', (line) => {
    expect(() => validateRawCommand(line)).toThrow(QtestArgumentError);
  });
});

describe('replies', () => {
  it('classifies OK / FAIL / ERR and nothing else', () => {
    expect(replyKind('OK')).toBe('ok');
    expect(replyKind('OK 0x0000000000000001')).toBe('ok');
    expect(replyKind("FAIL Unknown command 'clock_step'")).toBe('fail');
    expect(replyKind('ERR invalid argument size')).toBe('fail');
    expect(replyKind('OKAY')).toBeUndefined();
    expect(replyKind('IRQ raise 1')).toBeUndefined();
  });

  it('parses IRQ notifications', () => {
    expect(parseIrqLine('IRQ raise 11')).toEqual({ action: 'raise', line: 11 });
    expect(parseIrqLine('IRQ lower 0')).toEqual({ action: 'lower', line: 0 });
    expect(parseIrqLine('IRQ flip 0')).toBeUndefined();
  });

  it('decodes each reply shape', () => {
    expect(decodeReply({ op: 'readl', addr: 0 }, '0x0000000080080481')).toBe(0x80080481);
    expect(decodeReply({ op: 'readq', addr: 0 }, '0xffffffffffffffff')).toBe(0xffff_ffff_ffff_ffffn);
    expect(decodeReply({ op: 'inw', port: 0 }, '0x0010')).toBe(0x10);
    expect(decodeReply({ op: 'read', addr: 0, size: 2 }, '0xbeef')).toEqual(new Uint8Array([0xbe, 0xef]));
    expect(decodeReply({ op: 'clock_step' }, '900000000')).toBe(900_000_000n);
    expect(decodeReply({ op: 'endianness' }, 'little')).toBe('little');
    expect(decodeReply({ op: 'writel', addr: 0, value: 0 }, '')).toBeUndefined();
  });

  it('returns an Error for a payload that does not fit the command', () => {
    expect(decodeReply({ op: 'readl', addr: 0 }, '')).toBeInstanceOf(Error);
    expect(decodeReply({ op: 'read', addr: 0, size: 4 }, '0xbeef')).toBeInstanceOf(Error);
    expect(decodeReply({ op: 'writel', addr: 0, value: 0 }, '0x1')).toBeInstanceOf(Error);
    expect(decodeReply({ op: 'endianness' }, 'middle')).toBeInstanceOf(Error);
  });
});

describe('accessOp: the one width -> op table', () => {
  it.each<[AccessWidth, string, string, string, string]>([
    [1, 'readb', 'writeb', 'inb', 'outb'],
    [2, 'readw', 'writew', 'inw', 'outw'],
    [4, 'readl', 'writel', 'inl', 'outl'],
    // Port IO has no 8-byte op: QEMU logs IO-BAR accesses as 8 bytes, IOADDR/IODATA are dwords.
    [8, 'readq', 'writeq', 'inl', 'outl'],
  ])('width %i: %s %s %s %s', (width, read, write, portIn, portOut) => {
    expect([accessOp('mem', width, 'read'), accessOp('mem', width, 'write'), accessOp('io', width, 'read'), accessOp('io', width, 'write')])
      .toEqual([read, write, portIn, portOut]);
  });

  it('agrees with the width encodeCommand checks values against, except for 8-byte port IO', () => {
    for (const width of [1, 2, 4, 8] as const) {
      expect(OP_WIDTH[accessOp('mem', width, 'read')]).toBe(width);
      expect(OP_WIDTH[accessOp('io', width, 'write')]).toBe(width === 8 ? 4 : width);
    }
  });

  it('builds the command of an access, 8-byte memory accesses as readq/writeq', () => {
    expect(encodeCommand(accessCommand('mem', 8, 'read', 0xfeba0000))).toBe('readq 0xfeba0000');
    expect(encodeCommand(accessCommand('mem', 8, 'write', 0xfeba0008, 0x1_0000_0001))).toBe('writeq 0xfeba0008 0x100000001');
    expect(encodeCommand(accessCommand('mem', 2, 'write', 0xfeba0000, 0xbeef))).toBe('writew 0xfeba0000 0xbeef');
    expect(encodeCommand(accessCommand('io', 8, 'read', 0xc044))).toBe('inl 0xc044');
    expect(encodeCommand(accessCommand('io', 1, 'write', 0xf4, 0))).toBe('outb 0xf4 0x0');
  });

  it('takes recorded sizes 1, 2, 4 and 8 as they are and anything else as a dword', () => {
    expect([1, 2, 4, 8, 3, 16, 0].map(accessWidth)).toEqual([1, 2, 4, 8, 4, 4, 4]);
  });
});
