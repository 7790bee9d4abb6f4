// The guest a recording boots: the user's own kernel and initrd, or the project's minimal guest
// (a Debian kernel package + busybox, built by scripts/build-guest.sh) kept in the user's cache,
// `$XDG_CACHE_HOME/igb-replay/guest-<kernel package>-<driver>` (else ~/.cache/…). The script
// is idempotent and cheap when the guest is current, so it runs on every recording and decides
// itself whether anything needs rebuilding (changed scripts/guest files, a damaged image).

import { spawn } from 'node:child_process';
import { registerForReaping } from '../target/reaper.js';
import { constants as fsConstants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RecordError, RecordInputError } from './errors.js';


/** guest.json as build-guest.sh writes it (the fields a recording uses). */
export interface GuestInfo {
  readonly driver?: string;
  readonly modules?: readonly string[];
  /** Modules the guest loads only in some scenarios (8021q, igbvf), each after its dependencies. */
  readonly extra_modules?: readonly string[];
  readonly kernel_package?: string;
  readonly kernel_version?: string;
  readonly kernel_release?: string;
  readonly kernel_deb?: string;
  readonly kernel_deb_sha256?: string;
  readonly kernel_image?: string;
  /** A split kernel package's parts (linux-binary-, linux-modules-, linux-base-REL), each `package=version`, its .deb and sha256. */
  readonly kernel_parts?: readonly { readonly package: string; readonly deb: string; readonly sha256: string }[];
  readonly busybox_package?: string;
  readonly busybox_version?: string;
  readonly ethtool_debs?: readonly string[];
}

export interface Guest {
  readonly kernel: string;
  readonly initrd: string;
  /** The project's guest, which reports on its console with IGBREC: lines. */
  readonly project: boolean;
  readonly info?: GuestInfo;
  /** scripts/guest/init and udhcpc.script as built into the initrd (project guest only). */
  readonly initScript?: string;
  readonly udhcpcScript?: string;
}

/** The directory holding scripts/build-guest.sh: the repository this module runs from. */
export async function findRepoRoot(from = fileURLToPath(new URL('.', import.meta.url))): Promise<string | undefined> {
  // src/record under Jest, dist/src/record when built: two or three levels up.
  for (const up of ['..', '../..', '../../..']) {
    const root = resolve(from, up);
    try {
      await access(join(root, 'scripts', 'build-guest.sh'), fsConstants.X_OK);
      return root;
    } catch {
      // Not at this level.
    }
  }
  return undefined;
}

export function guestCacheDir(env: Readonly<Record<string, string | undefined>>, kernelPackage: string, driver: string): string {
  // The XDG spec says to ignore a relative XDG_CACHE_HOME.
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(env.HOME ?? homedir(), '.cache');
  return join(base, 'igb-replay', `guest-${kernelPackage}-${driver}`);
}

async function readable(path: string, what: string, option: string): Promise<void> {
  try {
    await access(path, fsConstants.R_OK);
  } catch {
    throw new RecordInputError(`${what} ${path} does not exist or is not readable`, `check the path given with ${option}`);
  }
}

export async function userGuest(kernel: string, initrd: string): Promise<Guest> {
  await readable(kernel, 'kernel', '--kernel');
  await readable(initrd, 'initrd', '--initrd');
  return { kernel: resolve(kernel), initrd: resolve(initrd), project: false };
}

export interface ProjectGuestOptions {
  readonly kernelPackage: string;
  readonly driver: string;
  /** Debian architecture of the guest (build-guest.sh --arch); default amd64. */
  readonly debianArch?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** build-guest.sh's log lines (stderr), as they come. */
  readonly onLog?: (line: string) => void;
}

/** Builds (or finds up to date) the project's guest in the cache and describes it. */
export async function projectGuest(options: ProjectGuestOptions): Promise<Guest> {
  const root = await findRepoRoot();
  if (root === undefined) {
    throw new RecordInputError('scripts/build-guest.sh is not available in this installation of igb-replay',
      'run igb-replay from a clone of its repository, or bring your own guest: --kernel FILE --initrd FILE');
  }
  const dir = guestCacheDir(options.env, options.kernelPackage, options.driver);
  await runBuildGuest(join(root, 'scripts', 'build-guest.sh'), ['-k', options.kernelPackage, '--driver', options.driver, '--arch', options.debianArch ?? 'amd64', '-o', dir], options);
  const info = JSON.parse(await readFile(join(dir, 'guest.json'), 'utf8')) as GuestInfo;
  const [initScript, udhcpcScript] = await Promise.all([
    readFile(join(root, 'scripts', 'guest', 'init'), 'utf8'),
    readFile(join(root, 'scripts', 'guest', 'udhcpc.script'), 'utf8'),
  ]);
  return { kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.gz'), project: true, info, initScript, udhcpcScript };
}

function runBuildGuest(script: string, args: readonly string[], options: ProjectGuestOptions): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(script, [...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...options.env } as NodeJS.ProcessEnv, shell: false });
    // Ended with us on a signal or exit, like QEMU: the script removes its work dir on SIGTERM, and
    // writes guest.json last, so an interrupted build leaves no half-built guest behind.
    const reaping = registerForReaping({
      shutdown: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await new Promise<void>((done) => (child.exitCode !== null || child.signalCode !== null ? done() : child.once('close', () => done())));
      },
      shutdownSync: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    });
    child.once('close', () => reaping.dispose());
    let stderr = '';
    let partial = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-16_384);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLog?.(line);
    });
    child.on('error', (error) => reject(new RecordError('guest-build', `could not run ${script}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (partial !== '') options.onLog?.(partial);
      if (code === 0) return resolvePromise();
      const tail = stderr.trim().split('\n').slice(-10).join('\n');
      reject(new RecordError('guest-build', `building the guest failed (${signal ?? `exit ${code ?? '?'}`}):\n${tail}`,
        'build-guest.sh needs a Debian-like host with apt; or bring your own guest: --kernel FILE --initrd FILE'));
    });
  });
}
