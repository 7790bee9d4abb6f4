// A spawned process we are responsible for: it is spawned without a shell, its stderr is kept
// (the tail only) for error messages, and it can be ended politely (SIGTERM, then SIGKILL after a
// grace period) or, from a process 'exit' handler that cannot wait, at once.
//
// It is spawned as the leader of its own process group and every signal goes to the group: the
// binary may be a wrapper QEMU developers use (`time`, `strace -f`, valgrind, a logging shell
// script without `exec`) that forks QEMU instead of becoming it. Signalling only the wrapper left
// QEMU running, orphaned, holding our stderr pipe open, and the stop waited for ever.

import { spawn, type ChildProcess } from 'node:child_process';
import type { ExitInfo } from './errors.js';

/** How much of stderr is kept; QEMU's useful last words fit easily. */
const STDERR_KEEP_CHARS = 64 * 1024;
/**
 * After the process itself has exited, how long to wait for its stdio to close (the last of
 * stderr to arrive). Something it left behind may hold the pipes open for ever: it is not waited for.
 */
const STDIO_DRAIN_MS = 500;

/**
 * Sends `signal` to the process group `pid` leads (a child spawned by ManagedChild). A group that is
 * gone is not an error. Never the bare pid: once the group is empty that pid may be someone else's.
 */
export function signalProcessTree(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Every process of the group has ended.
  }
}

export interface ManagedSpawnOptions {
  readonly stdin: 'pipe' | 'ignore';
  readonly stdout: 'pipe' | 'ignore';
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** A fourth stdio entry, fd 3 in the child: a socket pair end (QEMU's `-netdev socket,fd=3`). */
  readonly extraSocket?: boolean;
}

export class ManagedChild {
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;
  private stderr = '';

  private constructor(readonly process: ChildProcess) {
    this.exited = new Promise((resolve) => {
      const settle = (info: ExitInfo): void => {
        if (this.exitInfo !== undefined) return;
        this.exitInfo = info;
        resolve(info);
      };
      // 'close' comes after stderr is drained, so the tail is complete when callers look at it;
      // a grandchild that outlived the process (see the head comment) may keep it from coming.
      process.on('close', (code, signal) => settle({ code, signal }));
      process.on('exit', (code, signal) => {
        setTimeout(() => settle({ code, signal }), STDIO_DRAIN_MS).unref();
      });
      process.on('error', (error) => {
        if (process.pid === undefined) settle({ code: null, signal: null, error });
      });
    });
    process.stderr?.setEncoding('utf8');
    process.stderr?.on('data', (chunk: string) => {
      this.stderr += chunk;
      if (this.stderr.length > 2 * STDERR_KEEP_CHARS) this.stderr = this.stderr.slice(-STDERR_KEEP_CHARS);
    });
  }

  static spawn(file: string, args: readonly string[], options: ManagedSpawnOptions): ManagedChild {
    const child = spawn(file, [...args], {
      // Node makes a 'pipe' a unix socket pair on POSIX, so fd 3 is a stream socket in the child.
      stdio: options.extraSocket === true ? [options.stdin, options.stdout, 'pipe', 'pipe'] : [options.stdin, options.stdout, 'pipe'],
      env: options.env,
      cwd: options.cwd,
      shell: false,
      // Its own process group, so that signals reach whatever a wrapper binary forked.
      detached: true,
    });
    return new ManagedChild(child);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** How it ended, once it has. */
  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** True until the process is known to have exited. */
  get running(): boolean {
    return this.exitInfo === undefined && this.process.exitCode === null && this.process.signalCode === null
      && this.process.pid !== undefined;
  }

  /** The last `lines` non-empty lines of stderr. */
  stderrTail(lines = 20): string {
    return this.stderr.split('\n').filter((line) => line.trim() !== '').slice(-lines).join('\n');
  }

  /** SIGTERM, then SIGKILL if it is still alive after `graceMs`; resolves when it has exited. */
  async terminate(graceMs: number): Promise<ExitInfo> {
    if (!this.running) {
      // What it forked may still run (the wrapper ended on its own).
      this.signal('SIGKILL');
      return this.exited;
    }
    this.signal('SIGTERM');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const first = await Promise.race([this.exited, graceOver]);
    clearTimeout(timer);
    if (first !== 'timeout') return first;
    // The group, even when the process itself has gone: what it forked may not have.
    this.signal('SIGKILL');
    return this.exited;
  }

  /** SIGKILL without waiting, for contexts that cannot wait (process 'exit'). */
  killNow(): void {
    if (this.running) this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.process.pid !== undefined) signalProcessTree(this.process.pid, signal);
  }
}
