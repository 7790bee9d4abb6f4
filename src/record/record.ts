// One recording end to end: check QEMU, get the guest, boot it under QEMU with every trace event
// replay needs, check that the guest finished its scenario and the driver touched the device,
// then put the trace, its sidecar and the guest console in place together.

import { createReadStream, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { findQemu, type QemuInfo } from '../target/qemu-binary.js';
import { deviceRow } from '../devices/table.js';
import { makePrivateTempDir } from '../target/qemu-instance.js';
import { registerForReaping } from '../target/reaper.js';
import { describeExit } from '../target/errors.js';
import { buildSidecar, type FileFacts } from './build-sidecar.js';
import { commitFiles } from './commit-files.js';
import { checkConsole, consoleTail, cleanConsole } from './console-check.js';
import { RecordError, RecordInputError } from './errors.js';
import { PROJECT_SCENARIOS, projectGuest, userGuest, type Guest } from './guest.js';
import { buildRecordArgs, defaultAppend, WORK_FILES, type RecordDevice } from './qemu-command.js';
import { runGuest, type GuestRun } from './run-guest.js';
import { serializeSidecar, sidecarPathFor, type Sidecar } from '../trace/sidecar.js';

export interface RecordOptions {
  /** Where the trace goes; the sidecar and console go beside it. */
  readonly output: string;
  readonly scenario: string;
  readonly device: RecordDevice;
  readonly qemu?: string;
  /** The user's guest; both or neither. */
  readonly kernel?: string;
  readonly initrd?: string;
  /** Kernel command line; default: the project guest's, with igbrec=SCENARIO. */
  readonly append?: string;
  readonly kernelPackage: string;
  readonly timeoutS: number;
  /** The command that made the recording, for the sidecar. */
  readonly recordedBy: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly keepTemp?: boolean;
  readonly onLog?: (line: string) => void;
  readonly onProgress?: (lines: number, elapsedMs: number) => void;
}

export interface RecordResult {
  readonly trace: string;
  readonly sidecarPath: string;
  readonly consolePath: string;
  readonly sidecar: Sidecar;
  readonly coreReads: number;
  readonly durationMs: number;
}

/** `x.log` → `x.console.log`: the guest's serial console beside the trace. */
export function consolePathFor(tracePath: string): string {
  return sidecarPathFor(tracePath).replace(/\.json$/, '.console.log');
}

/** sha256, newline count and size of a file, in one pass. */
async function fileFacts(path: string): Promise<FileFacts> {
  const hash = createHash('sha256');
  let lines = 0;
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    bytes += buffer.length;
    for (let i = buffer.indexOf(0x0a); i >= 0; i = buffer.indexOf(0x0a, i + 1)) lines++;
  }
  return { sha256: hash.digest('hex'), lines, bytes };
}

