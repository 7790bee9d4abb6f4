// mmiotrace into the access model, through readTrace, on SYNTHETIC traces (HEADER in helpers.ts is
// shaped like the real recording; every line is hand-made in the kernel's exact format).
import { describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { TraceFormatError, TraceInputError } from '../../../src/formats/errors.js';
import { describeDialect, sniffDialect } from '../../../src/formats/detect.js';
import { igbRegisters } from '../../../src/regs/database.js';
import { BAR0, HEADER, parseBytes, parseMmio, rw } from './helpers.js';

const offsetOf = (name: string): number => igbRegisters().lookupName(name)!.offset;

describe('accesses', () => {
  it('turns R/W inside BAR0 into mmio accesses with offset, width, value, time and pid', async () => {
    const { accesses, result } = await parseMmio([...HEADER, rw('R', 0x8, 0x80080481, '1.866469', 4, 0), rw('W', 0x0, 0x4140241, '2.000001', 4, 77)]);
    expect(accesses).toEqual([
      { type: 'access', seq: 0, line: 5, kind: 'read', space: 'mmio', offset: 0x8, size: 4, value: 0x80080481, verdict: 'ok', events: [], timeUs: 1_866_469, thread: 0 },
      { type: 'access', seq: 1, line: 6, kind: 'write', space: 'mmio', offset: 0x0, size: 4, value: 0x4140241, verdict: 'ok', events: [], timeUs: 2_000_001, thread: 77 },
    ]);
    expect(result.dialect).toEqual({ format: 'mmiotrace', bar0: { base: BAR0, size: 0x20000, source: 'PCIDEV 0010 8086:10c9 (82576)', model: 'igb' } });
    expect(describeDialect(result.dialect)).toMatch(/^Linux mmiotrace, NIC BAR0 0xfeba0000 \(128 KiB, from PCIDEV 0010 8086:10c9 \(82576\)\)/);
  });

  it('keeps widths 1, 2 and 8, and the byte position inside a register', async () => {
    const { accesses } = await parseMmio([...HEADER, rw('W', 0x5403, 0x12, '1.0', 1), rw('R', 0x5402, 0xbeef, '1.000001', 2), rw('R', 0x5400, 0x1234567890, '1.000002', 8)]
      .map((line) => line.replace(' 1.0 ', ' 1.000000 ')));
    expect(accesses.map((a) => [a.size, a.offset, a.value])).toEqual([[1, 0x5403, 0x12], [2, 0x5402, 0xbeef], [8, 0x5400, 0x1234567890]]);
  });

  it('resolves legacy alias offsets to the canonical register, as QEMU logs them', async () => {
    // RDBAL_A(1) at 0x2900 is RDBAL(1); TXDCTL_A(0) at 0x3828 is TXDCTL(0) (seen in the real trace).
    const { accesses } = await parseMmio([...HEADER, rw('W', 0x2900, 0x1000), rw('W', 0x3828, 0x0), rw('W', 0x2902, 0x1, '1.000100', 2)]);
    expect(accesses.map((a) => a.offset)).toEqual([offsetOf('RDBAL(1)'), offsetOf('TXDCTL(0)'), offsetOf('RDBAL(1)') + 2]);
    expect(offsetOf('RDBAL(1)')).not.toBe(0x2900);
  });

  it('counts accesses outside BAR0 (MSI-X BAR3, other devices) without making records', async () => {
    const { accesses, result } = await parseMmio([
      ...HEADER, 'MAP 1.100000 2 0xfebf0000 0xffffc90000b00000 0xa0 0x0 0',
      'W 4 1.200000 2 0xfebf0000 0xfee01004 0x0 0', 'R 4 1.200001 2 0xfebf000c 0x1 0x0 0', rw('R', 0x8, 0x80080481),
      'UNKNOWN 1.300000 2 0xfebf0010 0f,b7,04 0x0 0', 'UNMAP 1.400000 2 0x0 0',
    ]);
    expect(accesses).toHaveLength(1);
    expect(accesses[0]).toMatchObject({ offset: 0x8, line: 8 });
    const other = Object.fromEntries(result.stats.otherEvents);
    expect(other).toEqual({
      VERSION: 1, 'PCIDEV of other functions': 1, MAP: 2, UNMAP: 1,
      'W outside the NIC BAR0': 1, 'R outside the NIC BAR0': 1, 'UNKNOWN outside the NIC BAR0': 1,
    });
    expect(result.stats).toMatchObject({ lines: 10, accessLines: 1, otherEventLines: 8, deviceLines: 2 });
  });
});

describe('markers', () => {
  it('turns MARK into a mark marker after the last access', async () => {
    const { records, markers } = await parseMmio(['MARK 0.500000 before', ...HEADER, rw('R', 0x8, 1), 'MARK 3.630661 IGBREC end of recording']);
    expect(markers).toEqual([
      { type: 'marker', kind: 'mark', line: 1, afterSeq: -1, timeUs: 500_000, events: [{ name: 'MARK', category: 'other', line: 1, text: 'before' }] },
      { type: 'marker', kind: 'mark', line: 7, afterSeq: 0, timeUs: 3_630_661, events: [{ name: 'MARK', category: 'other', line: 7, text: 'IGBREC end of recording' }] },
    ]);
    expect(records.map((r) => r.type)).toEqual(['marker', 'access', 'marker']);
  });
});

describe('finding BAR0', () => {
  const withoutPciDev = HEADER.filter((line) => !line.startsWith('PCIDEV'));

  it('uses --bar-base over PCIDEV, taking the size from the resource that starts there', async () => {
    const lines = [...HEADER, 'W 4 1.200000 2 0xfebf0000 0xfee01004 0x0 0', rw('R', 0x8, 0x80080481)];
    const { accesses, result } = await parseMmio(lines, { barBase: 0xfebf0000 });
    expect(accesses).toHaveLength(1);
    expect(accesses[0]).toMatchObject({ offset: 0, kind: 'write', value: 0xfee01004 });
    expect(result.dialect).toEqual({ format: 'mmiotrace', bar0: { base: 0xfebf0000, size: 0x4000, source: '--bar-base (PCIDEV 0010 8086:10c9 BAR3)' } });
  });

  it('uses --bar-base with 128 KiB when no PCIDEV line has that address', async () => {
    const { accesses, result } = await parseMmio([...withoutPciDev, rw('R', 0x1fffc, 7), rw('R', 0x20000, 8)], { barBase: BAR0 });
    expect(accesses.map((a) => a.offset)).toEqual([0x1fffc]);
    expect(result.dialect).toMatchObject({ bar0: { base: BAR0, size: 0x20000, source: '--bar-base' } });
  });

  it('falls back to the one 128 KiB MAP when no PCIDEV line names a NIC', async () => {
    const { accesses, result } = await parseMmio([...withoutPciDev, rw('R', 0x8, 0x80080481)]);
    expect(accesses).toHaveLength(1);
    expect(result.dialect).toMatchObject({ bar0: { base: BAR0, size: 0x20000, source: 'MAP 1 (the only 128 KiB mapping)' } });
  });

  it('refuses two 128 KiB MAPs without PCIDEV, naming the line and suggesting --bar-base', async () => {
    const lines = [...withoutPciDev, 'MAP 1.000001 2 0xfe000000 0xffffc90000c00000 0x20000 0x0 0', rw('R', 0x8, 1)];
    const error = await parseMmio(lines).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TraceInputError);
    expect((error as TraceInputError).message).toBe(`<stdin>: 4: which range is the NIC's BAR0 is ambiguous (no PCIDEV line names a known NIC and 2 mappings are 128 KiB): ${rw('R', 0x8, 1)}`);
    expect((error as TraceInputError).hint).toMatch(/--bar-base/);
    // --bar-base settles it.
    const { accesses } = await parseMmio(lines, { barBase: BAR0 });
    expect(accesses).toHaveLength(1);
  });

  it('refuses accesses to two NICs listed by PCIDEV', async () => {
    const second = 'PCIDEV 0018 808610c9 b fe800000 0 c081 0 0 0 0 20000 0 20 0 0 0 0 ';
    const lines = [...HEADER, second, rw('R', 0x8, 1), 'R 4 1.000200 3 0xfe800008 0x1 0x0 0'];
    await expect(parseMmio(lines)).rejects.toThrow(/<stdin>: 7: which range is the NIC's BAR0 is ambiguous \(an access to 0xfe800008 in PCIDEV 0018/);
    // Only one of them accessed: fine.
    const { accesses } = await parseMmio(lines.slice(0, -1));
    expect(accesses).toHaveLength(1);
  });

  it('says what is missing when nothing names BAR0', async () => {
    const error = await parseMmio(['VERSION 20070824', 'R 4 1.000000 1 0xfe000000 0x1 0x0 0']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TraceInputError);
    expect((error as TraceInputError).message).toBe('<stdin>: is a Linux mmiotrace, but no PCIDEV line names a known igb/e1000e NIC and no mapping is 128 KiB (the size of its BAR0)');
    expect((error as TraceInputError).hint).toMatch(/--bar-base ADDR/);
  });

  it('recognises an e1000e NIC (82574L, 8086:10d3) too', async () => {
    const header = ['VERSION 20070824', 'PCIDEV 0018 808610d3 a fe800000 fe820000 c061 fe840000 0 0 0 20000 20000 20 4000 0 0 0 e1000e'];
    const { accesses, result } = await parseMmio([...header, 'R 4 1.000000 1 0xfe800008 0x80080783 0x0 0',
      // Aliases by the 82574L's own layout: RDBAL_A at 0x110 is RDBAL(0) at 0x2800 (on igb it is 0xc000).
      'W 4 1.000100 1 0xfe800110 0x1000 0x0 0', 'W 4 1.000200 1 0xfe802800 0x1000 0x0 0']);
    expect(accesses[0]).toMatchObject({ offset: 8, value: 0x80080783 });
    expect(accesses.slice(1).map((a) => a.offset)).toEqual([0x2800, 0x2800]);
    expect(result.dialect).toMatchObject({ bar0: { source: 'PCIDEV 0018 8086:10d3 (82574L)', model: 'e1000e' } });
  });
});

describe('errors and --lenient', () => {
  const bad = [...HEADER, rw('R', 0x8, 1), 'R 3 1.000000 1 0xfeba0000 0x0 0x0 0', 'mmiotrace has lost 5 events', rw('W', 0, 2),
    'UNKNOWN 1.300000 1 0xfeba0010 0f,b7,04 0x0 0', 'R 8 1.000000 1 0xfeba0000 0xffffffffffffffff 0x0 0'];

  it('stops at the first malformed line with file:line: reason: text', async () => {
    const error = await parseMmio(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TraceFormatError);
    expect((error as TraceFormatError).message).toBe('<stdin>:6: access width must be 1, 2, 4 or 8 bytes; '
      + 'expected "R <width> <sec.usec> <map id> 0x<phys> 0x<value> 0x<pc> <pid>": R 3 1.000000 1 0xfeba0000 0x0 0x0 0');
  });

  it('fails on lost events, an undecodable BAR0 access and an inexact 64-bit value', async () => {
    await expect(parseMmio([...HEADER, 'mmiotrace has lost 5 events'])).rejects.toThrow(/^<stdin>:5: the tracer lost 5 events, so the trace is incomplete/);
    await expect(parseMmio([...HEADER, bad[8]!])).rejects.toThrow(/^<stdin>:5: mmiotrace could not decode the instruction/);
    await expect(parseMmio([...HEADER, bad[9]!])).rejects.toThrow(/^<stdin>:5: the value does not fit in 53 bits/);
  });

  it('skips and counts them with --lenient', async () => {
    const { accesses, result } = await parseMmio(bad, { lenient: true });
    expect(accesses.map((a) => a.line)).toEqual([5, 8]);
    expect(result.stats.malformedLines).toBe(4);
    expect(result.stats.malformedExamples.map((m) => m.line)).toEqual([6, 7, 9, 10]);
  });

  it('counts empty lines, CRLF ends and text that is no record', async () => {
    const text = `${[...HEADER, '', '# tracer: mmiotrace', rw('R', 0x8, 5)].join('\r\n')}\r\n`;
    const { accesses, result } = await parseBytes(Buffer.from(text, 'latin1'));
    expect(accesses).toEqual([expect.objectContaining({ line: 7, value: 5 })]);
    expect(result.stats).toMatchObject({ lines: 7, emptyLines: 1, otherTextLines: 1 });
  });
});

describe('input handling', () => {
  it('is sniffed from content and read from gzip', async () => {
    const text = `${[...HEADER, rw('R', 0x8, 0x80080481), rw('W', 0x0, 1)].join('\n')}\n`;
    expect(sniffDialect(text).dialect).toEqual({ format: 'mmiotrace' });
    const { accesses, result } = await parseBytes(gzipSync(text));
    expect(result.compressed).toBe(true);
    expect(accesses.map((a) => a.offset)).toEqual([0x8, 0x0]);
  });

  it('streams: a line split across chunks parses the same', async () => {
    const { Readable } = await import('node:stream');
    const { readTrace } = await import('../../../src/formats/read-trace.js');
    const { collector } = await import('../helpers.js');
    const bytes = Buffer.from(`${[...HEADER, rw('R', 0x8, 0x80080481), 'MARK 2.000000 x', rw('W', 0x0, 1)].join('\n')}`, 'latin1');
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
    const sink = collector();
    await readTrace('-', sink, { stdin: Readable.from(chunks) });
    expect(sink.records.map((r) => r.line)).toEqual([5, 6, 7]);
    expect(sink.accesses.map((a) => a.value)).toEqual([0x80080481, 1]);
  });
});
