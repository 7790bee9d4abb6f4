// Column-aligned plain-text tables. Widths are measured without ANSI colour codes, so coloured
// cells still line up.

import { stripVTControlCharacters } from 'node:util';

export type Align = 'left' | 'right';

export interface TableOptions {
  readonly align?: readonly Align[];
  /** Prefix of every line. */
  readonly indent?: string;
  readonly gap?: string;
}

export function renderTable(rows: readonly (readonly string[])[], options: TableOptions = {}): string[] {
  const { align = [], indent = '  ', gap = '  ' } = options;
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell)); });
  }
  return rows.map((row) => {
    const cells = row.map((cell, i) => {
      const pad = ' '.repeat((widths[i] ?? 0) - visibleLength(cell));
      if (align[i] === 'right') return pad + cell;
      // No trailing spaces after the last column.
      return i === row.length - 1 ? cell : cell + pad;
    });
    return (indent + cells.join(gap)).trimEnd();
  });
}

export function visibleLength(text: string): number {
  return stripVTControlCharacters(text).length;
}
