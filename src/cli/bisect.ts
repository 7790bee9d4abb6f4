// `replay --bisect`: exit codes for `git bisect run`. A commit is good (0) or bad (1: a failing
// divergence, with several builds a regression from the reference, or a replay QEMU did not
// finish: it crashed or hung on the trace), or cannot be tested (125: the build under test is
// missing or does not start, so the bisection skips the commit). Anything else — a bad option, an
// unreadable trace, a bug — says nothing about the commit, and 128 stops the bisection instead of
// marking it bad.

import { EXIT_BISECT_ABORT, EXIT_BISECT_SKIP, EXIT_DIVERGENCES, EXIT_TARGET, UserError, type UserExitCode } from '../errors.js';

class BisectExit extends UserError {
  override readonly name = 'BisectExit';
  override readonly exitCode: UserExitCode;

  constructor(exitCode: UserExitCode, message: string, hint: string | undefined, cause: unknown) {
    super(message, hint, { cause });
    this.exitCode = exitCode;
  }
}

/** Runs a replay; with `bisect`, errors leave with git bisect run's codes. */
export async function withBisectCodes(bisect: boolean, run: () => Promise<void>): Promise<void> {
  if (!bisect) return run();
  try {
    await run();
  } catch (error) {
    if (error instanceof UserError && error.exitCode === EXIT_TARGET) {
      throw new BisectExit(EXIT_BISECT_SKIP, `${error.message}\n(exit 125: git bisect skips this commit)`, error.hint, error);
    }
    // A bug keeps its stack in the message: it is reported as a user error here, without one.
    const message = error instanceof UserError ? error.message : error instanceof Error ? `internal error: ${error.stack ?? error.message}` : String(error);
    const hint = error instanceof UserError ? error.hint : 'this is a bug in igb-replay; please report it';
    throw new BisectExit(EXIT_BISECT_ABORT, `${message}\n(exit 128: git bisect stops, this is no verdict on the commit)`, hint, error);
  }
}

/** The exit code of a finished run: a replay that did not finish is a bad commit under --bisect. */
export function verdictExitCode(verdict: 'pass' | 'fail' | 'incomplete', bisect: boolean): number {
  if (verdict === 'incomplete') return bisect ? EXIT_DIVERGENCES : EXIT_TARGET;
  return verdict === 'fail' ? EXIT_DIVERGENCES : 0;
}
