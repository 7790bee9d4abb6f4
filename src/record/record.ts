// One recording end to end: check QEMU, get the guest, boot it under QEMU with every trace event
// replay needs and a capture of every frame, serve what the scenario needs from the host meanwhile
// (a TCP/UDP sink, QMP link changes), check that the guest finished its scenario and the driver
// touched the device, then put the trace, the capture, its sidecar and the guest console in place
// together.

import { rmSync } from 'node:fs';
import { rm, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DEFAULT_QEMU_NAME, findQemu, QEMU_BINARY_ENV, type QemuInfo } from '../target/qemu-binary.js';
import { deviceRow } from '../devices/table.js';
import { makePrivateTempDir } from '../target/qemu-instance.js';
import { registerForReaping } from '../target/reaper.js';
import { describeExit } from '../target/errors.js';
import { buildSidecar } from './build-sidecar.js';
import { commitFiles } from './commit-files.js';
import { checkConsole, consoleTail, cleanConsole } from './console-check.js';
import { RecordError, RecordInputError, type RecordFailure } from './errors.js';
import { projectGuest, userGuest, type Guest } from './guest.js';
import { HostLinkDriver, hostEvents, linkChangesInTrace, type LinkRequest } from './host-link.js';
import { startHostSink, type HostSink } from './host-sink.js';
import { DEFAULT_MEMORY_MIB, DEFAULT_SMP } from './defaults.js';
import { HostFrameSender, type FrameRequest } from './host-frames.js';
import { DEFAULT_GUEST_ARCH, GUEST_ARCH_TABLE, type GuestArch } from '../devices/guest-arch.js';
import { buildRecordArgs, defaultAppend, WORK_FILES, type RecordDevice } from './qemu-command.js';
import { captureFacts, consolePathFor, countCoreReads, fileFacts, hostOs, pcapPathFor, readTrace } from './record-files.js';
import { runGuest, type GuestRun } from './run-guest.js';
import { PROJECT_SCENARIOS, scenarioSpec, type ScenarioSpec } from './scenarios.js';
import { serializeSidecar, sidecarPathFor, type Sidecar, type SidecarHostEvent, type SidecarPcap } from '../trace/sidecar.js';

export { consolePathFor, pcapPathFor } from './record-files.js';

export interface RecordOptions {
  /** Where the trace goes; the sidecar, capture and console go beside it. */
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
  /** The guest's architecture (default x86_64): machine, console, QEMU binary. */
  readonly arch?: GuestArch;
  /** vCPUs; default: what the scenario needs, else 1. */
  readonly smp?: number;
  /** Guest RAM in MiB; default 512. */
  readonly memoryMiB?: number;
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
  readonly pcapPath: string;
  readonly sidecar: Sidecar;
  readonly coreReads: number;
  readonly durationMs: number;
}

/** How long QEMU may take to connect to the recorder's QMP socket once started. */
const QMP_ACCEPT_MS = 60_000;

function checkOptions(options: RecordOptions): void {
  if ((options.kernel === undefined) !== (options.initrd === undefined)) {
    throw new RecordInputError('--kernel and --initrd go together', 'give both for your own guest, or neither for the project\'s guest');
  }
  if (options.kernel === undefined && !PROJECT_SCENARIOS.includes(options.scenario)) {
    throw new RecordInputError(`the project's guest has no scenario ${JSON.stringify(options.scenario)}`, `use one of ${PROJECT_SCENARIOS.join(', ')}`);
  }
  const models = options.kernel === undefined ? scenarioSpec(options.scenario)?.models : undefined;
  if (models !== undefined && !models.includes(options.device.model)) {
    throw new RecordInputError(`scenario ${options.scenario} needs --device ${models.join(' or ')}, not ${options.device.model}`);
  }
  if (!/^[a-z0-9-]+$/.test(options.scenario)) {
    throw new RecordInputError(`scenario ${JSON.stringify(options.scenario)} is not a lowercase name`, 'scenario names are [a-z0-9-]+ (they go on the kernel command line as igbrec=NAME)');
  }
  const companions = [sidecarPathFor(options.output), consolePathFor(options.output), pcapPathFor(options.output)];
  if (companions.includes(options.output)) {
    throw new RecordInputError(`${options.output} would be overwritten by its own sidecar, console or frame capture`, 'name the trace X.log');
  }
}

