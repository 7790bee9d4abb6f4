// End-to-end, the built CLI against real QEMU builds: several --qemu compared. The second build
// is the installed QEMU behind a SYNTHETIC wrapper that gives the NIC another MAC address, a change
// whose effect is known exactly: the reads of the MAC (RAH, EEPROM words) and the events that name
// it differ from the recording, so that build regressed relative to the unwrapped one, and the
// other way round it fixed them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MatrixReport } from '../../src/model/matrix-report.js';
import { removeTempDirs, runCli, tempDir } from './run-cli.js';
import { INIT_TRACE, requireQemu } from '../replay/replay-env.js';

let qemu: string;
let otherMac: string;

beforeAll(async () => {
  qemu = (await requireQemu()).path;
  otherMac = join(tempDir(), 'qemu-other-mac');
  writeFileSync(otherMac, [
    '#!/bin/sh',
    '# SYNTHETIC build for a test: the real QEMU, the NIC with another MAC address.',
    'for a; do shift; set -- "$@" "$(printf %s "$a" | sed s/mac=52:54:00:12:34:56/mac=52:54:00:12:34:99/)"; done',
    `exec '${qemu}' "$@"`, '',
  ].join('\n'));
  chmodSync(otherMac, 0o755);
});

afterAll(removeTempDirs);

function matrix(args: readonly string[]): { status: number | null; stdout: string; report: MatrixReport; dir: string } {
  const dir = tempDir();
  const result = runCli(['replay', INIT_TRACE, ...args, '--json', join(dir, 'm.json'), '--junit', join(dir, 'm.xml'), '--html', join(dir, 'm.html')]);
  expect(result.stderr).toBe('');
  return { status: result.status, stdout: result.stdout, report: JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as MatrixReport, dir };
}

describe('replay --qemu A --qemu B', () => {
  it('one build twice: the same, device events compared and equal, exit 0', () => {
    const { status, stdout, report } = matrix(['--qemu', `first=${qemu}`, '--qemu', `second=${qemu}`]);
    expect(status).toBe(0);
    expect(report).toMatchObject({ schema: 'igb-replay/matrix-report', version: 1, verdict: 'SAME' });
    expect(report.builds.map((b) => b.label)).toEqual(['first', 'second']);
    const [comparison] = report.traces[0]!.comparisons;
    expect(comparison).toMatchObject({ verdict: 'same', new: [], fixed: [], changed: [], readsIdentical: true });
    expect(comparison!.events.compared).toBe(true);
    expect(comparison!.events.events).toBeGreaterThan(100);
    expect(comparison!.events.differences).toEqual([]);
    expect(stdout).toContain('Result: SAME');
  });

  it('a build that regressed: its new divergences with their baseline keys, exit 1, a JUnit suite per build', () => {
    const { status, stdout, report, dir } = matrix(['--qemu', `installed=${qemu}`, '--qemu', `other-mac=${otherMac}`]);
    expect(status).toBe(1);
    expect(report.verdict).toBe('REGRESSED');
    const [row] = report.traces;
    expect(row!.results.map((r) => r.completed)).toEqual([true, true]);
    const comparison = row!.comparisons[0]!;
    expect(comparison.verdict).toBe('regressed');
    expect(comparison.fixed).toEqual([]);
    const keys = comparison.new.map((k) => k.key);
    expect(keys.some((k) => k.startsWith('linux-6.1-init.log|RAH(0)|mismatch|'))).toBe(true);
    // Reads first, then the device events against the recording (QEMU logs the MAC it indicates).
    const kinds = comparison.new.map((k) => k.kind);
    expect(kinds).toEqual([...kinds].sort((a, b) => (a === b ? 0 : a === 'read' ? -1 : 1)));
    expect(kinds).toContain('event');
    expect(comparison.readsIdentical).toBe(false);
    // The two builds' own events, compared directly.
    expect(comparison.events.differences).toContainEqual(expect.objectContaining({
      class: 'event-differs', subject: 'e1000x_mac_indicate', expected: 'Indicating MAC to guest: 52:54:00:12:34:56', actual: 'Indicating MAC to guest: 52:54:00:12:34:99',
    }));
    expect(stdout).toContain('New in other-mac (failing on other-mac, not on installed)');
    expect(stdout).toContain('Result: REGRESSED');

    const junit = readFileSync(join(dir, 'm.xml'), 'utf8');
    expect(junit.match(/<testsuite /g)).toHaveLength(2);
    expect(junit).toContain(`<testsuite name="other-mac: ${otherMac}" tests="1" failures="1"`);
    expect(junit).toContain(`<testsuite name="installed: ${qemu}" tests="1" failures="0"`);
    expect(junit).toContain('type="regression"');
    const html = readFileSync(join(dir, 'm.html'), 'utf8');
    expect(html).toContain('other-mac against installed');
    expect(html).toContain('RAH(0)');
  });

  it('the other way round the same differences are fixed: changed, exit 0', () => {
    const { status, report } = matrix(['--qemu', `other-mac=${otherMac}`, '--qemu', `installed=${qemu}`]);
    expect(status).toBe(0);
    expect(report.verdict).toBe('CHANGED');
    const comparison = report.traces[0]!.comparisons[0]!;
    expect(comparison.new).toEqual([]);
    expect(comparison.fixed.some((k) => k.key.startsWith('linux-6.1-init.log|RAH(0)|mismatch|'))).toBe(true);
  });

  it('refuses --baseline with several builds (the reference is their baseline)', () => {
    const result = runCli(['replay', INIT_TRACE, '--qemu', qemu, '--qemu', qemu, '--baseline', 'b.json']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('the first build is the baseline of the others');
  });
});
