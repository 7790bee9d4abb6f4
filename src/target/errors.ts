// Typed errors of the target layer (QEMU discovery, launch, qtest and QMP sessions).
//
// Everything that is the environment's fault (no QEMU, an old QEMU, QEMU crashed, a command
// failed inside QEMU) is a TargetError with a `code` to switch on and, where the user can fix it,
// a `hint` saying what to install or pass. The CLI maps TargetError to exit code 3.
// QtestArgumentError is different: it means the caller built an invalid qtest command (a bug),
// and it is thrown before anything is sent, because a malformed qtest line aborts QEMU.

import { EXIT_TARGET, UserError, type UserExitCode } from '../errors.js';

export type TargetErrorCode =
  | 'qemu-not-found'
  | 'qemu-not-executable'
  | 'qemu-probe-failed'
  | 'qemu-too-old'
  | 'device-missing'
  | 'qtest-accel-missing'
  | 'launch-failed'
  | 'closed'
  | 'timeout'
  | 'command-failed'
  | 'protocol'
  | 'qmp-error'
  | 'pci-setup';

/** The standard hint for "no usable QEMU": how to get one or point the tool at one. */
export const INSTALL_QEMU_HINT =
  'run scripts/install-qemu.sh, or pass --qemu PATH / set QTEST_QEMU_BINARY to a qemu-system-x86_64 >= 8.0 with the igb device';

export class TargetError extends UserError {
  override name = 'TargetError';
  override readonly exitCode: UserExitCode = EXIT_TARGET;

  constructor(
    readonly code: TargetErrorCode,
    message: string,
    /** What the user can do about it (install, pass an option), when there is something. */
    hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, hint, options);
  }
}

/** How a QEMU process ended; `error` is set when it could not be started at all. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error?: Error;
}

export function describeExit(exit: ExitInfo): string {
  if (exit.error !== undefined) return `could not be started (${exit.error.message})`;
  if (exit.signal !== null) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code ?? '?'}`;
}

/**
 * The connection to QEMU is gone. Every request that was pending, and every request made
 * afterwards, rejects with this. When QEMU itself died, `exit` and `stderrTail` say how.
 */
export class TargetClosedError extends TargetError {
  override name = 'TargetClosedError';

  constructor(
    message: string,
    readonly exit?: ExitInfo,
    readonly stderrTail = '',
    options?: { cause?: unknown },
  ) {
    super('closed', stderrTail === '' ? message : `${message}\nQEMU stderr (last lines):\n${stderrTail}`, undefined, options);
  }
}

/** A request got no reply in time. On a FIFO protocol like qtest this also ends the connection. */
export class TargetTimeoutError extends TargetError {
  override name = 'TargetTimeoutError';

  constructor(readonly command: string, readonly timeoutMs: number) {
    super('timeout', `no reply to \`${command}\` within ${timeoutMs} ms`);
  }
}

/** QEMU answered a qtest command with `FAIL ...` or `ERR ...`. */
export class QtestCommandError extends TargetError {
  override name = 'QtestCommandError';

  constructor(readonly command: string, readonly reply: string) {
    super('command-failed', `qtest \`${command}\` failed: ${reply}`);
  }
}

/**
 * A reply (or unsolicited line) that does not fit the protocol: a QEMU bug or a desynchronized
 * stream. `command` is the request it was taken as the reply to, if any.
 */
export class ProtocolError extends TargetError {
  override name = 'ProtocolError';

  constructor(
    readonly protocol: 'qtest' | 'qmp',
    readonly command: string | undefined,
    readonly reply: string,
    detail: string,
  ) {
    super('protocol', command === undefined
      ? `unexpected ${protocol} line ${JSON.stringify(reply)}: ${detail}`
      : `unexpected ${protocol} reply ${JSON.stringify(reply)} to \`${command}\`: ${detail}`);
  }
}

/** A QMP command returned `{"error": {"class": ..., "desc": ...}}`. */
export class QmpCommandError extends TargetError {
  override name = 'QmpCommandError';

  constructor(readonly command: string, readonly errorClass: string, readonly description: string) {
    super('qmp-error', `QMP \`${command}\` failed: ${errorClass}: ${description}`);
  }
}

/** The caller asked for a qtest command QEMU would misparse or abort on; nothing was sent. */
export class QtestArgumentError extends TypeError {
  override name = 'QtestArgumentError';

  constructor(readonly op: string, readonly detail: string) {
    super(`invalid qtest ${op}: ${detail}`);
  }
}
