// The errors of the command line itself and the one mapping from any error to an exit code and a
// message with a hint. Every error that is not a bug is a UserError (src/errors.ts) and carries its
// own exit code and hint; anything else is a bug (exit 4, with its stack). Exit codes are part of
// the interface (docs/cli.md).

import { EXIT_INTERNAL, UserError } from '../errors.js';
import { RegisterDatabaseError } from '../regs/errors.js';

export { EXIT_DIVERGENCES, EXIT_INTERNAL, EXIT_OK, EXIT_TARGET, EXIT_USAGE, UserError } from '../errors.js';
// The target layer's error type (QEMU missing, died, qtest failed): exit 3. Re-exported so
// commands find every error the CLI raises in one place.
export { TargetError } from '../target/errors.js';

/** Bad command line: unknown option, missing argument, option value out of range (exit 2). */
export class UsageError extends UserError {
  override readonly name = 'UsageError';
}

/** The result could not be written (--output in a missing directory, disk full, ...): exit 2. */
export class OutputError extends UserError {
  override readonly name = 'OutputError';

  constructor(readonly file: string, message: string, hint?: string) {
    super(`${file}: ${message}`, hint);
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
  if (error instanceof UserError) return withHint(error.exitCode, error.message, error.hint);
  // The register tables ship with the tool: a broken one is a damaged installation, not user input.
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
