// Line framing for qtest and QMP: both are "one message per line". Incoming text arrives in
// arbitrary chunks; a chunk may hold many lines (pipelined replies) or end in the middle of one.
// QMP ends its lines with "\r\n", qtest with "\n"; the "\r" is stripped so callers see one form.

export class LineFramer {
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {}

  /** Feeds a chunk; calls onLine for every line it completes, in order. */
  push(chunk: string): void {
    let newline = chunk.indexOf('\n');
    if (newline < 0) {
      this.partial += chunk;
      return;
    }
    let start = 0;
    if (this.partial.length > 0) {
      const first = this.partial + chunk.slice(0, newline);
      this.partial = '';
      this.emit(first);
      start = newline + 1;
      newline = chunk.indexOf('\n', start);
    }
    while (newline >= 0) {
      this.emit(chunk.slice(start, newline));
      start = newline + 1;
      newline = chunk.indexOf('\n', start);
    }
    if (start < chunk.length) this.partial = chunk.slice(start);
  }

  /** Text received after the last newline (an incomplete line), for diagnostics on close. */
  get pending(): string {
    return this.partial;
  }

  private emit(line: string): void {
    this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}

/** Joins lines into one write, each terminated by "\n". */
export function encodeLines(lines: readonly string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
