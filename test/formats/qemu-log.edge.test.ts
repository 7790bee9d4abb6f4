// Parser edge cases on SYNTHETIC inputs (hand-made lines in the exact formats QEMU prints; see
// shared/reference/igb-trace-events.tsv). Real recordings are covered in qemu-log.real.test.ts.
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TraceFormatError, TraceInputError } from '../../src/formats/errors.js';
import { sniffDialect } from '../../src/formats/detect.js';
import { parseFile, parseText } from './helpers.js';

const READ_STATUS = 'e1000e_core_read Read from register 0x8, 4 byte(s), value: 0x80080481';
const WRITE_CTRL = 'e1000e_core_write Write to register 0x0, 4 byte(s), value: 0x4140241';

describe('timestamp prefixes', () => {
  it('reads TID@SEC.USEC (QEMU <= 10.0)', async () => {
    const { accesses, result } = await parseText(`2948@1795458626.196871:${READ_STATUS}\n`);
    expect(result.dialect).toEqual({ format: 'qemu-log', timestamps: 'tid-epoch' });
    expect(accesses[0]).toMatchObject({ thread: 2948, timeUs: 1795458626196871, value: 0x80080481 });
  });

  it('reads ISO-8601 UTC, with and without a fraction (QEMU >= 10.1)', async () => {
    const text = `2025-07-21T18:43:28.089797Z ${READ_STATUS}\n2025-07-21T18:43:29Z ${WRITE_CTRL}\n2025-07-21T18:43:29.5Z ${READ_STATUS}\n`;
    const { accesses, result } = await parseText(text);
    expect(result.dialect).toEqual({ format: 'qemu-log', timestamps: 'iso8601' });
    const base = Date.UTC(2025, 6, 21, 18, 43, 28) * 1000;
    expect(accesses.map((a) => a.timeUs)).toEqual([base + 89797, base + 1_000_000, base + 1_500_000]);
    expect(accesses.every((a) => a.thread === undefined)).toBe(true);
  });

  it('gives each line the time and thread of its own prefix when the styles mix', async () => {
    const text = `2948@1795458626.196871:${READ_STATUS}\n2025-07-21T18:43:28.5Z ${READ_STATUS}\n${WRITE_CTRL}\n`;
    const { accesses } = await parseText(text);
    expect(accesses.map((a) => [a.thread, a.timeUs])).toEqual([
      [2948, 1795458626196871], [undefined, Date.UTC(2025, 6, 21, 18, 43, 28) * 1000 + 500_000], [undefined, undefined],
    ]);
  });

  it('detects the dialect from content, not from the name', () => {
    expect(sniffDialect(`${READ_STATUS}\n`).dialect).toEqual({ format: 'qemu-log', timestamps: 'none' });
    expect(sniffDialect('VERSION 20070824\nPCIDEV 0010 8086010c9 0\n').dialect).toEqual({ format: 'mmiotrace' });
    expect(sniffDialect('hello world\nthis is not a trace\n').dialect).toBeUndefined();
  });
});

