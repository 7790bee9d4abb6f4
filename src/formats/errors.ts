// Typed errors for trace input. A TraceFormatError means "this is a trace of a format we know,
// but this line is malformed"; it carries everything needed to point the user at the line.

import { UserError } from '../errors.js';

/** Longest excerpt of an offending line quoted in a message, so a binary file cannot flood the terminal. */
const MAX_EXCERPT = 160;

export function excerpt(text: string): string {
  let clean = '';
  for (let i = 0; i < text.length && clean.length <= MAX_EXCERPT; i++) {
    const code = text.charCodeAt(i);
    // Control and non-ASCII bytes would garble the terminal; show them as `?`.
    clean += code === 9 || (code >= 32 && code < 127) ? text[i] : '?';
  }
  return clean.length > MAX_EXCERPT ? `${clean.slice(0, MAX_EXCERPT)}…` : clean;
}

/** A malformed line in a trace of a known format: exit 2, and --lenient skips such lines. */
export class TraceFormatError extends UserError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly text: string,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}: ${excerpt(text)}`, 'run with --lenient to skip malformed lines and count them');
    this.name = 'TraceFormatError';
  }
}

/** The input could not be read or is not a trace at all (wrong dialect, binary, empty): exit 2. */
export class TraceInputError extends UserError {
  constructor(readonly file: string, message: string, hint?: string) {
    super(`${file}: ${message}`, hint);
    this.name = 'TraceInputError';
  }
}