export async function recordTrace(options: RecordOptions): Promise<RecordResult> {
  checkOptions(options);
  const arch = GUEST_ARCH_TABLE[options.arch ?? DEFAULT_GUEST_ARCH];
  // $QTEST_QEMU_BINARY names the replay's x86 binary: another architecture's QEMU comes from --qemu or PATH.
  const env = arch.qemuName === DEFAULT_QEMU_NAME ? options.env : { ...options.env, [QEMU_BINARY_ENV]: undefined };
  const qemu = await findQemu({ explicit: options.qemu, env, device: options.device.model, defaultName: arch.qemuName, installHint: arch.installHint });
  const guest = options.kernel !== undefined && options.initrd !== undefined
    ? await userGuest(options.kernel, options.initrd)
    : await projectGuest({ kernelPackage: options.kernelPackage, driver: deviceRow(options.device.model).linuxDriver, debianArch: arch.debianArch, env: options.env, onLog: options.onLog });
  const work = await makePrivateTempDir();
  // Retries: a QEMU killed a moment ago may still have been creating a file in it (ENOTEMPTY).
  const remove = (): void => { if (options.keepTemp !== true) rmSync(work, { recursive: true, force: true, maxRetries: 3 }); };
  const registration = registerForReaping({ shutdown: async () => remove(), shutdownSync: remove, afterProcesses: true });
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

/** The machine of one recording: what the options say, else what the scenario needs. */
interface Machine {
  readonly spec?: ScenarioSpec;
  readonly smp: number;
  readonly memoryMiB: number;
  readonly rootPort: boolean;
  readonly arch: GuestArch;
}

function machineFor(guest: Guest, options: RecordOptions): Machine {
  const spec = guest.project ? scenarioSpec(options.scenario) : undefined;
  return {
    spec,
    smp: options.smp ?? spec?.smp ?? DEFAULT_SMP,
    memoryMiB: options.memoryMiB ?? DEFAULT_MEMORY_MIB,
    rootPort: spec?.rootPort === true,
    arch: options.arch ?? DEFAULT_GUEST_ARCH,
  };
}

/** The kernel command line; the sink's port goes on it as igbrec_port=PORT. */
function appendFor(options: RecordOptions, machine: Machine, sink: HostSink | undefined): string {
  const base = options.append ?? defaultAppend(options.scenario, machine.spec?.appendExtra, machine.arch);
  return sink === undefined ? base : `${base} igbrec_port=${sink.port}`;
}

interface HostSide {
  readonly sink?: HostSink;
  readonly link?: HostLinkDriver;
  readonly frames?: HostFrameSender;
}

/** Each host-side helper sees every console line. */
function consoleHandler(host: HostSide): ((line: string) => void) | undefined {
  const handlers = [host.link?.onConsoleLine, host.frames?.onConsoleLine].filter((h): h is (line: string) => void => h !== undefined);
  return handlers.length === 0 ? undefined : (line) => handlers.forEach((handle) => handle(line));
}

async function runWithHost(work: string, qemu: QemuInfo, machine: Machine, options: RecordOptions): Promise<{ run: GuestRun; args: string[]; append: string; host: HostSide }> {
  const host: HostSide = {
    sink: machine.spec?.hostSink === true ? await startHostSink() : undefined,
    link: machine.spec?.hostLink === true ? await HostLinkDriver.listen(join(work, WORK_FILES.qmp), QMP_ACCEPT_MS) : undefined,
    frames: machine.spec?.hostFrames === true ? await HostFrameSender.listen(join(work, WORK_FILES.hostFrames), options.device.mac) : undefined,
  };
  try {
    const append = appendFor(options, machine, host.sink);
    const args = buildRecordArgs({
      device: options.device, append, smp: machine.smp, memoryMiB: machine.memoryMiB, rootPort: machine.rootPort, qmp: host.link !== undefined, arch: machine.arch,
      hostFrames: host.frames !== undefined,
    });
    const run = await runGuest({
      binary: qemu.path, args, cwd: work, traceFile: WORK_FILES.trace, timeoutMs: options.timeoutS * 1000,
      onProgress: options.onProgress, onConsoleLine: consoleHandler(host),
    });
    return { run, args, append, host };
  } finally {
    await host.sink?.close();
    host.frames?.close();
  }
}

type Problem = { readonly kind: RecordFailure; readonly reason: string };

/** What a successful run leaves to describe in the sidecar. */
interface Evidence {
  readonly coreReads: number;
  readonly capture: SidecarPcap;
  readonly events?: SidecarHostEvent[];
}

/** Checks the run (guest, trace, capture, host link changes): the evidence, or the first problem. */
async function gatherEvidence(work: string, run: GuestRun, guest: Guest, machine: Machine, options: RecordOptions, linkRequests?: readonly LinkRequest[],
  frameRequests?: readonly FrameRequest[]): Promise<Evidence | Problem> {
  const failure = failureOf(run, guest, machine, options);
  if (failure !== undefined) return failure;
  const unserved = frameRequests === undefined ? undefined
    : frameRequests.length === 0 ? 'the guest never asked for the host\'s frames' : frameRequests.find((r) => r.error !== undefined)?.error;
  if (unserved !== undefined) return { kind: 'host-frames', reason: unserved };
  const traceText = await readTrace(join(work, WORK_FILES.trace));
  const coreReads = countCoreReads(traceText);
  if (coreReads === 0) return { kind: 'no-accesses', reason: 'the trace has no e1000e_core_read line: the driver never read a register of the NIC' };
  const capture = await captureFacts(join(work, WORK_FILES.pcap));
  if ('problem' in capture) return { kind: 'capture', reason: capture.problem };
  const events = linkRequests === undefined ? undefined : hostEvents(linkRequests, linkChangesInTrace(traceText));
  if (typeof events === 'string') return { kind: 'host-link', reason: events };
  return { coreReads, capture: { file: basename(pcapPathFor(options.output)), ...capture }, events };
}

async function recordIn(work: string, qemu: QemuInfo, guest: Guest, options: RecordOptions): Promise<RecordResult> {
  const machine = machineFor(guest, options);
  const { run, args, append, host } = await runWithHost(work, qemu, machine, options);
  const linkRequests = await host.link?.requests();
  await host.link?.close();
  const consolePath = consolePathFor(options.output);
  const evidence = await gatherEvidence(work, run, guest, machine, options, linkRequests, host.frames?.requests);
  if ('kind' in evidence) return failRecording(evidence, run, consolePath);
  const tracePath = join(work, WORK_FILES.trace);
  const [trace, vmlinuzSha256, initrdSha256, hostName] = await Promise.all([
    fileFacts(tracePath), fileFacts(guest.kernel).then((f) => f.sha256), fileFacts(guest.initrd).then((f) => f.sha256), hostOs(),
  ]);
  const sidecar = buildSidecar({
    tracePath: options.output, trace, scenario: options.scenario, recordedAt: new Date(), recordedBy: options.recordedBy,
    hostOs: hostName, qemuBinary: qemu.path, qemuVersion: qemu.version.text, qemuArgs: args, timeoutS: options.timeoutS,
    device: options.device, rootPort: machine.rootPort, memoryMiB: machine.memoryMiB, smp: machine.smp, arch: machine.arch,
    append, guest, vmlinuzSha256, initrdSha256,
    consoleMarkers: checkConsole(run.console, { projectGuest: false, scenario: options.scenario }).markers,
    pcap: evidence.capture, hostEvents: evidence.events, hostSink: host.sink?.stats(),
  });
  const sidecarPath = sidecarPathFor(options.output);
  const pcapPath = pcapPathFor(options.output);
  await commitFiles([
    { path: options.output, content: { copyFrom: tracePath } },
    { path: pcapPath, content: { copyFrom: join(work, WORK_FILES.pcap) } },
    { path: consolePath, content: { text: cleanConsole(run.console) } },
    { path: sidecarPath, content: { text: serializeSidecar(sidecar) } },
  ]);
  return { trace: options.output, sidecarPath, consolePath, pcapPath, sidecar, coreReads: evidence.coreReads, durationMs: run.durationMs };
}

/** Keeps the console for the user (unless interrupted) and throws the failure with its tail. */
async function failRecording(problem: Problem, run: GuestRun, consolePath: string): Promise<never> {
  // A QEMU killed by a signal (not by our timeout) means we are being interrupted: the reaper
  // is about to end this process, so write nothing that could be cut off halfway.
  const interrupted = run.exit.signal !== null && !run.timedOut;
  if (!interrupted) await commitFiles([{ path: consolePath, content: { text: cleanConsole(run.console) } }]);
  throw new RecordError(problem.kind,
    `recording failed: ${problem.reason}\nguest console (last lines${interrupted ? '' : `; all of it in ${consolePath}`}):\n${consoleTail(run.console)}`
    + (run.stderrTail === '' ? '' : `\nQEMU stderr:\n${run.stderrTail}`),
    problem.kind === 'timeout' ? 'the guest may just be slow under TCG: raise --timeout' : undefined);
}

function failureOf(run: GuestRun, guest: Guest, machine: Machine, options: RecordOptions): Problem | undefined {
  if (run.timedOut) return { kind: 'timeout', reason: `the guest did not power off within ${options.timeoutS} s` };
  // The guest ends by powering off (also after a FAIL or a panic, with -no-reboot): QEMU exits 0.
  // Anything else is QEMU's own failure, e.g. a device property it rejects.
  if (run.exit.code !== 0) return { kind: 'qemu-exit', reason: `QEMU ${describeExit(run.exit)}` };
  const verdict = checkConsole(run.console, {
    projectGuest: guest.project, scenario: options.scenario, kernelRelease: guest.info?.kernel_release,
    requiredMarkers: machine.spec?.requiredMarkers,
  });
  return verdict.ok ? undefined : { kind: 'guest-failed', reason: verdict.reason };
}
