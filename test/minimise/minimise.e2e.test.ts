// `igb-replay minimise` end to end: the built CLI against real QEMU on a real recording. The init
// trace against e1000e diverges at the PHY identifier (the 82576's PHY is not the 82574's): two
// accesses, the MDIC write that asks for PHY register 2 and the read of the answer, are all it takes.
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
