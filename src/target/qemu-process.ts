// Launching QEMU as a replay target and owning it for the length of a session.
//
// launchQemu() checks the binary, creates a private temp dir (sockets, `-D` log, firmware), listens
// on the qtest (and QMP) sockets, spawns QEMU without a shell and waits until it has connected and
// answered `endianness`, racing QEMU's exit and a timeout. Any failure on the way stops QEMU,
// removes the directory and throws a TargetError that quotes QEMU's stderr.
//
// The default transport is a unix socket rather than stdio: it is what libqtest uses, leaves
// QEMU's stdout/stdin alone, and measured the same speed (reference/replay-feasibility.md).

import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManagedChild } from './managed-child.js';
import { QemuInstance, makePrivateTempDir } from './qemu-instance.js';
import { DEFAULT_MACHINE, buildQemuArgs, haltFirmwareImage, type MachineConfig, type SessionFiles } from './qemu-args.js';
import { defaultProbeCache, findQemu, forgetQemuProbe, type QemuInfo } from './qemu-binary.js';
import { QtestClient } from './qtest-client.js';
import { QmpClient } from './qmp-client.js';
import { childStdioTransport } from './transport.js';
import { UnixSocketListener } from './unix-socket.js';
import { TargetClosedError, TargetError, describeExit, type ExitInfo } from './errors.js';
import { FrameChannel } from './frame-channel.js';
import type { Duplex } from 'node:stream';
import { LogCursor, OpenLog, waitForLogLine, type LogMatch, type WaitForLogOptions } from './log-tail.js';

export interface LaunchOptions extends Partial<MachineConfig> {
  /** Explicit QEMU binary (--qemu); else $QTEST_QEMU_BINARY, else qemu-system-x86_64 on PATH. */
  readonly qemu?: string;
  /** Environment for the binary lookup; defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Boot the halt-only firmware (written into the temp dir) instead of SeaBIOS. */
  readonly haltFirmware?: boolean;
  readonly transport?: 'unix' | 'stdio';
  /** Open a QMP connection too (needed for stop/cont/quit). Default true. */
  readonly qmp?: boolean;
  /** Time for QEMU to start, connect and answer. Default 10 s. */
  readonly startTimeoutMs?: number;
  /** Per-request timeout of the qtest and QMP clients. */
  readonly requestTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL when stopping QEMU. Default 2 s. */
  readonly killGraceMs?: number;
  /** Leave the temp dir (log, sockets) in place for debugging. */
  readonly keepTempDir?: boolean;
  /** Where the temp dir is created; default os.tmpdir(). */
  readonly tempRoot?: string;
  /** Called once the QEMU process is spawned, before it is connected to (see replay/early-target.ts). */
  readonly onSpawned?: () => void;
}

const DEFAULT_START_TIMEOUT_MS = 10_000;
const DEFAULT_KILL_GRACE_MS = 2_000;
/** After a connection drops, how long to wait for QEMU's exit status before calling it a hang-up. */
const EXIT_AFTER_CLOSE_WAIT_MS = 2_000;

export class QemuSession {
  private readonly exitAbort = new AbortController();
  private closePromise: Promise<void> | undefined;
  /** The log, held open for its size and for readers of its ranges (OpenLog). */
  readonly log: OpenLog;

  /** @internal use launchQemu() */
  constructor(
    readonly binary: QemuInfo,
    /** The exact arguments QEMU was started with (for reports and reproduction). */
    readonly args: readonly string[],
    readonly logPath: string,
    private readonly instance: QemuInstance,
    readonly qtest: QtestClient,
    readonly qmp: QmpClient | undefined,
    /** The NIC's backend, with netdev 'socket': every frame it sends, and a way to send it frames. */
    readonly frames: FrameChannel | undefined,
  ) {
    this.log = new OpenLog(logPath);
    void instance.child.exited.then((exit) => this.exitAbort.abort(exitError(instance, exit)));
  }

  get pid(): number {
    return this.instance.child.pid ?? -1;
  }

  get tempDir(): string {
    return this.instance.tempDir;
  }

