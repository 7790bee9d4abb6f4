// Finding and checking the QEMU binary before any session starts, so the user gets one clear
// TargetError with a hint ("install X / pass --qemu") instead of a cryptic launch failure.
//
// Order of lookup: an explicit path (--qemu), then $QTEST_QEMU_BINARY (QEMU's own qtest
// convention), then qemu-system-x86_64 on PATH. Probes run without a shell and are cached per
// binary (path + mtime + size) in memory and, between runs, on disk (probe-cache.ts). A cached
// answer that would make a check fail is probed afresh first, so a stale cache never fails a run.

import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve as resolvePath } from 'node:path';
import { promisify } from 'node:util';
import { INSTALL_QEMU_HINT, TargetError } from './errors.js';
import { probeQtestAccel } from './qtest-accel-probe.js';
import {
  cacheDirectory, probeEntryPath, readProbeRecord, removeProbeRecord, updateProbeRecord, type ProbeRecord,
} from './probe-cache.js';

const execFileAsync = promisify(execFile);

export const DEFAULT_QEMU_NAME = 'qemu-system-x86_64';
export const QEMU_BINARY_ENV = 'QTEST_QEMU_BINARY';
/** igb appeared in QEMU 8.0. */
export const MIN_QEMU_VERSION: QemuVersion = { major: 8, minor: 0, micro: 0, text: '8.0.0' };
const PROBE_TIMEOUT_MS = 15_000;

export interface QemuVersion {
  readonly major: number;
  readonly minor: number;
  readonly micro: number;
  /** The first line of `--version`, e.g. "QEMU emulator version 10.0.2 (Debian ...)". */
  readonly text: string;
}

export interface QemuInfo {
  /** Absolute path of the binary. */
  readonly path: string;
  readonly version: QemuVersion;
  /** Device model names from `-device help`. */
  readonly devices: ReadonlySet<string>;
}

export interface FindQemuOptions {
  /** An explicit binary (path, or a name looked up on PATH), e.g. from --qemu. */
  readonly explicit?: string;
  /** Environment for QTEST_QEMU_BINARY and PATH; defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The device model the session needs (e.g. 'igb'); checked against `-device help`. */
  readonly device?: string;
  /** Fail unless the binary has the qtest accelerator (clock_step / clock_set). */
  readonly requireQtestAccel?: boolean;
  /** The binary looked up on PATH when neither explicit nor the environment names one (default qemu-system-x86_64). */
  readonly defaultName?: string;
  /** The hint of a binary not found (default: how to install QEMU for x86). */
  readonly installHint?: string;
  /** Directory of the on-disk probe cache, or false for none; default: the igb-replay cache directory. */
  readonly probeCache?: string | false;
}

/** Where probe results are kept between runs: a directory, or false for this process only. */
export type ProbeCache = string | false;

export function defaultProbeCache(env: Readonly<Record<string, string | undefined>> = process.env): ProbeCache {
  return cacheDirectory(env);
}

export function parseQemuVersion(output: string): QemuVersion | undefined {
  const firstLine = output.split('\n', 1)[0] ?? '';
  const match = /version (\d+)\.(\d+)\.(\d+)/.exec(firstLine);
  if (match === null) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), micro: Number(match[3]), text: firstLine.trim() };
}

