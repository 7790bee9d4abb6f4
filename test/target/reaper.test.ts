// Our process ending in any of the ways a user or CI ends it must take QEMU and its temp dir
// along. Each case runs a real child Node process that starts a real QEMU.
import { describe, it, expect, beforeAll } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { requireQemu, processAlive } from './qemu-env.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface Started {
  readonly qemuPid: number;
  readonly tempDir: string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly child: ReturnType<typeof spawn>;
}

/** Starts the fixture and resolves once its QEMU is up. */
function startHolder(mode: 'wait' | 'exit' | 'throw'): Promise<Started> {
  const child = spawn(process.execPath, ['--import', `${FIXTURES}register-ts.mjs`, `${FIXTURES}hold-qemu.ts`, mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      const { pid, tempDir } = JSON.parse(stdout.slice(0, newline)) as { pid: number; tempDir: string };
      resolve({ qemuPid: pid, tempDir, exit, child });
    });
    void exit.then((how) => reject(new Error(`fixture exited early (${JSON.stringify(how)}): ${stderr}`)));
  });
}

beforeAll(async () => {
  await requireQemu();
});

describe('reaping QEMU when our process ends', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s: stops QEMU, removes the temp dir, then dies of the signal', async (signal) => {
    const started = await startHolder('wait');
    expect(processAlive(started.qemuPid)).toBe(true);
    expect(existsSync(started.tempDir)).toBe(true);
    started.child.kill(signal);
    // Re-raised with the default action: the shell would report 128+n.
    expect(await started.exit).toEqual({ code: null, signal });
    // The fixture waited for QEMU and reaped it itself, so the pid is gone outright.
    expect(() => process.kill(started.qemuPid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(existsSync(started.tempDir)).toBe(false);
  });

  it('process.exit() without close: QEMU is killed and the temp dir removed synchronously', async () => {
    const started = await startHolder('exit');
    expect(await started.exit).toEqual({ code: 0, signal: null });
    await waitUntil(() => !processAlive(started.qemuPid));
    expect(existsSync(started.tempDir)).toBe(false);
  });

  it('an uncaught exception: QEMU is killed and the temp dir removed', async () => {
    const started = await startHolder('throw');
    expect((await started.exit).code).toBe(1);
    await waitUntil(() => !processAlive(started.qemuPid));
    expect(existsSync(started.tempDir)).toBe(false);
  });
});

/** SIGKILL is delivered asynchronously; give the kernel a moment (the QEMU's parent is gone). */
async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