describe('access forms', () => {
  it('turns an unknown-register read into a read of 0 with the unknown verdict', async () => {
    const { accesses } = await parseText('e1000e_wrn_regs_read_unknown WARNING: Read from unknown register 0x4038, 4 byte(s)\n');
    expect(accesses[0]).toMatchObject({ kind: 'read', offset: 0x4038, value: 0, verdict: 'unknown' });
  });

  it('keeps dropped writes with their verdicts', async () => {
    const text = 'e1000e_wrn_regs_write_ro WARNING: Write to RO register 0x4000, 4 byte(s), value: 0x5\n'
      + 'e1000e_wrn_regs_write_unknown WARNING: Write to unknown register 0x59ec, 4 byte(s), value: 0x1\n';
    const { accesses } = await parseText(text);
    expect(accesses.map((a) => [a.offset, a.value, a.verdict])).toEqual([[0x4000, 5, 'read-only'], [0x59ec, 1, 'unknown']]);
  });

  it('marks the access after a trivial warning as partial and keeps the warning on it', async () => {
    const text = 'e1000e_wrn_regs_read_trivial WARNING: Reading register at offset: 0x00010. It is not fully implemented.\n'
      + 'e1000e_core_read Read from register 0x10, 4 byte(s), value: 0x1110\n';
    const { accesses } = await parseText(text);
    expect(accesses).toHaveLength(1);
    expect(accesses[0]).toMatchObject({ offset: 0x10, verdict: 'partial' });
    expect(accesses[0]!.events.map((e) => e.name)).toEqual(['e1000e_wrn_regs_read_trivial']);
  });

  it('recognises the IO BAR path (8-byte core lines, IOADDR writes)', async () => {
    const text = 'e1000e_io_write_addr IOADDR write 0x8\n'
      + 'e1000e_core_read Read from register 0x8, 8 byte(s), value: 0x80080481\n'
      + 'e1000e_io_read_data IODATA read 0x8, value: 0x80080481\n';
    const { accesses } = await parseText(text);
    expect(accesses.map((a) => [a.space, a.kind, a.offset, a.register, a.value])).toEqual([
      ['io', 'write', 0, undefined, 8], ['io', 'read', 4, 8, 0x80080481],
    ]);
    expect(accesses[1]!.events.map((e) => e.name)).toEqual(['e1000e_io_read_data']);
  });

  it('derives PHY accesses from MDIC events, unhandled ones included', async () => {
    const text = 'e1000e_core_write Write to register 0x20, 4 byte(s), value: 0x8220000\n'
      + 'igb_core_mdic_read MDIC READ: PHY[2] = 0x82202a8\n'
      + 'e1000e_core_write Write to register 0x20, 4 byte(s), value: 0x8340000\n'
      + 'igb_core_mdic_read_unhandled MDIC READ: PHY[20] UNHANDLED\n';
    const { accesses } = await parseText(text);
    expect(accesses.map((a) => [a.seq, a.space, a.offset, a.value, a.verdict, a.cause])).toEqual([
      [0, 'mmio', 0x20, 0x8220000, 'ok', undefined], [1, 'phy', 2, 0x2a8, 'ok', 0],
      [2, 'mmio', 0x20, 0x8340000, 'ok', undefined], [3, 'phy', 20, 0, 'phy-unhandled', 2],
    ]);
  });
});

describe('lines that are not accesses', () => {
  it('keeps unknown device events as context and counts other subsystems', async () => {
    const text = `${WRITE_CTRL}\ne1000e_something_new Something new: 7\nmemory_region_ops_read cpu 0 mr 0x0\nplain noise\n\n`;
    const { accesses, result } = await parseText(text);
    expect(accesses[0]!.events.map((e) => [e.name, e.category, e.text])).toEqual([['e1000e_something_new', 'other', 'Something new: 7']]);
    expect(result.stats).toMatchObject({ lines: 5, otherEventLines: 1, otherTextLines: 1, emptyLines: 1 });
  });

  it('recovers an event glued after a guest-error message without newline', async () => {
    const text = `${READ_STATUS}\nigb: RCTL.DTYP must be zero for compatibility${WRITE_CTRL}\n`;
    const { accesses, result } = await parseText(text);
    expect(accesses.map((a) => a.kind)).toEqual(['read', 'write']);
    expect(result.stats.gluedLines).toBe(1);
  });

  it('keeps counting, in catch-all names, when a trace has more distinct event names than are kept', async () => {
    const names = (prefix: string): string => Array.from({ length: 5000 }, (_, i) => `${prefix}${i} x\n`).join('');
    const { accesses, result } = await parseText(`${READ_STATUS}\n${names('e1000e_made_up_')}${names('other_made_up_')}`);
    expect(accesses).toHaveLength(1);
    expect(result.stats).toMatchObject({ lines: 10001, deviceLines: 5001, otherEventLines: 5000 });
    expect(result.stats.deviceEvents.get('(other device event names)')).toBeGreaterThan(0);
    expect(result.stats.otherEvents.get('(other event names)')).toBeGreaterThan(0);
    expect(result.stats.deviceEvents.size + result.stats.otherEvents.size).toBeLessThan(2 * 4096);
  });

  it('accepts CRLF line ends and a last line without newline', async () => {
    const { accesses } = await parseText(`${READ_STATUS}\r\n${WRITE_CTRL}`);
    expect(accesses.map((a) => a.kind)).toEqual(['read', 'write']);
  });
});

