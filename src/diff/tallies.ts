// Per-register and per-block tallies of a diff. Registers (and blocks) with real differences come
// first, in the order of their first difference in A; those with only ignored (volatile) value
// changes follow, so the first line of either table is where the traces first part ways.

import type { BlockName } from '../analysis/trace-summary.js';
import type { DiffCounts, DiffRegister, DiffTally, Position } from './result.js';

type Counter = keyof DiffCounts | 'ignored';

interface Tally {
  changedReads: number;
  changedWrites: number;
  changedVerdicts: number;
  hunks: number;
  onlyInA: number;
  onlyInB: number;
  ignored: number;
  first: { a: Position; b: Position } | undefined;
  firstIgnored: { a: Position; b: Position } | undefined;
}

export class Tallies {
  private readonly keys = new Map<string, number>();
  private readonly byRegister: { reg: DiffRegister; tally: Tally }[] = [];
  private readonly byBlock = new Map<BlockName, Tally>();
  private hunkCount = 0;

  keyOf(reg: DiffRegister): number {
    const name = `${reg.space}:${reg.label}`;
    let key = this.keys.get(name);
    if (key === undefined) {
      key = this.byRegister.length;
      this.keys.set(name, key);
      this.byRegister.push({ reg, tally: emptyTally() });
    }
    return key;
  }

  add(reg: DiffRegister, at: { a: Position; b: Position }, counter: Counter, n: number): void {
    if (n === 0) return;
    const entry = this.byRegister[this.keyOf(reg)];
    if (entry === undefined) return;
    let block = this.byBlock.get(reg.block);
    if (block === undefined) {
      block = emptyTally();
      this.byBlock.set(reg.block, block);
    }
    for (const tally of [entry.tally, block]) {
      tally[counter] += n;
      if (counter === 'ignored') tally.firstIgnored ??= at;
      else tally.first ??= at;
    }
  }

  /** A hunk touching these registers: counted once per register, once per block and once in all. */
  hunk(registers: readonly DiffRegister[]): void {
    this.hunkCount++;
    const blocks = new Set<BlockName>();
    for (const reg of registers) {
      const entry = this.byRegister[this.keyOf(reg)];
      if (entry !== undefined) entry.tally.hunks++;
      blocks.add(reg.block);
    }
    for (const block of blocks) {
      const tally = this.byBlock.get(block);
      if (tally !== undefined) tally.hunks++;
    }
  }

  total(): DiffCounts {
    const sum = (counter: keyof DiffCounts): number => this.byRegister.reduce((n, e) => n + e.tally[counter], 0);
    return {
      changedReads: sum('changedReads'), changedWrites: sum('changedWrites'), changedVerdicts: sum('changedVerdicts'),
      hunks: this.hunkCount, onlyInA: sum('onlyInA'), onlyInB: sum('onlyInB'),
    };
  }

  registers(): (DiffRegister & DiffTally)[] {
    return ordered(this.byRegister.map((e) => ({ ...e.reg, ...finish(e.tally) })));
  }

  blocks(): ({ block: BlockName } & DiffTally)[] {
    return ordered([...this.byBlock].map(([block, tally]) => ({ block, ...finish(tally) })));
  }
}

function emptyTally(): Tally {
  return {
    changedReads: 0, changedWrites: 0, changedVerdicts: 0, hunks: 0, onlyInA: 0, onlyInB: 0, ignored: 0,
    first: undefined, firstIgnored: undefined,
  };
}

function finish(t: Tally): DiffTally & { readonly real: boolean } {
  const at = t.first ?? t.firstIgnored ?? { a: { seq: 0, line: 0 }, b: { seq: 0, line: 0 } };
  return {
    changedReads: t.changedReads, changedWrites: t.changedWrites, changedVerdicts: t.changedVerdicts,
    hunks: t.hunks, onlyInA: t.onlyInA, onlyInB: t.onlyInB, ignored: t.ignored,
    firstSeqA: at.a.seq, firstLineA: at.a.line, firstLineB: at.b.line,
    real: t.first !== undefined,
  };
}

function ordered<T extends DiffTally & { readonly real: boolean }>(rows: T[]): Omit<T, 'real'>[] {
  return rows
    .sort((x, y) => Number(y.real) - Number(x.real) || x.firstSeqA - y.firstSeqA || x.firstLineB - y.firstLineB)
    .map(({ real: _real, ...rest }) => rest);
}
