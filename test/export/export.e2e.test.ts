// End-to-end: `igb-replay export` (built CLI) on the real recording traces/linux-6.1-init.log. The
// qtest script runs in a real QEMU through its companion shell script; every command must answer
// OK, and the reads must match the recording at least as well as `replay` does in the same time
// mode (frozen: Debian's QEMU has no qtest accelerator, so a script on stdin cannot let time run).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { exportPlan } from '../../src/export/steps.js';
import { qtestScript, renderScript, type QtestScript } from '../../src/export/qtest-script.js';
import { igbRegisters } from '../../src/regs/index.js';
import { meetsExpectation } from '../../src/target/planned-command.js';
import { parseDeviceOption } from '../../src/replay/device-option.js';
import { loadTrace } from '../../src/trace/load.js';
import { replayFile } from '../replay/replay-env.js';
import { removeTempDirs, runCli, tempDir } from '../cli/run-cli.js';
import { INIT_TRACE, requireQemu } from '../replay/replay-env.js';

const SRIOV_TRACE = 'traces/linux-6.1-sriov.log';

beforeAll(async () => {
  await requireQemu();
});

afterAll(removeTempDirs);

async function libraryScript(): Promise<QtestScript> {
  const trace = await loadTrace(INIT_TRACE);
  return qtestScript(exportPlan(INIT_TRACE, trace.records ?? [], igbRegisters(), parseDeviceOption('igb', trace.mac)), 'frozen');
}

interface Tally {
  /** Recorded reads matched, counted as replay counts them (a folded loop stands for its reads). */
  match: number;
  /** Differences in registers the compare policy checks. */
  mismatch: number;
  /** Differences in volatile registers (not counted by replay either). */
  volatile: number;
  /** Set-up reads (IDs, BAR read-backs) that did not answer as expected. */
  setupWrong: string[];
}

function tally(script: QtestScript, replies: readonly string[]): Tally {
  const result: Tally = { match: 0, mismatch: 0, volatile: 0, setupWrong: [] };
  script.lines.forEach((line, i) => {
    if (line.expect === undefined) return;
    const value = Number.parseInt((replies[i] ?? '').slice(3), 16);
    if (line.read === undefined) {
      if (!meetsExpectation(value, line.expect)) result.setupWrong.push(`${line.what}: ${replies[i]}`);
    } else if (meetsExpectation(value, line.expect)) result.match += line.read.stands;
    else if (line.read.unchecked !== undefined) result.volatile++;
    else result.mismatch++;
  });
  return result;
}

