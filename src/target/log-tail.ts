// Waiting for QEMU to write a line to its log (`-D FILE`, where `-trace` output goes), e.g. the
// autoneg timer's `e1000e_link_autoneg_flowctl` after a drain. QEMU flushes the log after every
// message, so the file is the timely source of truth.
//
// The file is read incrementally from a byte offset (never re-read from the start), woken by
// fs.watch (inotify on Linux) with a short poll as a fallback, because watch events can be
// coalesced or, on some filesystems, missing. Only complete lines are matched.

import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { TargetTimeoutError } from './errors.js';

export interface LogMatch {
  /** The matching line, without its newline. */
  readonly line: string;
  readonly match: RegExpExecArray;
  /** Byte offset where the line starts. */
  readonly lineOffset: number;
  /** Byte offset just past the line's newline: pass it as `fromOffset` to continue after it. */
  readonly endOffset: number;
}

export interface WaitForLogOptions {
  /** Byte offset to start scanning at; lines starting before it are ignored. Default 0. */
  readonly fromOffset?: number;
  readonly timeoutMs: number;
  /** Fallback poll period; the watcher usually wakes us first. Default 10 ms. */
  readonly pollMs?: number;
  /** Aborting rejects with the signal's reason (e.g. QEMU exited). */
  readonly signal?: AbortSignal;
}

/** Current size of the log in bytes (0 if QEMU has not created it yet): the offset of "now". */
export async function logSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

const NEWLINE = 0x0a;
/** Read at most this much per step, so a huge backlog does not land in memory at once. */
const READ_CHUNK_BYTES = 1 << 20;

/** Reads a growing file forward from an offset, keeping the descriptor open once the file exists. */
class FileTail {
  private handle: FileHandle | undefined;

  constructor(private readonly path: string, public offset: number) {}

  /** The next bytes after `offset` (possibly none), advancing it. */
  async read(): Promise<Buffer> {
    if (this.handle === undefined) {
      try {
        this.handle = await open(this.path, 'r');
      } catch {
        return Buffer.alloc(0); // not created yet
      }
    }
    const { size } = await this.handle.stat();
    if (size <= this.offset) return Buffer.alloc(0);
    const buffer = Buffer.alloc(Math.min(size - this.offset, READ_CHUNK_BYTES));
    const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, this.offset);
    this.offset += bytesRead;
    return buffer.subarray(0, bytesRead);
  }

  async close(): Promise<void> {
    await this.handle?.close();
  }
}

/** Resolves after `ms`, or earlier when the returned poke function is called. */
function sleepUnlessPoked(ms: number): { done: Promise<void>; poke: () => void } {
  let poke = (): void => undefined;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    poke = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, poke };
}

function abortPromise(signal: AbortSignal | undefined): { aborted: Promise<never>; dispose: () => void } {
  let dispose = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    if (signal === undefined) return;
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    dispose = () => signal.removeEventListener('abort', onAbort);
  });
  aborted.catch(() => undefined);
  return { aborted, dispose };
}

/** Waits until a complete line at or after `fromOffset` matches `pattern`. */
export async function waitForLogLine(path: string, pattern: RegExp, options: WaitForLogOptions): Promise<LogMatch> {
  const matcher = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  const tail = new FileTail(path, options.fromOffset ?? 0);
  const deadline = performance.now() + options.timeoutMs;
  const abort = abortPromise(options.signal);
  let sleeper = sleepUnlessPoked(0);
  let watcher: FSWatcher | undefined;
  let carry: Buffer = Buffer.alloc(0);
  try {
    for (;;) {
      if (watcher === undefined) watcher = tryWatch(path, () => sleeper.poke());
      const chunk = await tail.read();
      if (chunk.length > 0) {
        const found = scan(Buffer.concat([carry, chunk]), tail.offset - chunk.length - carry.length, matcher);
        if (found.match !== undefined) return found.match;
        carry = found.rest;
        if (chunk.length === READ_CHUNK_BYTES) continue; // more backlog to read
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw new TargetTimeoutError(`wait for log line ${String(pattern)} in ${path}`, options.timeoutMs);
      sleeper = sleepUnlessPoked(Math.min(remaining, options.pollMs ?? 10));
      await Promise.race([abort.aborted, sleeper.done]);
    }
  } finally {
    watcher?.close();
    abort.dispose();
    await tail.close();
  }
}

function tryWatch(path: string, onChange: () => void): FSWatcher | undefined {
  try {
    const watcher = watch(path, onChange);
    watcher.on('error', () => undefined);
    return watcher;
  } catch {
    return undefined; // the file may not exist yet; polling covers it and we retry next round
  }
}

/** Matches complete lines of `bytes` (which starts at file offset `base`); returns the unfinished rest. */
function scan(bytes: Buffer, base: number, matcher: RegExp): { match?: LogMatch; rest: Buffer } {
  let start = 0;
  for (let newline = bytes.indexOf(NEWLINE); newline >= 0; newline = bytes.indexOf(NEWLINE, start)) {
    const line = bytes.toString('utf8', start, newline);
    const match = matcher.exec(line);
    if (match !== null) {
      return { match: { line, match, lineOffset: base + start, endOffset: base + newline + 1 }, rest: Buffer.alloc(0) };
    }
    start = newline + 1;
  }
  return { rest: Buffer.from(bytes.subarray(start)) };
}
