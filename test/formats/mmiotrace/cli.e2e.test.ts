// End-to-end: the built CLI on the REAL mmiotrace (traces/linux-6.1-init-mmiotrace.txt) — parse,
// diff against QEMU's log of the same run, replay against a real QEMU — and --bar-base.
import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParseSummary } from '../../../src/analysis/parse-summary.js';
import type { DiffResult } from '../../../src/diff/result.js';
import { fmt, removeTempDirs, runCli, tempDir } from '../../cli/run-cli.js';
import { HEADER, rw } from './helpers.js';

afterAll(removeTempDirs);

const TXT = 'traces/linux-6.1-init-mmiotrace.txt';
const LOG = 'traces/linux-6.1-init-mmiotrace.log';
const lines = readFileSync(TXT, 'latin1').split('\n');
const reads = lines.filter((l) => /^R 4 \S+ \S+ 0xfeba/.test(l)).length;
const writes = lines.filter((l) => /^W 4 \S+ \S+ 0xfeba/.test(l)).length;

describe('parse', () => {
  it('summarises the real mmiotrace, naming the BAR0 it used', () => {
    const result = runCli(['parse', TXT]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Dialect   Linux mmiotrace, NIC BAR0 0xfeba0000 (128 KiB, from PCIDEV 0010 8086:10c9 (82576))');
    expect(result.stdout).toMatch(new RegExp(`^  mmio +${fmt(reads)} +${fmt(writes)} +${fmt(reads + writes)}$`, 'm'));
    // The end-of-recording MARK, and the driver's pauses of 50 ms or more (idle: time runs there in a replay).
    expect(result.stdout).toMatch(/^Markers {3}\d+ \(mark 1, idle [1-9]\d*\)$/m);
  });

  it('takes --bar-base in hex and rejects a bad one with exit 2', () => {
    const msix = runCli(['parse', TXT, '--bar-base', 'febf0000', '--json']);
    expect(msix.status).toBe(0);
    expect((JSON.parse(msix.stdout) as ParseSummary).source.dialect).toEqual({
      format: 'mmiotrace', bar0: { base: 0xfebf0000, size: 0x4000, source: '--bar-base (PCIDEV 0010 8086:10c9 BAR3)' },
    });
    const bad = runCli(['parse', TXT, '--bar-base', 'BAR0']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--bar-base must be a hex address such as 0xfeba0000, got "BAR0"');
  });

  it('exits 2 with a --bar-base hint when nothing names the NIC (SYNTHETIC input)', () => {
    const result = runCli(['parse', '-'], 'VERSION 20070824\nR 4 1.000000 1 0xfe000000 0x1 0x0 0\n');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('<stdin>: is a Linux mmiotrace, but no PCIDEV line names a known igb/e1000e NIC');
    expect(result.stderr).toMatch(/hint: pass --bar-base ADDR/);
    const given = runCli(['parse', '-', '--bar-base', '0xfe000000'], 'VERSION 20070824\nR 4 1.000000 1 0xfe000000 0x1 0x0 0\n');
    expect(given.status).toBe(0);
  });
});

describe('large files', () => {
  it('reads a mmiotrace of many read chunks (over 8 MiB, one reused read buffer) (SYNTHETIC input)', () => {
    const body = Array.from({ length: 1000 }, (_, i) => rw(i % 2 === 0 ? 'R' : 'W', (i % 64) * 4, i)).join('\n');
    const file = join(tempDir(), 'big.txt');
    const copies = 250;
    writeFileSync(file, `${HEADER.join('\n')}\n${Array.from({ length: copies }, () => body).join('\n')}\n`);
    expect(readFileSync(file).length).toBeGreaterThan(8 << 20);
    const result = runCli(['parse', file, '--json']);
    expect(result.stderr).toBe('');
    const summary = JSON.parse(result.stdout) as ParseSummary;
    expect(summary.accesses.total).toBe(copies * 1000);
    expect(summary.lines.total).toBe(HEADER.length + copies * 1000);
  });
});

describe('diff against QEMU\'s log of the same run', () => {
  it('finds no changed value or verdict (mmiotrace has no verdicts to compare)', () => {
    const result = runCli(['diff', LOG, TXT, '--json']);
    // Exit 1: PCI config and PHY accesses, and the end of the run, are only in QEMU's log.
    expect(result.status).toBe(1);
    const diff = JSON.parse(result.stdout) as DiffResult;
    expect(diff.counts).toMatchObject({ changedReads: 0, changedWrites: 0, changedVerdicts: 0, onlyInB: 0 });
    expect(diff.alignment.matched).toBe(reads + writes);
  });
});

describe('replay against QEMU\'s igb', () => {
  it('replays every BAR0 access of the real mmiotrace and compares every read', () => {
    const result = runCli(['replay', TXT, '--device', 'igb']);
    expect(result.stderr).not.toMatch(/error/);
    expect(result.stdout).toMatch(new RegExp(`^Trace +${fmt(reads + writes)} accesses = .* \\+ 0 skipped`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^Sent .* \\+ ${fmt(writes)} writes`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^Compared ${fmt(reads)} reads = `, 'm'));
    // mmiotrace shows no timers: time runs where the driver paused for 50 ms or more (idle markers),
    // which is where the link came up; so every read but the volatile ones matches.
    expect(result.stdout).toMatch(/; [1-9]\d* time advances/);
    expect(result.stdout).toMatch(/^ {2}mismatch +0 /m);
    expect(result.stdout).toMatch(/^ {2}unknown-in-target +0 /m);
    expect(result.stdout).toContain('Result: PASS');
    expect(result.status).toBe(0);
  });

  it('replays each access at its recorded width (a SYNTHETIC trace: STATUS read as a dword, a word and a byte)', () => {
    const file = join(tempDir(), 'widths.txt');
    // Recorded values of 0 make every read a divergence, so the JSON shows what QEMU returned.
    writeFileSync(file, `${[...HEADER, rw('R', 0x8, 0, '1.000100', 4), rw('R', 0x8, 0, '1.000200', 2), rw('R', 0x9, 0, '1.000300', 1)].join('\n')}\n`);
    const result = runCli(['replay', file, '--device', 'igb', '--json', '-']);
    expect(result.status).toBe(1);
    const [replay] = (JSON.parse(result.stdout) as { results: { divergences: { actual: number }[] }[] }).results;
    const [dword, word, byte] = replay!.divergences.map((d) => d.actual);
    expect(dword).toBeGreaterThan(0xffff);
    // A narrower read came back narrower: the width reached QEMU (a readl would return all of STATUS).
    expect(word).toBe(dword! & 0xffff);
    expect(byte).toBeLessThanOrEqual(0xff);
    // Byte 1 of STATUS, as silicon answers; QEMU 10.0.2's igb answers the low byte instead (its MMIO
    // handler widens the access without shifting the byte lane) — either way one byte of STATUS.
    expect([(dword! >>> 8) & 0xff, dword! & 0xff]).toContain(byte);
  });

  it('uses the sidecar of the same run (it lists the mmiotrace file) without a warning', () => {
    const result = runCli(['replay', TXT]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/-device igb, time: markers/);
  });
});