  get exited(): Promise<ExitInfo> {
    return this.instance.child.exited;
  }

  get alive(): boolean {
    return this.instance.child.running;
  }

  stderrTail(lines = 20): string {
    return this.instance.child.stderrTail(lines);
  }

  /** Current length of QEMU's log: pass it to waitForLog as the "from now on" offset. */
  logSize(): Promise<number> {
    return Promise.resolve(this.log.size());
  }

  /** Reads QEMU's log forward from `fromOffset` without waiting; the caller closes it. */
  logCursor(fromOffset: number): LogCursor {
    return new LogCursor(this.log, fromOffset);
  }

  /** Waits for a log line matching `pattern`; rejects early (TargetClosedError) if QEMU exits. */
  waitForLog(pattern: RegExp, options: Omit<WaitForLogOptions, 'signal'>): Promise<LogMatch> {
    return waitForLogLine(this.logPath, pattern, { ...options, signal: this.exitAbort.signal });
  }

  /** Stops QEMU (SIGTERM, then SIGKILL) and removes the temp dir. Idempotent. */
  close(): Promise<void> {
    this.closePromise ??= (async () => {
      // Clients first, so their pending requests read "closed", not "QEMU was killed".
      this.qtest.close();
      this.qmp?.close();
      try {
        await this.instance.shutdown();
      } finally {
        this.frames?.close();
        this.log.close();
      }
    })();
    return this.closePromise;
  }
}

function exitError(instance: QemuInstance, exit: ExitInfo): TargetClosedError {
  return new TargetClosedError(`QEMU (pid ${instance.child.pid ?? '?'}) ${describeExit(exit)} during the session`,
    exit, instance.child.stderrTail());
}

/**
 * The error a dropped connection reports. QEMU usually dropped it by exiting, so wait briefly for
 * the exit status; clean up first, so that when pending requests reject, QEMU and its directory
 * are already gone.
 */
async function explainClose(instance: QemuInstance, protocol: string): Promise<Error> {
  const child = instance.child;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const exit = await Promise.race([
    child.exited,
    new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), EXIT_AFTER_CLOSE_WAIT_MS); }),
  ]);
  clearTimeout(timer);
  await instance.shutdown();
  if (exit !== undefined) return exitError(instance, exit);
  return new TargetClosedError(`QEMU (pid ${child.pid ?? '?'}) closed the ${protocol} connection but kept running; it was stopped`,
    child.exit, child.stderrTail());
}

function machineConfig(options: LaunchOptions): MachineConfig {
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  return { ...DEFAULT_MACHINE, ...defined } as MachineConfig;
}

interface Clients {
  qtest?: QtestClient;
  qmp?: QmpClient;
}

