// QEMU dying in the middle of a replay (here: SIGKILL from outside) must end the replay promptly
// with a partial result that says where it stopped, exit 3 from the CLI, and leave neither a QEMU
// process nor its temp dir behind.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ReplayResult } from '../../src/model/replay.js';
import { igbRegisters } from '../../src/regs/database.js';
import { planReplay } from '../../src/replay/plan.js';
import type { QemuReplayTarget } from '../../src/replay/qemu-target.js';
import { MAIN, plainEnv, removeTempDirs, tempDir } from '../cli/run-cli.js';
import { concatenatedTrace, loadRecords, qemuChildOf, qemuTempDir, RELOAD_TRACE, replayFile, requireQemu, sleep, waitFor } from './replay-env.js';

/** QEMU has logged this much of the replay's register accesses: the replay is under way. */
const LOG_UNDER_WAY_BYTES = 100_000;
/** Earliest kill, from the CLI's start. */
const KILL_AFTER_MS = 700;
/** An ended replay must not take longer than this to notice and report it. */
const PROMPT_MS = 5_000;

beforeAll(async () => {
  await requireQemu();
});

afterAll(removeTempDirs);

function expectNoSuchProcess(pid: number): void {
  expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }) as unknown as Error);
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

interface CliRun {
  readonly pid: number;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function startCli(args: readonly string[]): CliRun {
  const child = spawn(process.execPath, [MAIN, ...args], { env: plainEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { pid: child.pid!, done };
}

describe('QEMU killed mid-replay', () => {
  it('CLI: exits 3, reports where it stopped, writes the partial JSON, leaves nothing behind', async () => {
    expect(existsSync(MAIN)).toBe(true);
    const dir = tempDir();
    // A concatenation of two copies of one real recording (not a recording itself). The first
    // copy ends with the guest putting the NIC in D3hot (PMCSR write at its end), so during the
    // second its BARs no longer decode: reads return 0 and each autoneg marker waits its full
    // timeout for a negotiation that never starts. Measured: ~6.5 s for the whole replay (21,930
    // accesses), against ~0.5 s for one copy, so a kill at ~0.7 s lands well inside it (measured:
    // in the second copy, around trace line 15,000-16,700).
    const trace = concatenatedTrace(dir, RELOAD_TRACE, 2);
    const out = join(dir, 'out.json');
    const started = Date.now();
    const cli = startCli(['replay', trace, '--json', out]);
    let finished = false;
    void cli.done.then(() => { finished = true; });

    const qemu = await waitFor('the QEMU child of the CLI', 10_000, () => qemuChildOf(cli.pid));
    const { cwd, log } = qemuTempDir(qemu);
    expect(dirname(log)).toBe(cwd);
    await waitFor('replayed accesses in QEMU\'s log', 10_000, () => (fileSize(log) >= LOG_UNDER_WAY_BYTES ? true : undefined));
    await sleep(Math.max(0, started + KILL_AFTER_MS - Date.now()));
    expect(finished).toBe(false);
    process.kill(qemu, 'SIGKILL');
    const killedAt = Date.now();

    const { code, stdout, stderr } = await cli.done;
    expect(Date.now() - killedAt).toBeLessThan(PROMPT_MS);
    expect(code).toBe(3);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Stopped early at trace line [\d,]+ \(access #\d+\): QEMU \(pid \d+\) was killed by SIGKILL/m);
    expect(stdout).toContain('Result: INCOMPLETE');

    const report = JSON.parse(readFileSync(out, 'utf8')) as { schema: string; results: ReplayResult[] };
    expect(report.schema).toBe('igb-replay/replay-report');
    const [result] = report.results;
    expect(result!.completed).toBe(false);
    expect(result!.stopped).toMatchObject({ reason: expect.stringContaining('SIGKILL') as unknown as string });
    expect(result!.stopped!.line).toBeGreaterThan(0);
    expect(result!.stopped!.seq).toBeGreaterThan(0);

    expectNoSuchProcess(qemu);
    expect(existsSync(cwd)).toBe(false);
  });

  it('library: killed via onTarget/onProgress past 30%, returns a partial result and cleans up', async () => {
    const registers = igbRegisters();
    const plan = planReplay(await loadRecords(RELOAD_TRACE), registers);
    const planned = { reads: 0, writes: 0 };
    for (const step of plan.steps) {
      if (step.kind === 'read') planned.reads++;
      if (step.kind === 'write') planned.writes++;
    }
    let pid = -1;
    let tempDirPath = '';
    let killedAt: { done: number; total: number; time: number } | undefined;
    const result = await replayFile(RELOAD_TRACE, { device: 'igb', time: 'auto', strict: false }, {
      onTarget: (target) => {
        const qemu = target as unknown as QemuReplayTarget;
        pid = qemu.session.pid;
        tempDirPath = qemu.session.tempDir;
      },
      onProgress: (done, total) => {
        if (killedAt !== undefined || done / total <= 0.3) return;
        process.kill(pid, 'SIGKILL');
        killedAt = { done, total, time: Date.now() };
      },
    });
    expect(killedAt).toBeDefined();
    expect(Date.now() - killedAt!.time).toBeLessThan(PROMPT_MS);
    expect(killedAt!.done).toBeLessThan(killedAt!.total);
    expect(result.completed).toBe(false);
    expect(result.stopped).toBeDefined();
    expect(result.stopped!.reason).toContain('SIGKILL');
    expect(result.stopped!.line).toBeGreaterThan(0);
    // The counts cover what was replayed before QEMU died, not the whole plan.
    expect(result.counts.reads).toBeGreaterThan(0);
    expect(result.counts.reads).toBeLessThan(planned.reads);
    expect(result.counts.writes).toBeGreaterThan(0);
    expect(result.counts.writes).toBeLessThan(planned.writes);
    expectNoSuchProcess(pid);
    expect(existsSync(tempDirPath)).toBe(false);
  });
});