/** Device names from `-device help` lines such as `name "igb", bus PCI, desc "..."`. */
export function parseDeviceList(output: string): Set<string> {
  return new Set(Array.from(output.matchAll(/^name "([^"]+)"/gm), (match) => match[1] as string));
}

export function compareVersions(a: QemuVersion, b: QemuVersion): number {
  return a.major - b.major || a.minor - b.minor || a.micro - b.micro;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function searchPath(name: string, pathVariable: string | undefined): Promise<string | undefined> {
  for (const dir of (pathVariable ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Resolves the binary to an absolute path, or throws TargetError saying where it looked. */
export async function resolveQemuBinary(options: FindQemuOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const fromEnv = env[QEMU_BINARY_ENV];
  const [wanted, source] = options.explicit !== undefined ? [options.explicit, 'the --qemu option']
    : fromEnv !== undefined && fromEnv !== '' ? [fromEnv, `$${QEMU_BINARY_ENV}`]
      : [options.defaultName ?? DEFAULT_QEMU_NAME, 'PATH'];
  const hasDirectory = wanted.includes('/');
  const found = hasDirectory
    ? (await isExecutable(wanted) ? resolvePath(wanted) : undefined)
    : await searchPath(wanted, env.PATH);
  if (found !== undefined) return isAbsolute(found) ? found : resolvePath(found);
  const what = hasDirectory ? `${wanted} (from ${source}) is not an executable file` : `no ${wanted} on PATH (from ${source})`;
  throw new TargetError(source === 'PATH' ? 'qemu-not-found' : 'qemu-not-executable', `QEMU not found: ${what}`, options.installHint ?? INSTALL_QEMU_HINT);
}

async function run(path: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(path, [...args], { timeout: PROBE_TIMEOUT_MS, maxBuffer: 16 << 20 });
    return stdout;
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n').slice(0, 4).join(' ') : String(error);
    throw new TargetError('qemu-probe-failed', `${path} ${args.join(' ')} failed: ${detail}`, INSTALL_QEMU_HINT, { cause: error });
  }
}

async function probeInfoUncached(path: string): Promise<QemuInfo> {
  const [versionText, deviceText] = await Promise.all([run(path, ['--version']), run(path, ['-device', 'help'])]);
  const version = parseQemuVersion(versionText);
  if (version === undefined) {
    throw new TargetError('qemu-probe-failed', `${path} --version printed no QEMU version: ${versionText.slice(0, 200)}`, INSTALL_QEMU_HINT);
  }
  return { path, version, devices: parseDeviceList(deviceText) };
}

/** A cached answer, and whether it came from the disk cache rather than a probe by this process. */
interface Probed<T> {
  readonly value: T;
  readonly fromDisk: boolean;
}

/** One kind of probe: how it runs, and how its answer is kept on disk. */
interface ProbeKind<T> {
  readonly memory: Map<string, Promise<Probed<T>>>;
  readonly run: (path: string) => Promise<T>;
  readonly fromRecord: (record: ProbeRecord, path: string) => T | undefined;
  readonly toRecord: (value: T) => ProbeRecord;
}

const INFO: ProbeKind<QemuInfo> = {
  memory: new Map(),
  run: probeInfoUncached,
  fromRecord: ({ info }, path) => info === undefined ? undefined : { path, version: info.version, devices: new Set(info.devices) },
  toRecord: (info) => ({ info: { version: info.version, devices: [...info.devices] } }),
};

const ACCEL: ProbeKind<boolean> = {
  memory: new Map(),
  run: (path) => probeQtestAccel(path, PROBE_TIMEOUT_MS),
  fromRecord: ({ qtestAccel }) => qtestAccel,
  toRecord: (qtestAccel) => ({ qtestAccel }),
};

/** Memory cache key: changes when the binary is replaced (e.g. a QEMU upgrade during a long session). */
async function cacheKey(path: string, cache: ProbeCache): Promise<string> {
  const real = await realpath(path);
  const info = await stat(real);
  return `${real}\0${info.mtimeMs}\0${info.size}\0${cache === false ? '' : cache}`;
}

/** The answer from memory, else from disk, else from running the probe; `fresh` skips both caches. */
async function lookup<T>(kind: ProbeKind<T>, path: string, cache: ProbeCache, fresh: boolean): Promise<Probed<T>> {
  const key = await cacheKey(path, cache);
  let answer = fresh ? undefined : kind.memory.get(key);
  if (answer === undefined) {
    answer = (async () => {
      const file = cache === false ? undefined : await probeEntryPath(cache, path);
      const record = file === undefined || fresh ? undefined : await readProbeRecord(file);
      const stored = record === undefined ? undefined : kind.fromRecord(record, path);
      if (stored !== undefined) return { value: stored, fromDisk: true };
      const value = await kind.run(path);
      if (file !== undefined) await updateProbeRecord(file, kind.toRecord(value));
      return { value, fromDisk: false };
    })();
    kind.memory.set(key, answer);
    // Do not cache failures: the user may fix the install and retry in the same process.
    answer.catch(() => kind.memory.delete(key));
  }
  return answer;
}

/** Version and device list of a binary (cached; `fresh` probes again and updates the caches). */
export async function probeQemu(path: string, cache: ProbeCache = defaultProbeCache(), fresh = false): Promise<QemuInfo> {
  return (await lookup(INFO, path, cache, fresh)).value;
}

/**
 * Whether the binary has the qtest accelerator (cached). `-accel help` cannot tell: QEMU omits
 * qtest from that list on purpose, and distributions (Debian) delete the loadable module. So this
 * starts `-M none -accel qtest -qtest stdio` and sends `clock_step 1`.
 */
export async function hasQtestAccel(path: string, cache: ProbeCache = defaultProbeCache(), fresh = false): Promise<boolean> {
  return (await lookup(ACCEL, path, cache, fresh)).value;
}

/** Forgets what was learnt about a binary (memory and disk), e.g. after it failed to start. */
export async function forgetQemuProbe(path: string, cache: ProbeCache = defaultProbeCache()): Promise<void> {
  try {
    const key = await cacheKey(path, cache);
    INFO.memory.delete(key);
    ACCEL.memory.delete(key);
    const file = cache === false ? undefined : await probeEntryPath(cache, path);
    if (file !== undefined) await removeProbeRecord(file);
  } catch {
    // The binary is gone or unreadable: there is nothing left to confuse it with.
  }
}

/** Empties the in-memory caches (the disk cache stays). */
export function clearQemuProbeCache(): void {
  INFO.memory.clear();
  ACCEL.memory.clear();
}

/** Finds the binary and checks version, device and (optionally) the qtest accelerator. */
export async function findQemu(options: FindQemuOptions = {}): Promise<QemuInfo> {
  const path = await resolveQemuBinary(options);
  const cache = options.probeCache ?? defaultProbeCache(options.env ?? process.env);
  let info = await lookup(INFO, path, cache, false);
  if (info.fromDisk && infoProblem(info.value, options) !== undefined) info = await lookup(INFO, path, cache, true);
  const problem = infoProblem(info.value, options);
  if (problem !== undefined) throw problem;
  if (options.requireQtestAccel === true) {
    let accel = await lookup(ACCEL, path, cache, false);
    if (accel.fromDisk && !accel.value) accel = await lookup(ACCEL, path, cache, true);
    if (!accel.value) {
      throw new TargetError('qtest-accel-missing',
        `QEMU at ${path} has no qtest accelerator, so clock_step/clock_set are unavailable`,
        'build QEMU from source (e.g. configure --target-list=x86_64-softmmu) or install the accel module '
        + '(Fedora qemu-tests, openSUSE qemu-accel-qtest), or replay without virtual-time stepping');
    }
  }
  return info.value;
}

function infoProblem(info: QemuInfo, options: FindQemuOptions): TargetError | undefined {
  if (compareVersions(info.version, MIN_QEMU_VERSION) < 0) {
    return new TargetError('qemu-too-old',
      `QEMU ${info.version.major}.${info.version.minor}.${info.version.micro} at ${info.path} is too old: the igb device needs QEMU >= 8.0`,
      INSTALL_QEMU_HINT);
  }
  if (options.device !== undefined && !info.devices.has(options.device)) {
    return new TargetError('device-missing',
      `QEMU at ${info.path} has no "${options.device}" device (\`-device help\` lists ${info.devices.size} models)`,
      INSTALL_QEMU_HINT);
  }
  return undefined;
}
