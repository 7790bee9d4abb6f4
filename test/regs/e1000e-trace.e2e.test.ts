// End-to-end on the real e1000e recording (Linux 6.1 e1000e driver on QEMU -device e1000e): the
// built CLI names its registers from the 82574L database, triage ranks them with 82574 names, and
// replaying it onto QEMU's e1000e passes.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReplayResult } from '../../src/model/replay.js';
import { registersFor } from '../../src/regs/database.js';
import { removeTempDirs, runCli, tempDir } from '../cli/run-cli.js';
import { requireQemu } from '../replay/replay-env.js';

const TRACE = join('traces', 'linux-6.1-e1000e-init.log');

interface NamedTally { readonly space: string; readonly offset: number; readonly name?: string; readonly reads: number; readonly writes: number }

function json<T>(args: readonly string[]): T {
  const result = runCli(args);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as T;
}

beforeAll(async () => {
  await requireQemu();
});

afterAll(removeTempDirs);

describe('the e1000e recording', () => {
  it('parse names every MMIO register it touches from the 82574L database', () => {
    const summary = json<{ registers: { mmio: NamedTally[] } }>(['parse', TRACE, '--json']);
    const mmio = summary.registers.mmio;
    expect(mmio.length).toBeGreaterThan(400);
    expect(mmio.filter((r) => r.name === undefined)).toEqual([]);
    const byName = new Map(mmio.map((r) => [r.name, r]));
    // The 82574 driver's MDIO semaphore, the legacy interrupt delay timers, the second TX queue's
    // arbitration counter and the 82574 MSI-X registers: none of them exists in the igb database.
    for (const name of ['EXTCNF_CTRL', 'RDTR', 'TIDV', 'TARC(0)', 'TARC(1)', 'EIAC', 'IVAR', 'EITR(0)', 'GCR2']) {
      expect(byName.get(name)).toBeDefined();
      expect(registersFor('igb').lookupOffset(byName.get(name)?.offset ?? -1)).toBeUndefined();
    }
    expect(byName.get('RDT(0)')?.offset).toBe(0x2818);
  });

  it('parse --jsonl and diff name it with the 82574L database too', () => {
    const jsonl = runCli(['parse', '--jsonl', TRACE]);
    expect(jsonl.status).toBe(0);
    const names = new Set(jsonl.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { name?: string }).name));
    expect(names).toContain('EXTCNF_CTRL');
    expect(names).toContain('TARC(1)');
    // SYNTHETIC B: the real trace with TARC(1) reads changed from 0x403 to 0x407 (not a recording).
    const changed = join(tempDir(), 'tarc-changed.log');
    writeFileSync(changed, readFileSync(TRACE, 'utf8').replaceAll('register 0x3940, 4 byte(s), value: 0x403', 'register 0x3940, 4 byte(s), value: 0x407'));
    const diff = runCli(['diff', TRACE, changed, '--json']);
    expect(diff.status).toBe(1);
    expect(diff.stdout).toContain('"name": "TARC(1)"');
  });

  it('triage ranks what QEMU flagged under 82574 names', () => {
    const triage = json<{ groups: { entries: { name: string; offset: number }[] }[] }>(['triage', TRACE, '--json']);
    const names = triage.groups.flatMap((g) => g.entries.map((e) => e.name));
    expect(names).toEqual(expect.arrayContaining(['TXDCTL(0–1)', 'EECD', 'FCRTL', 'ICRXOC', 'ICTXQEC']));
    // igb names the 0x4124 counter HTCBDPC; on the 82574 it is the interrupt-cause counter ICRXOC.
    expect(names).not.toContain('HTCBDPC');
  });

  it('regs --device e1000e looks registers up in the 82574L database', () => {
    const info = json<{ name: string; offset: number }>(['regs', '--device', 'e1000e', '0x3940', '--json']);
    expect(info).toMatchObject({ name: 'TARC(1)', offset: 0x3940 });
    const igb = runCli(['regs', '0x3940', '--json']);
    expect(igb.status).toBe(2);
  });

  it('replays onto QEMU e1000e without an unexplained divergence', () => {
    const out = join(tempDir(), 'replay.json');
    const result = runCli(['replay', TRACE, '--device', 'e1000e', '--json', out]);
    expect(result.stdout).toContain('Result: PASS');
    expect(result.status).toBe(0);
    const [replay] = (JSON.parse(readFileSync(out, 'utf8')) as { results: ReplayResult[] }).results;
    expect(replay?.target.device).toMatch(/^e1000e\b/);
    expect(replay?.byClass.mismatch).toBe(0);
    expect(replay?.byClass['unknown-in-target']).toBe(0);
    // Divergences carry 82574 names: the free-running SYSTIM clock differs, nothing is unnamed.
    const registers = new Set(replay?.divergences.map((d) => d.register));
    expect(registers).toContain('SYSTIML');
    expect([...registers].filter((r) => r.startsWith('0x'))).toEqual([]);
  });
});