describe('export --qtest (built CLI, real QEMU)', () => {
  it('writes a script every command of which QEMU answers OK, matching the recording as well as replay --time frozen', async () => {
    const dir = tempDir();
    const out = join(dir, 'init.qtest');
    const exported = runCli(['export', INIT_TRACE, '--qtest', '-o', out]);
    expect(exported.status).toBe(0);
    expect(exported.stderr).toContain(`${out}.sh`);
    const script = await libraryScript();
    expect(readFileSync(out, 'utf8')).toBe(renderScript(script));
    expect(statSync(`${out}.sh`).mode & 0o111).not.toBe(0);

    const run = spawnSync('sh', [`${out}.sh`], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const replies = run.stdout.trimEnd().split('\n');
    expect(replies).toHaveLength(script.lines.length);
    expect(replies.filter((reply) => !reply.startsWith('OK'))).toEqual([]);

    const script_ = tally(script, replies);
    const replay = await replayFile(INIT_TRACE, { device: 'igb', time: 'frozen', strict: false });
    expect(script_.setupWrong).toEqual([]);
    expect(script_.match).toBeGreaterThanOrEqual(replay.byClass.match);
    expect(script_.mismatch).toBeLessThanOrEqual(replay.byClass.mismatch);
    expect(script_.match + script_.mismatch + script_.volatile).toBeGreaterThan(3000);
    // The numbers for the record (README, report): equal today, 3,201 / 16 / 19 on QEMU 10.0.2.
    process.stdout.write(`export --qtest: ${script_.match} matched, ${script_.mismatch} mismatched, ${script_.volatile} volatile; `
      + `replay --time frozen: ${replay.byClass.match} / ${replay.byClass.mismatch} / ${replay.byClass.volatile}\n`);
  });

  it('recreates the SR-IOV recording\'s root port: set-up checks hold and every command answers OK', async () => {
    const trace = await loadTrace(SRIOV_TRACE);
    const script = qtestScript(exportPlan(SRIOV_TRACE, trace.records ?? [], igbRegisters(), parseDeviceOption('igb', trace.mac), trace.device.placement), 'frozen');
    const out = join(tempDir(), 'sriov.qtest');
    expect(runCli(['export', SRIOV_TRACE, '--qtest', '-o', out]).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(renderScript(script));
    expect(readFileSync(`${out}.sh`, 'utf8')).toContain('-device pcie-root-port,id=rp0,slot=0,addr=2.0 -device igb,bus=rp0,addr=0.0,');
    // VF config writes go to the VFs' own functions: VF1's MSI-X control at 01:10.2.
    expect(script.lines.map((line) => line.what)).toContain('select VF1 config 0x72 (line 11566)');
    const run = spawnSync('sh', [`${out}.sh`], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 });
    expect(run.status).toBe(0);
    const replies = run.stdout.trimEnd().split('\n');
    expect(replies).toHaveLength(script.lines.length);
    expect(replies.filter((reply) => !reply.startsWith('OK'))).toEqual([]);
    expect(tally(script, replies).setupWrong).toEqual([]);
  });

  it('prints the QEMU command line on stderr when the script goes to stdout', () => {
    const result = runCli(['export', INIT_TRACE, '--qtest']);
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('outl 0xcf8 0x80001000');
    expect(result.stderr).toMatch(/^run with: qemu-system-x86_64 -M q35 .*-qtest stdio .*-device igb,addr=2\.0,mac=52:54:00:12:34:56,netdev=net0 .* < SCRIPT\n$/);
  });
});

describe('export --c-test (built CLI)', () => {
  it('asserts every read of a register the compare policy checks, and only those', async () => {
    const out = join(tempDir(), 'igb-init-test.c');
    const result = runCli(['export', INIT_TRACE, '--c-test', '-o', out]);
    expect(result.status).toBe(0);
    const text = readFileSync(out, 'utf8');
    const script = await libraryScript();
    const checked = script.lines.filter((line) => line.read !== undefined && line.read.unchecked === undefined).length;
    const unchecked = script.lines.filter((line) => line.read?.unchecked !== undefined).length;
    // Two more assertions in the set-up: the NIC's identity and the MMCONFIG window.
    expect(text.split('g_assert_cmphex(').length - 1).toBe(checked + 2);
    expect(text.split('not asserted:').length - 1).toBeLessThanOrEqual(unchecked);
    expect(text).toContain(`QTest replay of ${INIT_TRACE}`);
    expect(text).toContain('qtest_add_func("/igb-replay/linux-6.1-init", test_linux_6_1_init);');
    expect(text).toMatch(/g_assert_cmphex\(rd\(r, 0x00008\), ==, 0x80080481\); \/\* STATUS, line 133 \*\//);
  });

  it('exits 2 unless exactly one of --qtest and --c-test is given', () => {
    for (const args of [[], ['--qtest', '--c-test']]) {
      const result = runCli(['export', INIT_TRACE, ...args]);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('choose one of --qtest or --c-test');
    }
  });

  it('exits 2 for the SR-IOV recording, whose root port libqos\' PC bus cannot reach, pointing to --qtest', () => {
    const result = runCli(['export', SRIOV_TRACE, '--c-test']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('behind pcie-root-port,id=rp0,slot=0');
    expect(result.stderr).toContain('--qtest');
  });

  it('exits 2 on an unknown device model', () => {
    const result = runCli(['export', INIT_TRACE, '--c-test', '--device', 'bogus']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('"bogus"');
  });
});
