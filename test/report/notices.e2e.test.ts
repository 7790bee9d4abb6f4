// A recording that cannot show what a replay compares says so up front. SYNTHETIC input: a copy of
// the real e1000e recording (traces/linux-6.1-e1000e-init.log) with its pci_cfg_write lines removed,
// which is what QEMU's e1000e logs without -trace pci_cfg_write: the replay never enables MSI-X, so
// the device signals legacy INTx and interrupts cannot be compared. Replayed against real QEMU; every
// output shows the notice near the top, and the event check is marked not compared with it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReplayReport } from '../../src/model/replay-report.js';
import { removeTempDirs, runCli, tempDir, type CliResult } from '../cli/run-cli.js';
import { requireQemu } from '../replay/replay-env.js';

const RECORDING = join('traces', 'linux-6.1-e1000e-init.log');
const NOTICE = 'this recording has no PCI config writes (QEMU\'s e1000e logs none unless -trace pci_cfg_write)';

describe('a QEMU log without config writes (synthetic: pci_cfg_write lines removed from a real recording)', () => {
  let dir: string;
  let run: CliResult;

  beforeAll(() => {
    requireQemu();
    dir = tempDir();
    const lines = readFileSync(RECORDING, 'latin1').split('\n');
    const kept = lines.filter((line) => !line.startsWith('pci_cfg_write '));
    // The recording has config writes of the NIC, and drops only those lines.
    expect(lines.length - kept.length).toBeGreaterThan(100);
    writeFileSync(join(dir, 'no-cfg-write.log'), kept.join('\n'), 'latin1');
    run = runCli(['replay', join(dir, 'no-cfg-write.log'), '--device', 'e1000e',
      '--json', join(dir, 'r.json'), '--junit', join(dir, 'r.xml'), '--html', join(dir, 'r.html')]);
  }, 120_000);

  afterAll(removeTempDirs);

  it('carries the notice and marks the event check not compared, with the fix', () => {
    const [result] = (JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as ReplayReport).results;
    expect(result!.counts.configWrites).toBe(0);
    expect(result!.notices).toHaveLength(1);
    expect(result!.notices[0]).toMatch(new RegExp(`^${NOTICE.replace(/[()]/g, '\\$&')}: .*interrupts cannot be compared; record with -trace pci_cfg_write \\(igb-replay record does\\)$`));
    expect(result!.events).toMatchObject({ compared: false, note: result!.notices[0], divergences: [] });
  });

  it('shows it at the top of the text report, and as not compared in the events section', () => {
    const lines = run.stdout.split('\n');
    expect(lines[5]).toBe(`Notice   ${NOTICE}: the replay cannot enable MSI-X or MSI as the driver did (the device signals legacy INTx instead), `
      + 'so interrupts cannot be compared; record with -trace pci_cfg_write (igb-replay record does)');
    expect(run.stdout).toContain(`  not compared: ${NOTICE}`);
  });

  it('puts it in JUnit before the test cases and skips the device-event test case with it', () => {
    const xml = readFileSync(join(dir, 'r.xml'), 'utf8');
    const property = xml.indexOf('<property name="notice" value="this recording has no PCI config writes');
    expect(property).toBeGreaterThan(0);
    expect(property).toBeLessThan(xml.indexOf('<testcase'));
    expect(xml).toMatch(/<testcase classname="replay" name="device events">\n\s+<skipped message="not compared: this recording has no PCI config writes/);
  });

  it('puts it in the HTML report right under the trace heading', () => {
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    const notice = html.indexOf('<p class="notice"><b>Notice:</b> this recording has no PCI config writes');
    expect(notice).toBeGreaterThan(html.indexOf('<h2>'));
    expect(notice).toBeLessThan(html.indexOf('<dl class="summary">'));
    expect(html).toContain('<p class="events-tally not-compared">Not compared: this recording has no PCI config writes');
  });
});
