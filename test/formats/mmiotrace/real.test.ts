// The mmiotrace parser on the REAL recording traces/linux-6.1-init-mmiotrace.txt (Linux 6.1 igb
// init in a QEMU 10.0.2 guest, by scripts/record-linux-traces.sh) and on QEMU's own log of the
// same run (linux-6.1-init-mmiotrace.log): the driver's view and the device's view must agree.
import { IDLE_GAP_US } from '../../../src/formats/mmiotrace/parser.js';
import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Access } from '../../../src/model/access.js';
import { parseFile } from '../helpers.js';

const TXT = 'traces/linux-6.1-init-mmiotrace.txt';
const LOG = 'traces/linux-6.1-init-mmiotrace.log';
const text = readFileSync(TXT, 'latin1');
const lines = text.split('\n').slice(0, -1);
const sidecar = JSON.parse(readFileSync('traces/linux-6.1-init-mmiotrace.json', 'utf8')) as { mmiotrace: { sha256: string; lines: number } };
const BAR0 = 0xfeba0000;
// The test's own reading of the file: R/W lines whose address lies in the 82576's 128 KiB BAR0.
const inBar0 = lines.filter((line) => {
  const f = line.split(' ');
  if (f[0] !== 'R' && f[0] !== 'W') return false;
  const phys = Number.parseInt(f[4]!.slice(2), 16);
  return phys >= BAR0 && phys < BAR0 + 0x20000;
});

describe('real mmiotrace linux-6.1-init-mmiotrace.txt', () => {
  it('is the recording its sidecar describes', () => {
    expect(createHash('sha256').update(readFileSync(TXT)).digest('hex')).toBe(sidecar.mmiotrace.sha256);
    expect(lines).toHaveLength(sidecar.mmiotrace.lines);
  });

  it('turns every BAR0 R/W line into one access and counts the rest', async () => {
    const { accesses, markers, result } = await parseFile(TXT);
    expect(inBar0.length).toBeGreaterThan(4000);
    expect(accesses).toHaveLength(inBar0.length);
    expect(accesses.filter((a) => a.kind === 'read')).toHaveLength(inBar0.filter((l) => l.startsWith('R ')).length);
    const outside = lines.filter((l) => /^[RW] /.test(l)).length - inBar0.length;
    expect(outside).toBeGreaterThan(0);
    expect((result.stats.otherEvents.get('R outside the NIC BAR0') ?? 0) + (result.stats.otherEvents.get('W outside the NIC BAR0') ?? 0)).toBe(outside);
    expect(result.stats).toMatchObject({ lines: lines.length, malformedLines: 0, otherTextLines: 0 });
    expect(result.dialect).toEqual({ format: 'mmiotrace', bar0: { base: BAR0, size: 0x20000, source: 'PCIDEV 0010 8086:10c9 (82576)', model: 'igb' } });
    expect(markers.filter((m) => m.kind === 'mark')).toEqual([expect.objectContaining({ kind: 'mark', afterSeq: accesses.length - 1, events: [expect.objectContaining({ text: 'IGBREC end of recording' })] })]);
  });

  it('marks every pause of the driver of at least IDLE_GAP_US as an idle marker, before the access that ends it', async () => {
    const { accesses, markers } = await parseFile(TXT);
    const gaps = accesses.flatMap((a, i) => (i > 0 && a.timeUs! - accesses[i - 1]!.timeUs! >= IDLE_GAP_US ? [a.seq - 1] : []));
    expect(gaps.length).toBeGreaterThan(0);
    const idle = markers.filter((m) => m.kind === 'idle');
    expect(idle.map((m) => m.afterSeq)).toEqual(gaps);
    for (const m of idle) expect(accesses[m.afterSeq + 1]!.line).toBe(m.line);
  });

  it('keeps the invariants: 32-bit widths, offsets inside BAR0, times that never go back', async () => {
    const { accesses } = await parseFile(TXT);
    expect(new Set(accesses.map((a) => a.size))).toEqual(new Set([4]));
    expect(accesses.every((a) => a.space === 'mmio' && a.offset >= 0 && a.offset < 0x20000 && a.verdict === 'ok')).toBe(true);
    expect(accesses.every((a, i) => i === 0 || a.timeUs! >= accesses[i - 1]!.timeUs!)).toBe(true);
  });

  it('agrees access for access with QEMU\'s log of the same run, alias offsets included', async () => {
    const driver = (await parseFile(TXT)).accesses;
    const device = (await parseFile(LOG)).accesses.filter((a) => a.space === 'mmio');
    // The tracer stops before QEMU's log does, so the driver's view is a prefix of the device's.
    const key = (a: Access): string => `${a.kind} ${a.offset.toString(16)} ${a.value.toString(16)}`;
    expect(driver.map(key)).toEqual(device.slice(0, driver.length).map(key));
    const rawOffset = (a: Access): number => Number.parseInt(lines[a.line - 1]!.split(' ')[4]!.slice(2), 16) - BAR0;
    const aliased = driver.filter((a) => rawOffset(a) !== a.offset);
    // The driver sets up queue 0 at its legacy 82575 addresses (RDBAL_A.. at 0x2800, TDBAL_A.. at
    // 0x3800); the 82576 maps them onto queue 0 at 0xc000 / 0xe000, where QEMU logs them.
    expect(aliased.length).toBeGreaterThan(10);
    for (const a of aliased) {
      const raw = rawOffset(a);
      const legacy = raw >= 0x2800 && raw < 0x2900 ? 0x2800 : raw >= 0x3800 && raw < 0x3900 ? 0x3800 : -1;
      expect([raw.toString(16), a.offset - raw + legacy]).toEqual([raw.toString(16), legacy === 0x2800 ? 0xc000 : 0xe000]);
    }
  });
});
