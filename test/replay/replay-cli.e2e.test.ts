// End-to-end: the built CLI's `replay` against a real QEMU, its exit codes (0 pass, 1 divergences,
// 2 usage/input error, 3 QEMU failure) and its JSON report.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReplayResult } from '../../src/model/replay.js';
import { removeTempDirs, runCli, tempDir, traceText } from '../cli/run-cli.js';
import { INIT_TRACE, requireQemu } from './replay-env.js';

interface ReplayReport {
  readonly schema: string;
  readonly version: number;
  readonly results: ReplayResult[];
}

beforeAll(async () => {
  await requireQemu();
});

afterAll(removeTempDirs);

describe('replay (built CLI)', () => {
  it('passes linux-6.1-init.log against igb, and writes the JSON report', () => {
    const out = join(tempDir(), 'out.json');
    const result = runCli(['replay', INIT_TRACE, '--json', out]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Result: PASS');
    expect(result.stderr).toBe('');
    const report = JSON.parse(readFileSync(out, 'utf8')) as ReplayReport;
    expect(report.schema).toBe('igb-replay/replay-report');
    expect(report.version).toBe(1);
    expect(report.results).toHaveLength(1);
    const [replay] = report.results;
    expect(replay).toMatchObject({ schema: 'igb-replay/replay-result', version: 1, trace: INIT_TRACE, completed: true });
    expect(replay!.target.device).toMatch(/^igb\b/);
    expect(replay!.byClass.mismatch).toBe(0);
  });

  it('--keep-temp keeps QEMU\'s temp dir, with its trace log, and says where', () => {
    const out = join(tempDir(), 'kept.json');
    const result = runCli(['replay', INIT_TRACE, '--keep-temp', '--json', out]);
    expect(result.status).toBe(0);
    const kept = (JSON.parse(readFileSync(out, 'utf8')) as ReplayReport).results[0]!.target.keptTempDir!;
    try {
      expect(result.stdout).toContain(`Kept     ${kept} (--keep-temp`);
      expect(readFileSync(join(kept, 'qemu.log'), 'utf8')).toMatch(/e1000e_core_read Read from register 0x8, /);
    } finally {
      rmSync(kept, { recursive: true, force: true });
    }
    const plain = runCli(['replay', INIT_TRACE, '--json', '-']);
    expect((JSON.parse(plain.stdout) as ReplayReport).results[0]!.target.keptTempDir).toBeUndefined();
  });

  it('fails against e1000e with exit 1', () => {
    const result = runCli(['replay', INIT_TRACE, '--device', 'e1000e']);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('Result: FAIL');
    expect(result.stdout).toContain('EIMS');
  });

  it('rejects an unknown device model with exit 2 and a hint', () => {
    const result = runCli(['replay', INIT_TRACE, '--device', 'bogus']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('"bogus"');
    expect(result.stderr).toMatch(/hint: .*igb.*e1000e/);
  });

  it('exits 3 when the QEMU binary does not exist, naming how to get one', () => {
    const result = runCli(['replay', INIT_TRACE, '--qemu', '/nonexistent/qemu']);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('/nonexistent/qemu');
    expect(result.stderr).toMatch(/hint: .*(install-qemu\.sh|QTEST_QEMU_BINARY)/);
  });

  it('exits 2 on a malformed trace, naming the line', () => {
    const lines = traceText('linux-6.1-init').split('\n');
    lines.splice(100, 0, 'e1000e_core_read Read from register 0xzz, 4 byte(s), value: 0x0');
    const trace = join(tempDir(), 'malformed.log');
    writeFileSync(trace, lines.join('\n'));
    const result = runCli(['replay', trace]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('malformed.log:101:');
    expect(result.stderr).toContain('--lenient');
  });
});
