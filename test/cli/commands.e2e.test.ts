// End-to-end: `regs`, `triage` and command-line errors of the built CLI.
import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TriageResult } from '../../src/analysis/offline-triage.js';
import { grepCount, removeTempDirs, runCli, tempDir, traceText } from './run-cli.js';

afterAll(removeTempDirs);

describe('regs', () => {
  it('decodes STATUS 0x80080483: LU = 1', () => {
    const result = runCli(['regs', 'STATUS', '0x80080483']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ {2}1 +LU +1 +Link up$/m);
    expect(result.stdout).toContain('non-zero: FD=1 LU=1 SPEED=2');
  });

  it.each(['0xc0c0', '49344', 'rdbal(3)'])('finds RDBAL(3) from %s', (query) => {
    const result = runCli(['regs', query]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^RDBAL\(3\) +Receive Descriptor Base Address Low$/m);
    expect(result.stdout).toContain('0x0c000 + 0x40 × n (n = 0..15)');
  });

  it('exits 2 with suggestions for an unknown name', () => {
    const result = runCli(['regs', 'NOPE']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown register "NOPE"');
    expect(result.stderr).toMatch(/nearest: \w+/);
    expect(runCli(['regs', 'STAUTS']).stderr).toContain('did you mean: STATUS');
  });

  it('rejects a value wider than the register', () => {
    const result = runCli(['regs', '--phy', 'BMSR', '0x10000']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('16-bit');
  });

  it('lists a block, as JSON too', () => {
    const result = runCli(['regs', '--list', '--block', 'statistics', '--json']);
    expect(result.status).toBe(0);
    const listing = JSON.parse(result.stdout) as { schema: string; registers: { name: string; block: string }[] };
    expect(listing.schema).toBe('igb-replay/register-list');
    expect(listing.registers.map((r) => r.name)).toContain('SEC');
  });
});

describe('triage of linux-6.1-init.log', () => {
  const text = traceText('linux-6.1-init');
  const result = runCli(['triage', 'traces/linux-6.1-init.log']);

  it('lists the statistics registers QEMU 10.0.2 does not implement, and EECD partial', () => {
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(text).toContain('e1000e_wrn_regs_read_unknown WARNING: Read from unknown register 0x4038, 4 byte(s)');
    expect(result.stdout).toMatch(/^\d+\. Statistics \[statistics\]/m);
    expect(result.stdout).toMatch(/^ +\d+ +SEC +0x04038 +unknown read ×10 +10 +1,919 /m);
    expect(result.stdout).toMatch(/^ +1 +EECD +0x00010 +partial read ×39 +39 +129 /m);
    expect(result.stdout).toContain('Ranking: score = 100 ×');
  });

  it('accounts for every unknown read in --json', () => {
    const triage = JSON.parse(runCli(['triage', 'traces/linux-6.1-init.log', '--json']).stdout) as TriageResult;
    expect(triage.schema).toBe('igb-replay/triage');
    const unknownReads = triage.groups.flatMap((g) => g.entries).flatMap((e) => e.verdicts)
      .filter((v) => v.verdict === 'unknown' && v.kind === 'read').reduce((sum, v) => sum + v.count, 0);
    expect(unknownReads).toBe(grepCount(text, /^e1000e_wrn_regs_read_unknown /));
    const stats = triage.groups.find((g) => g.block === 'statistics')!;
    expect(stats.entries.every((e) => e.offset >= 0x4000 && e.offset < 0x4200)).toBe(true);
    // This recording has no PHY-unhandled access; linux-6.1-traffic.log has one (below).
    expect(grepCount(text, /_unhandled /)).toBe(0);
  });
});

describe('triage of linux-6.1-traffic.log', () => {
  it('lists PHY[20] as phy-unhandled', () => {
    expect(grepCount(traceText('linux-6.1-traffic'), /igb_core_mdic_read_unhandled MDIC READ: PHY\[20\] UNHANDLED/)).toBe(1);
    const result = runCli(['triage', 'traces/linux-6.1-traffic.log']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^\d+\. PHY \/ MDIO \[phy\]/m);
    expect(result.stdout).toMatch(/PHY\[20\] GMII_FIFO +reg 20 +phy-unhandled read ×1/);
  });
});

describe('command line errors', () => {
  it.each([
    [['parse', 'traces/linux-6.1-init.log', '--bogus'], 'Unknown argument: bogus'],
    [['parse', 'traces/linux-6.1-init.log', '--top', '-3'], '--top must be a whole number'],
    [['parse', 'traces/linux-6.1-init.log', '--json', '--csv'], 'mutually exclusive'],
    [['parse'], 'Not enough non-option arguments'],
    [[], 'name a command'],
  ])('%j exits 2', (args, message) => {
    const result = runCli(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('hint:');
  });

  it('prints help with examples and exits 0', () => {
    for (const command of ['parse', 'regs', 'triage']) {
      const result = runCli([command, '--help']);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('Examples:');
    }
  });
});

describe('one output convention: --json [FILE]', () => {
  // The commands whose JSON needs no QEMU; replay and merge are covered by their own e2e tests.
  it.each([
    ['parse', ['parse', 'traces/linux-6.1-init.log']],
    ['diff', ['diff', 'traces/linux-6.1-init.log', 'traces/linux-6.12-init.log']],
    ['triage', ['triage', 'traces/linux-6.1-init.log']],
    ['regs', ['regs', 'STATUS', '0x80080483']],
    ['regs --list', ['regs', '--list', '--block', 'statistics']],
  ])('%s: --json FILE writes what a bare --json prints', (_name, args) => {
    const file = join(tempDir(), 'out.json');
    const toFile = runCli([...args, '--json', file]);
    const toStdout = runCli([...args, '--json']);
    expect(toFile.stdout).toBe('');
    expect(toFile.stderr).toBe('');
    expect(toFile.status).toBe(toStdout.status);
    expect(JSON.parse(toStdout.stdout)).toBeDefined();
    expect(readFileSync(file, 'utf8')).toBe(toStdout.stdout);
  });

  it('regs: says when --json took the register as its FILE', () => {
    const result = runCli(['regs', '--json', 'STATUS']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('hint: --json took "STATUS" as its FILE: put --json after it');
  });
});
