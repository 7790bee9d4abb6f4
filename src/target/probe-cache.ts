// What probing a QEMU binary found (version, device models, qtest accelerator), kept on disk so
// that a run does not start QEMU up to three extra times before the real one. Measured with QEMU
// 10.0.2 on a busy 2-core machine: `--version` and `-device help` (run in parallel) about 0.23 s,
// the accelerator probe about 0.1 s, against about 0.15-0.2 s for the real start.
//
// An entry is keyed by the binary's real path, size, mtime and inode, so replacing the binary
// (an upgrade, a rebuild) makes a new entry. Scripts (`#!`) are never cached: a wrapper given as
// the binary (valgrind, rr, a logging shim) runs a QEMU whose changes its own file does not show.
// Callers re-probe before failing on a cached answer, so a stale entry never causes an error by
// itself; see findQemu().
//
// Files are written to a temporary name and renamed, so concurrent runs never read half an entry;
// an unreadable or malformed entry is a miss.

import { createHash } from 'node:crypto';
import { mkdir, open, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** Bumped when the meaning of an entry changes; entries of another format are misses. */
const FORMAT = 1;

/** Each part is absent until its probe has run once for this binary. */
export interface ProbeRecord {
  readonly info?: {
    readonly version: { readonly major: number; readonly minor: number; readonly micro: number; readonly text: string };
    readonly devices: readonly string[];
  };
  readonly qtestAccel?: boolean;
}

/**
 * The igb-replay cache directory, as the scripts compute it: $IGB_REPLAY_CACHE, else
 * $XDG_CACHE_HOME/igb-replay (ignored when relative, as the XDG spec says), else ~/.cache/igb-replay.
 */
export function cacheDirectory(env: Readonly<Record<string, string | undefined>>): string {
  const own = env.IGB_REPLAY_CACHE;
  if (own !== undefined && own !== '') return own;
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(env.HOME ?? homedir(), '.cache');
  return join(base, 'igb-replay');
}

/** Where the entry for `binary` lives, or undefined when the binary must not be cached. */
export async function probeEntryPath(cacheDir: string, binary: string): Promise<string | undefined> {
  const real = await realpath(binary);
  if (await isScript(real)) return undefined;
  const info = await stat(real);
  const key = [FORMAT, real, info.size, info.mtimeMs, info.ino].join('\0');
  return join(cacheDir, 'qemu-probes', `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
}

async function isScript(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head.toString('latin1') === '#!';
  } finally {
    await handle.close();
  }
}

export async function readProbeRecord(entry: string): Promise<ProbeRecord | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(entry, 'utf8'));
    return isProbeFile(parsed) ? parsed.record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Adds what a probe found to the entry. Best effort: a cache that cannot be written (read-only
 * home, full disk) only costs speed, and a part lost to a concurrent writer is probed again later.
 */
export async function updateProbeRecord(entry: string, found: ProbeRecord): Promise<void> {
  const record = { ...await readProbeRecord(entry), ...found };
  const temporary = `${entry}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await mkdir(join(entry, '..'), { recursive: true });
    await writeFile(temporary, `${JSON.stringify({ format: FORMAT, record })}\n`);
    await rename(temporary, entry);
  } catch {
    await rm(temporary, { force: true }).catch(() => undefined);
  }
}

export async function removeProbeRecord(entry: string): Promise<void> {
  await rm(entry, { force: true }).catch(() => undefined);
}

function isProbeFile(value: unknown): value is { format: number; record: ProbeRecord } {
  if (typeof value !== 'object' || value === null) return false;
  const { format, record } = value as { format?: unknown; record?: unknown };
  if (format !== FORMAT || typeof record !== 'object' || record === null) return false;
  const { info, qtestAccel } = record as { info?: unknown; qtestAccel?: unknown };
  return (info === undefined || isInfo(info)) && (qtestAccel === undefined || typeof qtestAccel === 'boolean');
}

function isInfo(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { version, devices } = value as { version?: unknown; devices?: unknown };
  if (typeof version !== 'object' || version === null) return false;
  const { major, minor, micro, text } = version as Record<string, unknown>;
  return [major, minor, micro].every(Number.isInteger) && typeof text === 'string'
    && Array.isArray(devices) && devices.every((device) => typeof device === 'string');
}
