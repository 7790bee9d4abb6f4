// Finding and checking the QEMU binary before any session starts, so the user gets one clear
// TargetError with a hint ("install X / pass --qemu") instead of a cryptic launch failure.
//
// Order of lookup: an explicit path (--qemu), then $QTEST_QEMU_BINARY (QEMU's own qtest
// convention), then qemu-system-x86_64 on PATH. Probes run without a shell and are cached per
// binary (path + mtime + size), so a session pays for them once.

import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve as resolvePath } from 'node:path';
import { promisify } from 'node:util';
import { INSTALL_QEMU_HINT, TargetError } from './errors.js';
import { probeQtestAccel } from './qtest-accel-probe.js';

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
      : [DEFAULT_QEMU_NAME, 'PATH'];
  const hasDirectory = wanted.includes('/');
  const found = hasDirectory
    ? (await isExecutable(wanted) ? resolvePath(wanted) : undefined)
    : await searchPath(wanted, env.PATH);
  if (found !== undefined) return isAbsolute(found) ? found : resolvePath(found);
  const what = hasDirectory ? `${wanted} (from ${source}) is not an executable file` : `no ${wanted} on PATH (from ${source})`;
  throw new TargetError(source === 'PATH' ? 'qemu-not-found' : 'qemu-not-executable', `QEMU not found: ${what}`, INSTALL_QEMU_HINT);
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

async function probeUncached(path: string): Promise<QemuInfo> {
  const [versionText, deviceText] = await Promise.all([run(path, ['--version']), run(path, ['-device', 'help'])]);
  const version = parseQemuVersion(versionText);
  if (version === undefined) {
    throw new TargetError('qemu-probe-failed', `${path} --version printed no QEMU version: ${versionText.slice(0, 200)}`, INSTALL_QEMU_HINT);
  }
  return { path, version, devices: parseDeviceList(deviceText) };
}

const infoCache = new Map<string, Promise<QemuInfo>>();
const accelCache = new Map<string, Promise<boolean>>();

/** Cache key that changes when the binary is replaced (e.g. a QEMU upgrade during a long session). */
async function cacheKey(path: string): Promise<string> {
  const real = await realpath(path);
  const info = await stat(real);
  return `${real}\0${info.mtimeMs}\0${info.size}`;
}

function cached<T>(cache: Map<string, Promise<T>>, key: string, compute: () => Promise<T>): Promise<T> {
  let entry = cache.get(key);
  if (entry === undefined) {
    entry = compute();
    cache.set(key, entry);
    // Do not cache failures: the user may fix the install and retry in the same process.
    entry.catch(() => cache.delete(key));
  }
  return entry;
}

/** Version and device list of a binary (cached). */
export async function probeQemu(path: string): Promise<QemuInfo> {
  return cached(infoCache, await cacheKey(path), () => probeUncached(path));
}

/**
 * Whether the binary has the qtest accelerator (cached). `-accel help` cannot tell: QEMU omits
 * qtest from that list on purpose, and distributions (Debian) delete the loadable module. So this
 * starts `-M none -accel qtest -qtest stdio` and sends `clock_step 1`.
 */
export async function hasQtestAccel(path: string): Promise<boolean> {
  return cached(accelCache, await cacheKey(path), () => probeQtestAccel(path, PROBE_TIMEOUT_MS));
}

export function clearQemuProbeCache(): void {
  infoCache.clear();
  accelCache.clear();
}

/** Finds the binary and checks version, device and (optionally) the qtest accelerator. */
export async function findQemu(options: FindQemuOptions = {}): Promise<QemuInfo> {
  const path = await resolveQemuBinary(options);
  const info = await probeQemu(path);
  if (compareVersions(info.version, MIN_QEMU_VERSION) < 0) {
    throw new TargetError('qemu-too-old',
      `QEMU ${info.version.major}.${info.version.minor}.${info.version.micro} at ${path} is too old: the igb device needs QEMU >= 8.0`,
      INSTALL_QEMU_HINT);
  }
  if (options.device !== undefined && !info.devices.has(options.device)) {
    throw new TargetError('device-missing',
      `QEMU at ${path} has no "${options.device}" device (\`-device help\` lists ${info.devices.size} models)`,
      INSTALL_QEMU_HINT);
  }
  if (options.requireQtestAccel === true && !(await hasQtestAccel(path))) {
    throw new TargetError('qtest-accel-missing',
      `QEMU at ${path} has no qtest accelerator, so clock_step/clock_set are unavailable`,
      'build QEMU from source (e.g. configure --target-list=x86_64-softmmu) or install the accel module '
      + '(Fedora qemu-tests, openSUSE qemu-accel-qtest), or replay without virtual-time stepping');
  }
  return info;
}
