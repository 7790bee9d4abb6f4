// Where a command's result goes: stdout, or a file given with --output. Files are written to a
// temporary name in the same directory and renamed on success, so a failed or interrupted run
// never leaves a half-written result under the real name (rename is atomic within a directory).
// Both kinds expose backpressure (`ready()` waits for 'drain') and notice a reader that went away
// (EPIPE from `igb-replay parse x --jsonl | head`), which the command then treats as a normal end.
// A path that is not a regular file (/dev/null, /dev/stdout, a FIFO, bash's `>(jq .)`) is written
// in place: a temporary file renamed over it would replace the device or pipe with a regular file
// (as root, `--json /dev/null` used to turn /dev/null into one). Through a symbolic link, the file
// it points to is replaced, not the link.

import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { chmod, lstat, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { OutputError } from './errors.js';

/** Thrown by `ready()` once the reader has closed the pipe; commands stop producing and exit 0. */
export class ReaderGone extends Error {
  override readonly name = 'ReaderGone';
}

export class Output {
  private failure: Error | undefined;
  private gone = false;

  protected constructor(protected readonly stream: Writable, readonly file: string | undefined, readonly isTTY: boolean) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // Without this listener an EPIPE would surface as an uncaught exception with a stack trace.
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') this.gone = true;
      else this.failure ??= error;
    });
  }

  static stdout(stream: Writable & { isTTY?: boolean }): Output {
    return new Output(stream, undefined, stream.isTTY === true);
  }

  static async file(path: string): Promise<Output> {
    const existing = await stat(path).catch(() => undefined);
    if (existing !== undefined && !existing.isFile() && !existing.isDirectory()) return InPlaceOutput.open(path);
    const link = await lstat(path).then((s) => s.isSymbolicLink(), () => false);
    return FileOutput.create(path, link ? await realpath(path).catch(() => path) : path);
  }

  /** The reader closed the pipe: output is no longer wanted. */
  get readerGone(): boolean {
    return this.gone;
  }

  write(text: string): void {
    if (this.gone || this.failure !== undefined || text.length === 0) return;
    this.stream.write(text);
  }

  /** Resolves when the consumer has caught up; throws when it is gone or writing failed. */
  async ready(): Promise<void> {
    if (this.stream.writableNeedDrain && !this.gone && this.failure === undefined) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done).off('close', done).off('error', done);
          resolve();
        };
        this.stream.on('drain', done).on('close', done).on('error', done);
      });
    }
    this.check();
  }

  /** Flushes everything written; for a file, moves it to its real name. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (this.gone || this.failure !== undefined || this.stream.destroyed) return resolve();
      // The callback of an empty write runs once everything before it has been flushed.
      this.stream.write('', () => resolve());
    });
    this.check();
  }

  /** Discards a partial result (nothing to do for stdout). */
  async abort(): Promise<void> {
    // Nothing to discard on stdout: what was written is already with the reader.
  }

  protected check(): void {
    if (this.gone) throw new ReaderGone('the reader closed the output');
    if (this.failure !== undefined) throw this.writeError(this.failure);
  }

  protected writeError(error: Error): Error {
    const code = (error as NodeJS.ErrnoException).code ?? error.message;
    return new OutputError(this.file ?? '<stdout>', `write failed: ${code}`);
  }
}

const CLEANUP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

