// Typed errors of the command line and the one mapping from any error to an exit code and a
// message with a hint. Exit codes are part of the interface (docs/cli.md):
//   0 success, 1 divergences found (replay), 2 usage or input error, 3 target (QEMU) failure,
//   4 internal error (a bug: reported with its stack).

import { TraceFormatError, TraceInputError } from '../formats/errors.js';
import { RegisterNotFoundError } from '../analysis/register-lookup.js';
import { RegisterDatabaseError } from '../regs/index.js';
import { BaselineError } from '../baseline/file.js';
// The target layer's error type (QEMU missing, died, qtest failed): exit 3. Re-exported so
// commands find every error the CLI maps in one place.
import { TargetError } from '../target/errors.js';

export { TargetError };

export const EXIT_OK = 0;
export const EXIT_DIVERGENCES = 1;
export const EXIT_USAGE = 2;
export const EXIT_TARGET = 3;
export const EXIT_INTERNAL = 4;

/** Bad command line: unknown option, missing argument, option value out of range. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

/** The result could not be written (--output in a missing directory, disk full, ...). */
export class OutputError extends Error {
  override readonly name = 'OutputError';

  constructor(readonly file: string, message: string, readonly hint?: string) {
    super(`${file}: ${message}`);
  }
}

export interface ErrorReport {
  readonly exitCode: number;
  readonly message: string;
  readonly hint?: string;
  /** Print the stack: only for errors that are bugs. */
  readonly stack?: string;
}

export function reportError(error: unknown): ErrorReport {
  if (error instanceof TraceFormatError) {
    return { exitCode: EXIT_USAGE, message: error.message, hint: 'run with --lenient to skip malformed lines and count them' };
  }
  if (error instanceof TraceInputError) return withHint(EXIT_USAGE, error.message, error.hint);
  if (error instanceof RegisterNotFoundError) return withHint(EXIT_USAGE, error.message, error.hint);
  if (error instanceof UsageError) return withHint(EXIT_USAGE, error.message, error.hint);
  if (error instanceof OutputError) return withHint(EXIT_USAGE, error.message, error.hint);
  if (error instanceof BaselineError) return withHint(EXIT_USAGE, error.message, error.hint);
  if (error instanceof TargetError) return withHint(EXIT_TARGET, error.message, error.hint);
  if (error instanceof RegisterDatabaseError) {
    return { exitCode: EXIT_INTERNAL, message: `register database: ${error.message}`, hint: 'the installation is damaged; reinstall igb-replay' };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    exitCode: EXIT_INTERNAL, message: `internal error: ${e.message}`,
    hint: 'this is a bug in igb-replay; please report it with the command line and the stack below',
    ...(e.stack === undefined ? {} : { stack: e.stack }),
  };
}

function withHint(exitCode: number, message: string, hint: string | undefined): ErrorReport {
  return hint === undefined ? { exitCode, message } : { exitCode, message, hint };
}
