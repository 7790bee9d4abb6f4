// Waiting for QEMU to write a line to its log (`-D FILE`, where `-trace` output goes), e.g. the
// autoneg timer's `e1000x_link_negotiation_done` after `cont`. QEMU flushes the log after every
// message, so the file is the timely source of truth.
//
// The file is read incrementally from a byte offset (never re-read from the start) by a LogCursor.
// A wait is woken by a change event on the log's directory (inotify on Linux; the directory, so it
// works before QEMU has created the file), and reads as soon as data arrives. A slow poll stays as
// a safety net for filesystems that deliver no change events; it does not set the latency.
// Only complete lines are matched.

import { closeSync, fstatSync, openSync, readSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
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
  /** Safety-net poll period for filesystems without change events. Default 100 ms. */
  readonly pollMs?: number;
  /** Aborting rejects with the signal's reason (e.g. QEMU exited). */
  readonly signal?: AbortSignal;
}

/** Current size of the log in bytes (0 if QEMU has not created it yet): the offset of "now". */
export function logSize(path: string): Promise<number> {
  const log = new OpenLog(path);
  try {
    return Promise.resolve(log.size());
  } finally {
    log.close();
  }
}

/**
 * QEMU's log held open once it exists, for a reader that asks its size and reads ranges of it
 * thousands of times in a replay (at every stretch of time): one descriptor instead of an open,
 * a stat and a close each time. The caller closes it.
 */
export class OpenLog {
  private descriptor: number | undefined;
  private closed = false;

  constructor(readonly path: string) {}

  /** The open descriptor, or undefined while QEMU has not created the file (or after close). */
  fd(): number | undefined {
    if (this.descriptor === undefined && !this.closed) {
      try {
        this.descriptor = openSync(this.path, 'r');
      } catch {
        return undefined;
      }
    }
    return this.descriptor;
  }

  /** Current size in bytes (0 if QEMU has not created the file yet): the offset of "now". */
  size(): number {
    const fd = this.fd();
    return fd === undefined ? 0 : fstatSync(fd).size;
  }

  close(): void {
    this.closed = true;
    if (this.descriptor !== undefined) closeSync(this.descriptor);
    this.descriptor = undefined;
  }
}

const NEWLINE = 0x0a;
/** Read at most this much per step, so a huge backlog does not land in memory at once. */
const READ_CHUNK_BYTES = 1 << 20;
const DEFAULT_POLL_MS = 100;

/**
 * A reading position in a growing log: each find() scans only what was appended since the last
 * call (complete lines; an unfinished last line waits for its newline). Keeps the file open.
 */
export class LogCursor {
  /**
   * The log, held open (OpenLog) and read synchronously: the lines are on a local disk already
   * (QEMU flushed them before it answered), and a read through libuv's thread pool costs a round
   * trip of threads per call, which the waits between received frames pay hundreds of times.
   */
  private readonly log: OpenLog;
  /** Whether the log was opened for this cursor (closed by close()), not handed over by its owner. */
  private readonly ownsLog: boolean;
  /** Bytes of an unfinished line, which starts at `offset - carry.length`. */
  private carry: Buffer = Buffer.alloc(0);

  /** `source`: the log's path (opened here, closed by close()), or a log held open by its owner. */
  constructor(source: string | OpenLog, private offset: number) {
    this.ownsLog = typeof source === 'string';
    this.log = typeof source === 'string' ? new OpenLog(source) : source;
  }

  /** Offset up to which the file has been read. */
  get position(): number {
    return this.offset;
  }

  /** Where a new cursor must start to see every line this one has not returned or passed (an unfinished line included). */
  get resumeOffset(): number {
    return this.offset - this.carry.length;
  }

  /** The first new complete line matching `pattern`; the cursor moves past it. */
  async find(pattern: RegExp): Promise<LogMatch | undefined> {
    const matcher = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    for (;;) {
      const chunk = this.read();
      if (chunk.length === 0) return undefined;
      const base = this.offset - chunk.length - this.carry.length;
      const found = scan(Buffer.concat([this.carry, chunk]), base, matcher);
      if (found.match !== undefined) {
        // Continue after the matching line next time: re-read what followed it.
        this.offset = found.match.endOffset;
        this.carry = Buffer.alloc(0);
        return found.match;
      }
      this.carry = found.rest;
    }
  }

  async close(): Promise<void> {
    if (this.ownsLog) this.log.close();
    return Promise.resolve();
  }

  /** The next bytes after `offset` (possibly none), advancing it. */
  private read(): Buffer {
    const fd = this.log.fd();
    if (fd === undefined) return Buffer.alloc(0); // not created yet
    const { size } = fstatSync(fd);
    if (size <= this.offset) return Buffer.alloc(0);
    const buffer = Buffer.alloc(Math.min(size - this.offset, READ_CHUNK_BYTES));
    const bytesRead = readSync(fd, buffer, 0, buffer.length, this.offset);
    this.offset += bytesRead;
    return buffer.subarray(0, bytesRead);
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

/** Waits until a complete line at or after `fromOffset` matches `pattern`. */
export async function waitForLogLine(path: string, pattern: RegExp, options: WaitForLogOptions): Promise<LogMatch> {
  const cursor = new LogCursor(path, options.fromOffset ?? 0);
  const deadline = performance.now() + options.timeoutMs;
  // Subscribed before the first read, so a line written in between still wakes us.
  const wake = new Wakeup(path, options.pollMs ?? DEFAULT_POLL_MS, options.signal);
  try {
    for (;;) {
      const found = await cursor.find(pattern);
      if (found !== undefined) return found;
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw new TargetTimeoutError(`wait for log line ${String(pattern)} in ${path}`, options.timeoutMs);
      await wake.next(remaining);
    }
  } finally {
    wake.dispose();
    await cursor.close();
  }
}

/** next() resolves when the file may have changed, the safety-net poll is due or time is up; rejects on abort. */
class Wakeup {
  private readonly watcher: FSWatcher | undefined;
  /** A change arrived since the last next(): look again before sleeping. */
  private pending = false;
  private wakeNow: (() => void) | undefined;
  private readonly onAbort = (): void => this.wakeNow?.();

  constructor(path: string, private readonly pollMs: number, private readonly signal: AbortSignal | undefined) {
    const name = basename(path);
    this.watcher = tryWatch(dirname(path), (changed) => {
      if (changed !== null && changed !== name) return;
      this.pending = true;
      this.wakeNow?.();
    });
    signal?.addEventListener('abort', this.onAbort);
  }

  async next(remainingMs: number): Promise<void> {
    this.throwIfAborted();
    if (!this.pending) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, Math.min(remainingMs, this.pollMs));
        function finish(): void {
          clearTimeout(timer);
          resolve();
        }
        this.wakeNow = finish;
      });
      this.wakeNow = undefined;
      this.throwIfAborted();
    }
    this.pending = false;
  }

  dispose(): void {
    this.watcher?.close();
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  private throwIfAborted(): void {
    if (this.signal?.aborted === true) throw this.signal.reason;
  }
}

function tryWatch(dir: string, onChange: (filename: string | null) => void): FSWatcher | undefined {
  try {
    const watcher = watch(dir, { persistent: false }, (_event, filename) => onChange(filename));
    watcher.on('error', () => undefined);
    return watcher;
  } catch {
    return undefined; // no change events here: the poll carries the wait
  }
}
