// The start order of a parallel replay: the largest trace file first, ties and unreadable traces
// (size 0 here; their cells report the error) in input order. Synthetic files in a temp dir.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CellRequest } from '../../src/parallel/cell.js';
import { longestFirst } from '../../src/parallel/run-cells.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'igb-replay-longest-first-'));
  for (const [name, bytes] of [['small', 10], ['big', 1000], ['mid', 100], ['mid2', 100]] as const) writeFileSync(join(dir, name), 'x'.repeat(bytes));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cell = (name: string): CellRequest => ({ trace: join(dir, name), lenient: false, prepare: { time: 'auto', strict: false }, keepEvents: false });

describe('longestFirst', () => {
  it('orders cells by trace size, largest first, ties and missing files in input order', () => {
    const cells = ['small', 'missing', 'mid', 'big', 'mid2'].map(cell);
    expect(longestFirst(cells)).toEqual([3, 2, 4, 0, 1]);
  });

  it('keeps the builds of one trace (cells of the same file) in input order', () => {
    expect(longestFirst([cell('small'), cell('big'), cell('big'), cell('small')])).toEqual([1, 2, 0, 3]);
  });
});
