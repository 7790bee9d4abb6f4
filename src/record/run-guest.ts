// Runs one recording QEMU to its end: spawned without a shell inside the work directory, the
// serial console (QEMU's stdout under -nographic) kept in memory, stopped after the timeout, and
// under the reaper's care meanwhile, so Ctrl-C or a crash of ours never leaves a guest running.
// stdin is /dev/null: with a terminal on it -nographic would switch that terminal to raw mode.

import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { ManagedChild } from '../target/managed-child.js';
import { registerForReaping } from '../target/reaper.js';
import type { ExitInfo } from '../target/errors.js';

/** Bound on the console kept in memory; a guest's boot log is far smaller. */
const CONSOLE_KEEP_CHARS = 4 << 20;
/** A console line longer than this is cut to its end before it is handed on. */
const CONSOLE_LINE_KEEP_CHARS = 1 << 16;
const POLL_MS = 250;
const KILL_GRACE_MS = 2_000;

export interface GuestRun {
  readonly exit: ExitInfo;
  readonly timedOut: boolean;
  readonly console: string;
  readonly stderrTail: string;
  readonly durationMs: number;
}

export interface RunGuestOptions {
  readonly binary: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The -D file, relative to cwd, whose lines are counted for progress. */
  readonly traceFile: string;
  readonly timeoutMs: number;
  readonly onProgress?: (lines: number, elapsedMs: number) => void;
  /** Each complete console line as it arrives (raw: the caller cleans what it looks at). */
  readonly onConsoleLine?: (line: string) => void;
}

/** Counts the newlines of a growing file, reading only what is new each time. */
class LineCounter {
  private offset = 0;
  lines = 0;
  private readonly buffer = Buffer.alloc(1 << 16);

  constructor(private readonly path: string) {}

  async poll(): Promise<number> {
    let handle;
    try {
      handle = await open(this.path, 'r');
    } catch {
      return this.lines; // QEMU has not created it yet
    }
    try {
      for (;;) {
        const { bytesRead } = await handle.read(this.buffer, 0, this.buffer.length, this.offset);
        if (bytesRead === 0) return this.lines;
        this.offset += bytesRead;
        for (let i = 0; i < bytesRead; i++) if (this.buffer[i] === 0x0a) this.lines++;
      }
    } finally {
      await handle.close();
    }
  }
}

export async function runGuest(options: RunGuestOptions): Promise<GuestRun> {
  const started = Date.now();
  const child = ManagedChild.spawn(options.binary, options.args, { stdin: 'ignore', stdout: 'pipe', cwd: options.cwd });
  const registration = registerForReaping({
    shutdown: async () => { await child.terminate(KILL_GRACE_MS); },
    shutdownSync: () => child.killNow(),
  });
  let consoleText = '';
  let partialLine = '';
  child.process.stdout?.setEncoding('latin1');
  child.process.stdout?.on('data', (chunk: string) => {
    consoleText += chunk;
    if (options.onConsoleLine !== undefined) {
      const lines = (partialLine + chunk).split('\n');
      partialLine = (lines.pop() ?? '').slice(-CONSOLE_LINE_KEEP_CHARS);
      for (const line of lines) options.onConsoleLine(line);
    }
    if (consoleText.length > 2 * CONSOLE_KEEP_CHARS) consoleText = consoleText.slice(-CONSOLE_KEEP_CHARS);
  });
  const counter = new LineCounter(join(options.cwd, options.traceFile));
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    void child.terminate(KILL_GRACE_MS);
  }, options.timeoutMs);
  const ticker = setInterval(() => {
    void counter.poll().then((lines) => options.onProgress?.(lines, Date.now() - started), () => undefined);
  }, POLL_MS);
  try {
    const exit = await child.exited;
    return { exit, timedOut, console: consoleText, stderrTail: child.stderrTail(), durationMs: Date.now() - started };
  } finally {
    clearTimeout(deadline);
    clearInterval(ticker);
    registration.dispose();
  }
}
