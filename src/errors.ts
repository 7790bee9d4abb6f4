// The exit codes of the command line (part of its interface, docs/cli.md) and the base of every
// error that is not a bug: something the user named or the environment provides is wrong, and the
// error says what, with a hint what to do where there is something to do. The CLI ends with the
// error's own exit code (src/cli/errors.ts), so no command has to catch and re-wrap errors.
//   0 success, 1 divergences found, 2 usage or input error, 3 target (QEMU) failure,
//   4 internal error (a bug: reported with its stack).
// `replay --bisect` speaks git bisect run's language instead: 125 when the build under test cannot
// be started (skip this commit), 128 for anything that is not a verdict on the build (stop).

export const EXIT_OK = 0;
export const EXIT_DIVERGENCES = 1;
export const EXIT_USAGE = 2;
export const EXIT_TARGET = 3;
export const EXIT_INTERNAL = 4;
/** `git bisect run`: this commit cannot be tested (its QEMU does not start). */
export const EXIT_BISECT_SKIP = 125;
/** `git bisect run` stops bisecting on a code above 127: a usage or input error says nothing about the commit. */
export const EXIT_BISECT_ABORT = 128;

/** The exit codes an error that is not a bug can end the command line with. */
export type UserExitCode = typeof EXIT_USAGE | typeof EXIT_TARGET | typeof EXIT_BISECT_SKIP | typeof EXIT_BISECT_ABORT;

/** An error for the user to fix: usage, input (exit 2, the default) or the target QEMU (exit 3). */
export class UserError extends Error {
  override name = 'UserError';
  /** What the command line exits with. */
  readonly exitCode: UserExitCode = EXIT_USAGE;

  constructor(
    message: string,
    /** What the user can do about it (fix an option, install something), when there is something. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