async function hostOs(): Promise<string | undefined> {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(await readFile('/etc/os-release', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

function checkOptions(options: RecordOptions): void {
  if ((options.kernel === undefined) !== (options.initrd === undefined)) {
    throw new RecordInputError('--kernel and --initrd go together', 'give both for your own guest, or neither for the project\'s guest');
  }
  if (options.kernel === undefined && !PROJECT_SCENARIOS.includes(options.scenario)) {
    throw new RecordInputError(`the project's guest has no scenario ${JSON.stringify(options.scenario)}`, `use one of ${PROJECT_SCENARIOS.join(', ')}`);
  }
  if (!/^[a-z0-9-]+$/.test(options.scenario)) {
    throw new RecordInputError(`scenario ${JSON.stringify(options.scenario)} is not a lowercase name`, 'scenario names are [a-z0-9-]+ (they go on the kernel command line as igbrec=NAME)');
  }
  if (sidecarPathFor(options.output) === options.output || consolePathFor(options.output) === options.output) {
    throw new RecordInputError(`${options.output} would be overwritten by its own sidecar or console`, 'name the trace X.log');
  }
}

export async function recordTrace(options: RecordOptions): Promise<RecordResult> {
  checkOptions(options);
  const qemu = await findQemu({ explicit: options.qemu, env: options.env, device: options.device.model });
  const guest = options.kernel !== undefined && options.initrd !== undefined
    ? await userGuest(options.kernel, options.initrd)
    : await projectGuest({ kernelPackage: options.kernelPackage, driver: deviceRow(options.device.model).linuxDriver, env: options.env, onLog: options.onLog });
  const work = await makePrivateTempDir();
  const remove = (): void => { if (options.keepTemp !== true) rmSync(work, { recursive: true, force: true }); };
  const registration = registerForReaping({ shutdown: async () => remove(), shutdownSync: remove });
  try {
    await symlink(guest.kernel, join(work, WORK_FILES.kernel));
    await symlink(guest.initrd, join(work, WORK_FILES.initrd));
    return await recordIn(work, qemu, guest, options);
  } finally {
    registration.dispose();
    if (options.keepTemp === true) options.onLog?.(`work directory kept: ${work}`);
    else await rm(work, { recursive: true, force: true });
  }
}

async function recordIn(work: string, qemu: QemuInfo, guest: Guest, options: RecordOptions): Promise<RecordResult> {
  const append = options.append ?? defaultAppend(options.scenario);
  const args = buildRecordArgs({ device: options.device, append });
  const run = await runGuest({
    binary: qemu.path, args, cwd: work, traceFile: WORK_FILES.trace, timeoutMs: options.timeoutS * 1000, onProgress: options.onProgress,
  });
  const tracePath = join(work, WORK_FILES.trace);
  const consolePath = consolePathFor(options.output);
  const failure = failureOf(run, guest, options);
  const coreReads = failure === undefined ? await countCoreReads(tracePath) : 0;
  const problem = failure ?? (coreReads === 0 ? { kind: 'no-accesses' as const, reason: 'the trace has no e1000e_core_read line: the driver never read a register of the NIC' } : undefined);
  if (problem !== undefined) {
    // A QEMU killed by a signal (not by our timeout) means we are being interrupted: the reaper
    // is about to end this process, so write nothing that could be cut off halfway.
    const interrupted = run.exit.signal !== null && !run.timedOut;
    if (!interrupted) await commitFiles([{ path: consolePath, content: { text: cleanConsole(run.console) } }]);
    throw new RecordError(problem.kind,
      `recording failed: ${problem.reason}\nguest console (last lines${interrupted ? '' : `; all of it in ${consolePath}`}):\n${consoleTail(run.console)}`
      + (run.stderrTail === '' ? '' : `\nQEMU stderr:\n${run.stderrTail}`),
      problem.kind === 'timeout' ? 'the guest may just be slow under TCG: raise --timeout' : undefined);
  }
  const [trace, vmlinuzSha256, initrdSha256, host] = await Promise.all([
    fileFacts(tracePath), fileFacts(guest.kernel).then((f) => f.sha256), fileFacts(guest.initrd).then((f) => f.sha256), hostOs(),
  ]);
  const sidecar = buildSidecar({
    tracePath: options.output, trace, scenario: options.scenario, recordedAt: new Date(), recordedBy: options.recordedBy,
    hostOs: host, qemuBinary: qemu.path, qemuVersion: qemu.version.text, qemuArgs: args, timeoutS: options.timeoutS,
    device: options.device, append, guest, vmlinuzSha256, initrdSha256,
    consoleMarkers: checkConsole(run.console, { projectGuest: false, scenario: options.scenario }).markers,
  });
  const sidecarPath = sidecarPathFor(options.output);
  await commitFiles([
    { path: options.output, content: { copyFrom: tracePath } },
    { path: consolePath, content: { text: cleanConsole(run.console) } },
    { path: sidecarPath, content: { text: serializeSidecar(sidecar) } },
  ]);
  return { trace: options.output, sidecarPath, consolePath, sidecar, coreReads, durationMs: run.durationMs };
}

type Problem = { readonly kind: 'timeout' | 'qemu-exit' | 'guest-failed' | 'no-accesses'; readonly reason: string };

function failureOf(run: GuestRun, guest: Guest, options: RecordOptions): Problem | undefined {
  if (run.timedOut) return { kind: 'timeout', reason: `the guest did not power off within ${options.timeoutS} s` };
  // The guest ends by powering off (also after a FAIL or a panic, with -no-reboot): QEMU exits 0.
  // Anything else is QEMU's own failure, e.g. a device property it rejects.
  if (run.exit.code !== 0) return { kind: 'qemu-exit', reason: `QEMU ${describeExit(run.exit)}` };
  const verdict = checkConsole(run.console, {
    projectGuest: guest.project, scenario: options.scenario, kernelRelease: guest.info?.kernel_release,
  });
  return verdict.ok ? undefined : { kind: 'guest-failed', reason: verdict.reason };
}

async function countCoreReads(path: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(path, 'latin1');
  } catch {
    return 0; // no trace file at all: QEMU logged nothing
  }
  return text.match(/(?:^|:)e1000e_core_read /gm)?.length ?? 0;
}
