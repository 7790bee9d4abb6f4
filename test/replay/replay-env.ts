// Shared set-up of the replay tests. They run real traces from traces/ against a real QEMU and
// must fail, not skip, when QEMU is missing (requireQemu throws with what to install).
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceRecord } from '../../src/model/access.js';
import type { Divergence, ReplayResult } from '../../src/model/replay.js';
import { prepareReplay, type PrepareOptions } from '../../src/replay/prepare.js';
import { runReplay, type RunHooks } from '../../src/replay/run.js';
import { loadTrace, recordsOf } from '../../src/trace/load.js';

export { requireQemu, processAlive } from '../target/qemu-env.js';

/** Every real recording in traces/ (QEMU logs, gzipped ones included, and the mmiotrace), by path relative to the repo root. */
export function realTraces(): string[] {
  return readdirSync('traces').filter((name) => /\.(log|txt)(\.gz)?$/.test(name)).sort().map((name) => join('traces', name));
}

export const INIT_TRACE = join('traces', 'linux-6.1-init.log');
export const RELOAD_TRACE = join('traces', 'linux-6.1-reload.log');

/**
 * A trace made by concatenating `copies` of a real recording, written into `dir`. Not a recording
 * itself: after the first copy the device is not in the state the next copy starts from.
 */
export function concatenatedTrace(dir: string, source: string, copies: number): string {
  const text = readFileSync(source);
  const path = join(dir, `${copies}x-${source.split('/').pop() ?? 'trace.log'}`);
  writeFileSync(path, Buffer.concat(Array.from({ length: copies }, () => text)));
  return path;
}

/** What determinism compares: everything that identifies a divergence and its values. */
export function divergenceKeys(result: ReplayResult): string[] {
  return result.divergences.map((d: Divergence) => `${d.seq} ${d.register} ${d.class} ${d.expected} ${d.actual}`);
}

/** Direct children of `pid`, from /proc (every thread's children list). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return children;
  }
  for (const task of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text !== '') children.push(...text.split(/\s+/).map(Number));
    } catch {
      // The thread has just ended.
    }
  }
  return children;
}

/** The process's command line, split at NULs. */
export function cmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((arg) => arg !== '');
}

/**
 * The replay's QEMU among the children of `pid`, once it has exec'd: the one with a `-D` log (the
 * binary checks before it, `--version` and the qtest-accelerator probe, have none).
 */
export function qemuChildOf(pid: number): number | undefined {
  return childPids(pid).find((child) => {
    try {
      const args = cmdline(child);
      return args.some((arg) => arg.includes('qemu-system')) && args.includes('-D');
    } catch {
      return false;
    }
  });
}

/** QEMU's session temp dir: its working directory, where its `-D` log also lives. */
export function qemuTempDir(pid: number): { cwd: string; log: string } {
  const args = cmdline(pid);
  const log = args[args.indexOf('-D') + 1] ?? '';
  return { cwd: readlinkSync(`/proc/${pid}/cwd`), log };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 20 ms until it returns a value, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, condition: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** Load, prepare and run one trace file against a fresh QEMU, as `igb-replay replay` does. */
export async function replayFile(path: string, options: PrepareOptions, hooks: RunHooks = {}): Promise<ReplayResult> {
  return runReplay(prepareReplay(await loadTrace(path), options), undefined, hooks);
}

/** A trace file's records. */
export async function loadRecords(path: string): Promise<readonly TraceRecord[]> {
  return recordsOf(await loadTrace(path));
}
