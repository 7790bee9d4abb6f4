// Ctrl-C during a parallel replay: every QEMU must be stopped and its temp dir removed before the
// CLI dies of the signal, and no QEMU may start after. `-j 2` runs both replays in the main thread;
// `-j 3` runs the third in a worker thread, which signals do not reach (run-cells.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { MAIN, plainEnv, removeTempDirs, tempDir } from '../cli/run-cli.js';
import { childPids, cmdline, concatenatedTrace, processAlive, qemuTempDir, RELOAD_TRACE, requireQemu, waitFor } from './replay-env.js';

beforeAll(async () => {
  await requireQemu();
});

afterAll(removeTempDirs);

/** The replay QEMUs among the direct children of `pid` (those with a `-D` log; probes have none). */
function replayQemus(pid: number): number[] {
  return childPids(pid).filter((child) => {
    try {
      const args = cmdline(child);
      return args.some((arg) => arg.includes('qemu-system')) && args.includes('-D');
    } catch {
      return false;
    }
  });
}

describe('SIGINT to a parallel replay', () => {
  it.each([2, 3])('-j %i: stops every QEMU, removes their temp dirs, and dies of SIGINT', async (jobs) => {
    const dir = tempDir();
    // Concatenations of a real recording (not recordings themselves): about 6.5 s of replay each
    // (see kill-qemu.test.ts), so both workers are mid-replay when the signal comes.
    for (let copies = 2; copies <= 5; copies++) concatenatedTrace(dir, RELOAD_TRACE, copies);
    const cli = spawn(process.execPath, [MAIN, 'replay', dir, '-j', String(jobs)], { env: plainEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    cli.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      cli.on('exit', (code, signal) => resolve({ code, signal }));
    });

    const qemus = await waitFor(`${jobs} replay QEMUs running at once`, 20_000, () => {
      const pids = replayQemus(cli.pid!);
      return pids.length >= jobs ? pids : undefined;
    });
    const dirs = qemus.map((pid) => qemuTempDir(pid).cwd);
    expect(dirs.every((d) => existsSync(d))).toBe(true);
    cli.kill('SIGINT');

    expect(await exited).toEqual({ code: null, signal: 'SIGINT' });
    for (const pid of qemus) expect(processAlive(pid)).toBe(false);
    for (const d of dirs) expect(existsSync(d)).toBe(false);
    expect(stderr).not.toContain('internal error');
  });
});