class FileOutput extends Output {
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    // Interrupted (Ctrl-C): remove the temporary file, then die of the same signal as if unhandled.
    this.forgetSignals();
    try {
      unlinkSync(this.temp);
    } catch {
      // Already gone.
    }
    process.kill(process.pid, signal);
  };

  private constructor(stream: Writable, private readonly path: string, private readonly temp: string) {
    super(stream, path, false);
    for (const signal of CLEANUP_SIGNALS) process.once(signal, this.onSignal);
  }

  private forgetSignals(): void {
    for (const signal of CLEANUP_SIGNALS) process.off(signal, this.onSignal);
  }

  /** `target`: the file to replace (`path` itself, or the file a symbolic link `path` points to). */
  static async create(path: string, target = path): Promise<FileOutput> {
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory() === true) throw new OutputError(path, 'is a directory', 'give a file name to --output');
    const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      const handle = await open(temp, 'wx');
      return new FileOutput(handle.createWriteStream(), target, temp);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new OutputError(path, `cannot create: ${code}`, 'check that the directory exists and is writable');
    }
  }

  override async close(): Promise<void> {
    if (!this.stream.destroyed) {
      await new Promise<void>((resolve) => {
        // 'close' comes after 'finish' and after the file descriptor is closed, and also after an error.
        this.stream.once('close', resolve);
        this.stream.end();
      });
    }
    this.check();
    try {
      await rename(this.temp, this.path);
      this.forgetSignals();
    } catch (error) {
      await this.abort();
      throw this.writeError(error as Error);
    }
  }

  override async abort(): Promise<void> {
    if (!this.stream.destroyed) {
      await new Promise<void>((resolve) => {
        this.stream.once('close', resolve);
        this.stream.destroy();
      });
    }
    await unlink(this.temp).catch(() => undefined);
    this.forgetSignals();
  }
}

/** A device, FIFO or socket named as the output: written in place, nothing to rename or remove. */
class InPlaceOutput extends Output {
  static async open(path: string): Promise<InPlaceOutput> {
    try {
      const handle = await open(path, 'w');
      return new InPlaceOutput(handle.createWriteStream(), path, false);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new OutputError(path, `cannot open for writing: ${code}`);
    }
  }

  override async close(): Promise<void> {
    await super.close();
    await new Promise<void>((resolve) => {
      if (this.stream.destroyed) return resolve();
      this.stream.once('close', resolve);
      this.stream.end();
    });
  }

  override async abort(): Promise<void> {
    if (!this.stream.destroyed) this.stream.destroy();
  }
}

/** `--output FILE` or stdout. */
export async function openOutput(path: string | undefined, stdout: Writable & { isTTY?: boolean }): Promise<Output> {
  return path === undefined || path === '-' ? Output.stdout(stdout) : Output.file(path);
}

/**
 * Writes a whole text to `path` (atomically) or stdout (`undefined` or `-`), then sets the file's
 * mode if one is given. A reader that closed the pipe early is no error.
 */
export async function writeText(path: string | undefined, text: string, stdout: Writable & { isTTY?: boolean }, mode?: number): Promise<void> {
  const out = await openOutput(path, stdout);
  try {
    out.write(text);
    await out.close();
  } catch (error) {
    await out.abort();
    if (error instanceof ReaderGone || out.readerGone) return;
    throw error;
  }
  // The mode is a regular file's (an executable script): a device written in place keeps its own.
  if (mode !== undefined && out instanceof FileOutput) await chmod(out.file!, mode);
}

/** Whether text for `path` (undefined or `-`: stdout) goes to a terminal: colours then. */
export function isTTY(path: string | undefined, ctx: { readonly stdout: { isTTY?: boolean } }): boolean {
  return (path === undefined || path === '-') && ctx.stdout.isTTY === true;
}

/**
 * Writes a JSON result to `path` (atomically) or stdout (`undefined` or `-`). `--json` takes an
 * optional FILE, so `replay --json a.log b.log` would make a.log the output: a file that exists
 * and is not JSON is never overwritten.
 */
export async function writeJson(path: string | undefined, value: unknown, stdout: Writable & { isTTY?: boolean }): Promise<void> {
  await checkJsonTarget(path);
  await writeText(path, `${JSON.stringify(value, null, 2)}\n`, stdout);
}

/** Throws when `path` is a file writeJson would refuse: a long command checks before it starts. */
export async function checkJsonTarget(path: string | undefined): Promise<void> {
  if (path === undefined || path === '-') return;
  // Only a regular file can be an input given by mistake (reading a FIFO would wait for a writer).
  if ((await stat(path).catch(() => undefined))?.isFile() !== true) return;
  const head = await firstBytes(path, 4096).then((bytes) => bytes.toString('latin1').trimStart()).catch(() => undefined);
  if (head === undefined || head === '' || head.startsWith('{') || head.startsWith('[')) return;
  throw new OutputError(path, 'exists and is not JSON: not overwritten with the JSON result',
    'did --json take an input file as its FILE? write --json=FILE, --json - for stdout, or put --json after the other arguments');
}

async function firstBytes(path: string, count: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(count), 0, count, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
