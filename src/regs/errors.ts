// The one error type of the register database: a CSV file that does not describe a valid register map.
// The message always starts with `file:line:` (or `file:` when no line applies) so an editor can jump there.

export class RegisterDatabaseError extends Error {
  override readonly name = 'RegisterDatabaseError';

  constructor(
    /** The CSV file as shown to the user (repository-relative when loaded from src/regs). */
    readonly file: string,
    /** 1-based line in that file, when the problem belongs to one line. */
    readonly line: number | undefined,
    /** The problem, without the location prefix. */
    readonly detail: string,
  ) {
    super(line === undefined ? `${file}: ${detail}` : `${file}:${line}: ${detail}`);
  }
}