describe('bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'igb-replay-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names file, line and text of a malformed device line', async () => {
    const file = join(dir, 'bad.log');
    writeFileSync(file, `${READ_STATUS}\ne1000e_core_read Read from register 0x8, 4 byte(s), value: zz\n`);
    const error = await parseFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TraceFormatError);
    expect((error as Error).message).toBe(`${file}:2: expected "register 0x<offset>, <n> byte(s), value: 0x<value>": e1000e_core_read Read from register 0x8, 4 byte(s), value: zz`);
  });

  it('skips and counts malformed lines with --lenient', async () => {
    const { accesses, result } = await parseText(`${READ_STATUS}\nigb_core_mdic_read MDIC READ: PHY[x]\n${WRITE_CTRL}\n`, true);
    expect(accesses).toHaveLength(2);
    expect(result.stats.malformedLines).toBe(1);
    expect(result.stats.malformedExamples[0]).toMatchObject({ line: 2 });
  });

  it('rejects empty input, non-traces and mmiotrace with a clear message', async () => {
    await expect(parseText('')).rejects.toThrow(TraceInputError);
    await expect(parseText('\u0089PNG\r\n\u001a\n')).rejects.toThrow(/not a trace this tool reads/);
    await expect(parseText('VERSION 20070824\n')).rejects.toThrow(/mmiotrace/);
    await expect(parseFile(join(dir, 'missing.log'))).rejects.toThrow(/missing\.log: cannot open: ENOENT/);
  });

  it('reads gzip by its magic bytes, whatever the name', async () => {
    const file = join(dir, 'trace.data');
    writeFileSync(file, gzipSync(`${READ_STATUS}\n${WRITE_CTRL}\n`));
    const { accesses, result } = await parseFile(file);
    expect(result.compressed).toBe(true);
    expect(accesses).toHaveLength(2);
  });
});

describe('throttling timer armings keep their time (synthetic lines in the format of QEMU 10.0.2)', () => {
  it('an e1000e_irq_rearm_timer event carries its timestamp; other events do not', async () => {
    const { accesses } = await parseText([
      '24350@1796513470.325122:e1000e_core_write Write to register 0x3818, 4 byte(s), value: 0x36',
      '24350@1796513470.325134:e1000e_tx_descr 0x322200000000 : 21000000 0',
      '24350@1796513470.325357:e1000e_irq_rearm_timer Mitigation timer armed for register 0x3820, delay 8192 ns',
      '',
    ].join('\n'));
    const [descriptor, arming] = accesses[0]!.events;
    expect(descriptor!.timeUs).toBeUndefined();
    expect(arming).toMatchObject({ name: 'e1000e_irq_rearm_timer', timeUs: 1796513470325357 });
    expect(accesses[0]!.timeUs).toBe(1796513470325122);
  });
});

// Lines as Linux 5.10's e1000e made them under pci=nomsi (the linux-5.10 e1000e nomsi recording,
// not shipped, lines 6,888-6,945, shortened): the vCPU thread 30886 receives a frame inside its
// transmit tail write (slirp answers at once), then the backend's thread 30884 delivers two more.
// Before, all three were one packet marker, injected after the write, so the first frame's interrupt
// collected the transmit delay timers' causes the recording's frame came too early to see.
describe('frames received inside a write and after it by the backend\'s thread (synthetic lines in QEMU 10.0.2\'s format)', () => {
  it('are two packet markers: the vCPU\'s own receipt, then the backend thread\'s', async () => {
    const { markers, accesses } = await parseText([
      '30886@1796599237.349536:e1000e_core_write Write to register 0x3818, 4 byte(s), value: 0x38',
      '30886@1796599237.349571:e1000e_tx_descr 0x1fe5fd0a : ab100036 200',
      '30886@1796599237.350849:e1000e_rx_receive_iov Received vector of 1 fragments',
      '30886@1796599237.350909:e1000e_rx_written_to_guest Received packet written to guest (queue 0)',
      '30886@1796599237.350922:e1000e_irq_rearm_timer Mitigation timer armed for register 0x3820, delay 8192 ns',
      '30884@1796599237.350950:e1000e_rx_can_recv Can receive',
      '30884@1796599237.350960:e1000e_rx_receive_iov Received vector of 1 fragments',
      '30884@1796599237.350970:e1000e_rx_written_to_guest Received packet written to guest (queue 0)',
      '30884@1796599237.350995:e1000e_rx_receive_iov Received vector of 1 fragments',
      '30884@1796599237.351000:e1000e_rx_written_to_guest Received packet written to guest (queue 0)',
      '30886@1796599237.360000:e1000e_core_read Read from register 0x8, 4 byte(s), value: 0x80283',
      '',
    ].join('\n'));
    expect(accesses).toHaveLength(2);
    expect(markers.map((m) => [m.kind, m.line, m.thread, m.afterSeq, m.events.filter((e) => e.name === 'e1000e_rx_receive_iov').length]))
      .toEqual([['rx-packet', 3, 30886, 0, 1], ['rx-packet', 7, 30884, 0, 2]]);
  });
});