/** Starts QEMU with the NIC and connects to it; the caller must close() the session. */
export async function launchQemu(options: LaunchOptions = {}): Promise<QemuSession> {
  const config = machineConfig(options);
  const binary = await findQemu({ explicit: options.qemu, env: options.env, device: config.model, requireQtestAccel: config.accel === 'qtest' });
  const keepTempDir = options.keepTempDir === true;
  const tempDir = await makePrivateTempDir(options.tempRoot);
  const files: SessionFiles = {
    qtest: options.transport === 'stdio' ? { kind: 'stdio' } : { kind: 'unix', path: join(tempDir, 'qtest.sock') },
    qmpSocket: options.qmp === false ? undefined : join(tempDir, 'qmp.sock'),
    log: join(tempDir, 'qemu.log'),
  };
  const listeners: UnixSocketListener[] = [];
  const clients: Clients = {};
  let instance: QemuInstance | undefined;
  let args: string[] = [];
  try {
    const firmware = options.haltFirmware === true ? await writeHaltFirmware(tempDir) : config.firmware;
    args = buildQemuArgs({ ...config, firmware }, files);
    const qtestListener = files.qtest.kind === 'unix' ? await UnixSocketListener.listen(files.qtest.path) : undefined;
    const qmpListener = files.qmpSocket === undefined ? undefined : await UnixSocketListener.listen(files.qmpSocket);
    listeners.push(...[qtestListener, qmpListener].filter((l): l is UnixSocketListener => l !== undefined));
    const stdio = files.qtest.kind === 'stdio' ? 'pipe' : 'ignore';
    const extraSocket = config.netdev === 'socket';
    const child = ManagedChild.spawn(binary.path, args, { stdin: stdio, stdout: stdio, cwd: tempDir, extraSocket });
    options.onSpawned?.();
    // Listening from the start: frames must never pile up in the socket while QEMU starts.
    const frames = extraSocket ? new FrameChannel(child.process.stdio[3] as Duplex) : undefined;
    instance = new QemuInstance(child, tempDir, options.killGraceMs ?? DEFAULT_KILL_GRACE_MS, keepTempDir);
    await connect(instance, clients, { qtestListener, qmpListener, options });
    return new QemuSession(binary, args, files.log, instance, clients.qtest as QtestClient, clients.qmp, frames);
  } catch (error) {
    clients.qtest?.close();
    clients.qmp?.close();
    const stderr = instance?.child.stderrTail() ?? '';
    await (instance?.shutdown() ?? (keepTempDir ? undefined : rm(tempDir, { recursive: true, force: true })));
    // What the cached probes said may be why it failed (a binary changed behind a wrapper, an
    // accelerator module removed): the next run probes again.
    await forgetQemuProbe(binary.path, defaultProbeCache(options.env ?? process.env));
    throw launchError(error, [binary.path, ...args], stderr);
  } finally {
    for (const listener of listeners) listener.close();
  }
}

async function writeHaltFirmware(dir: string): Promise<string> {
  const path = join(dir, 'halt.bin');
  await writeFile(path, haltFirmwareImage());
  return path;
}

interface ConnectParts {
  readonly qtestListener: UnixSocketListener | undefined;
  readonly qmpListener: UnixSocketListener | undefined;
  readonly options: LaunchOptions;
}

/** Accepts QEMU's connections and checks it answers, failing fast if QEMU exits meanwhile. */
async function connect(instance: QemuInstance, clients: Clients, parts: ConnectParts): Promise<void> {
  const { child } = instance;
  const timeoutMs = parts.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const requestTimeoutMs = parts.options.requestTimeoutMs;
  const died = new AbortController();
  void child.exited.then((exit) => died.abort(new TargetError('launch-failed', `QEMU ${describeExit(exit)} during start-up`)));
  const accept = { timeoutMs, signal: died.signal };
  const [qtestTransport, qmpTransport] = await Promise.all([
    parts.qtestListener?.accept(accept) ?? Promise.resolve(childStdioTransport(child.process)),
    parts.qmpListener?.accept(accept),
  ]);
  clients.qtest = new QtestClient(qtestTransport, {
    timeoutMs: requestTimeoutMs,
    describeClose: () => explainClose(instance, 'qtest'),
  });
  const qmpReady = qmpTransport === undefined ? undefined : QmpClient.connect(qmpTransport, {
    timeoutMs: requestTimeoutMs ?? timeoutMs,
    describeClose: () => explainClose(instance, 'QMP'),
  });
  // The first reply proves QEMU parsed its command line and serves qtest (needed for stdio too).
  const [endianness, qmp] = await Promise.all([clients.qtest.endianness({ timeoutMs }), qmpReady]);
  clients.qmp = qmp;
  if (endianness !== 'little') throw new TargetError('launch-failed', `QEMU reports a ${endianness}-endian target; igb replay needs x86`);
}

function launchError(error: unknown, commandLine: readonly string[], stderr: string): TargetError {
  const reason = error instanceof Error ? error.message : String(error);
  const parts = [`QEMU failed to start: ${reason}`];
  if (commandLine.length > 1) parts.push(`command: ${commandLine.join(' ')}`);
  if (stderr !== '' && !reason.includes(stderr)) parts.push(`QEMU stderr:\n${stderr}`);
  const hint = error instanceof TargetError && error.hint !== undefined
    ? error.hint
    : 'check the QEMU command line and stderr above';
  return new TargetError('launch-failed', parts.join('\n'), hint, { cause: error });
}
