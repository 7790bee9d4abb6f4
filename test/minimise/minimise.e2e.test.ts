// `igb-replay minimise` end to end: the built CLI against real QEMU on a real recording. The init
// trace against e1000e diverges at the PHY identifier (the 82576's PHY is not the 82574's): two
// accesses, the MDIC write that asks for PHY register 2 and the read of the answer, are all it takes.
// It also differs in interrupts: igb's EICS write raises MSI-X vectors, e1000e has no EICS.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReplayResult } from '../../src/model/replay.js';
import { removeTempDirs, runCli, tempDir } from '../cli/run-cli.js';
import { INIT_TRACE, requireQemu } from '../replay/replay-env.js';

describe('igb-replay minimise (built CLI, real QEMU)', () => {
  beforeAll(async () => {
    await requireQemu();
  });
  afterAll(removeTempDirs);

  it('shrinks the init trace to the two accesses that show the PHY identifier divergence, and the result replays to it', () => {
    const out = join(tempDir(), 'mdic.min.log');
    const result = runCli(['minimise', INIT_TRACE, '--device', 'e1000e', '--register', 'MDIC', '-o', out]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Divergence {2}line 144: MDIC mismatch \(MDIC\.DATA: expected \d+, got \d+\)/);
    expect(result.stdout).toMatch(/Kept {8}2 of 6,113 accesses .*removing any one of them loses the divergence/);
    const accessLines = readFileSync(out, 'latin1').split('\n').filter((l) => /^e1000e_core_(read|write) /.test(l));
    expect(accessLines).toEqual([
      'e1000e_core_write Write to register 0x20, 4 byte(s), value: 0x8220000',
      'e1000e_core_read Read from register 0x20, 4 byte(s), value: 0x182202a8',
    ]);
    const replay = runCli(['replay', out, '--device', 'e1000e', '--json', '-']);
    expect(replay.status).toBe(1);
    const [again] = (JSON.parse(replay.stdout) as { results: ReplayResult[] }).results;
    expect(again!.divergences.map((d) => [d.register, d.class, d.fields.map((f) => f.field)])).toEqual([['MDIC', 'mismatch', ['DATA']]]);
  });

  it('minimises to an interrupt the target does not send: the EICS write that raises MSI-X vector 1 on igb, and the replay of the result shows it', () => {
    const out = join(tempDir(), 'eics.min.log');
    const result = runCli(['minimise', INIT_TRACE, '--device', 'e1000e', '--event', 'MSI-X vector 1', '-o', out]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Divergence  device event MSI-X vector 1: interrupt-missing after the EICS write 0x6 at line 3,590: '
      + 'the recording: notified MSI-X vector 1; the target: none');
    expect(result.stdout).toMatch(/Kept {8}[12] of 6,113 accesses \(the access the difference shows at included\).*removing any one of them loses the divergence/);
    // The EICS write with the events it caused (kept past the cut at its own line); at most one
    // config write besides: without any, a replay cannot enable MSI-X and compares no interrupts.
    const text = readFileSync(out, 'latin1');
    const accessLines = text.split('\n').filter((l) => /^(e1000e_core_(read|write)|igb_write_config) /.test(l));
    expect(accessLines.at(-1)).toBe('e1000e_core_write Write to register 0x1520, 4 byte(s), value: 0x6');
    expect(accessLines.filter((l) => l.startsWith('e1000e_core_'))).toHaveLength(1);
    expect(text).toContain('e1000e_irq_msix_notify_vec MSI-X notify vector 0x1');
    const replay = runCli(['replay', out, '--device', 'e1000e', '--json', '-']);
    expect(replay.status).toBe(1);
    const [again] = (JSON.parse(replay.stdout) as { results: ReplayResult[] }).results;
    expect(again!.events.divergences.filter((d) => d.subject === 'MSI-X vector 1').map((d) => [d.class, d.place, d.actual]))
      .toEqual([['interrupt-missing', { kind: 'access', access: 'write', register: 'EICS', value: 6 }, 'none']]);
  });

  it('refuses an event subject without a failing difference, naming those that have one (exit 2)', () => {
    const result = runCli(['minimise', INIT_TRACE, '--device', 'e1000e', '--event', 'MSI-X vector 9', '-o', join(tempDir(), 'z.log')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/no failing device-event difference of MSI-X vector 9/);
    expect(result.stderr).toMatch(/hint: subjects with one: .*MSI-X vector 1/);
  });

  it('refuses a register without a failing divergence, naming those that have one (exit 2)', () => {
    const result = runCli(['minimise', INIT_TRACE, '--device', 'e1000e', '--register', 'RCTL', '-o', join(tempDir(), 'x.log')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/no failing divergence of RCTL/);
    expect(result.stderr).toMatch(/hint: registers with one: EECD, /);
  });

  it('refuses a trace without failing divergences against its own device (exit 2)', () => {
    const result = runCli(['minimise', INIT_TRACE, '-o', join(tempDir(), 'y.log')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/no failing divergence to reproduce/);
  });
});
