// `diffTraces`: aligns two tokenized traces and turns the alignment into the DiffResult: value and
// verdict changes at aligned accesses, hunks of accesses only one trace has, tallies per register
// and per block. Pure over its inputs; reading the traces is the caller's business.

import { BLOCK_TITLES } from '../model/register.js';
import type { BlockName } from '../analysis/trace-summary.js';
import type { RegisterRef } from '../model/register.js';
import type { RegisterDatabase } from '../regs/database.js';
import { alignSequences, type Hunk as Span } from './align.js';
import { describeToken, selects, type RegisterSelector, type TokenRegister } from './registers.js';
import { registerReached } from '../regs/naming.js';
import {
  DIFF_SCHEMA, DIFF_VERSION,
  type DiffCounts, type DiffPhaseTally, type DiffRegister, type DiffResult, type Difference, type Hunk, type Position, type SeqRange,
} from './result.js';
import { verdictAt, type TokenTable, type TokenizedTrace } from './tokens.js';
import { Tallies } from './tallies.js';
import { phaseOf } from '../analysis/phases.js';

export interface DiffOptions {
  /** Leave out value changes of volatile statistics/timesync reads and of per-boot writes. */
  readonly ignoreVolatile: boolean;
  /** As given on the command line, for the result. */
  readonly registers?: readonly string[];
  readonly selectors?: readonly RegisterSelector[];
  readonly block?: BlockName;
  /** Do not compare QEMU verdicts: one trace has none (mmiotrace), so every flagged access would differ. */
  readonly ignoreVerdicts?: boolean;
  /** Differences kept in `differences` (counts and tallies always cover all); default 10,000. */
  readonly limit?: number;
  readonly maxEdit?: number;
}

const DEFAULT_LIMIT = 10_000;
/**
 * How far back (aligned accesses of A) a changed read still counts as the likely reason for the
 * next hunk. Drivers branch on a value within a few accesses of reading it (a poll exits, a
 * feature bit selects a path); further back, a changed read is as likely unrelated.
 */
export const HUNK_CAUSE_WINDOW = 32;
const UNMAPPED_TITLE = 'Unmapped (offset not in the register database)';

interface Described extends TokenRegister {
  readonly ref: RegisterRef | undefined;
  readonly selected: boolean;
}

export function diffTraces(a: TokenizedTrace, b: TokenizedTrace, table: TokenTable, db: RegisterDatabase, options: DiffOptions): DiffResult {
  const spans = alignSequences(a.tokens, b.tokens, options.maxEdit === undefined ? {} : { maxEdit: options.maxEdit });
  const walk = new Walk(a, b, table, db, options);
  let i = 0;
  let j = 0;
  for (const span of [...spans, { aStart: a.length, aEnd: a.length, bStart: b.length, bEnd: b.length }]) {
    for (; i < span.aStart && j < span.bStart; i++, j++) walk.matched(i, j);
    if (span.aEnd > span.aStart || span.bEnd > span.bStart) walk.hunk(span);
    i = span.aEnd;
    j = span.bEnd;
  }
  const onlyInA = spans.reduce((n, s) => n + s.aEnd - s.aStart, 0);
  const onlyInB = spans.reduce((n, s) => n + s.bEnd - s.bStart, 0);
  const counts = walk.tallies.total();
  const differences = walk.differences;
  return {
    schema: DIFF_SCHEMA, version: DIFF_VERSION,
    a: { file: a.file, accesses: a.length }, b: { file: b.file, accesses: b.length },
    options: {
      ignoreVolatile: options.ignoreVolatile,
      ...(options.registers === undefined ? {} : { registers: options.registers }),
      ...(options.block === undefined ? {} : { block: options.block }),
    },
    equivalent: differences.length === 0,
    alignment: { matched: a.length - onlyInA, onlyInA, onlyInB, hunks: spans.length },
    counts: {
      changedReads: counts.changedReads, changedWrites: counts.changedWrites, changedVerdicts: counts.changedVerdicts,
      hunks: counts.hunks, onlyInA: counts.onlyInA, onlyInB: counts.onlyInB,
      ignored: { reads: walk.ignoredReads, writes: walk.ignoredWrites },
    },
    ...(differences[0] === undefined ? {} : { first: differences[0] }),
    registers: walk.tallies.registers(),
    blocks: walk.tallies.blocks().map((t) => ({ ...t, title: t.block === 'unmapped' ? UNMAPPED_TITLE : BLOCK_TITLES[t.block] })),
    phases: { a: a.phases.map((p) => p.label), b: b.phases.map((p) => p.label), byPhase: walk.phaseTallies() },
    differences,
    omitted: walk.omitted,
  };
}

class Walk {
  readonly tallies = new Tallies();
  readonly differences: Difference[] = [];
  omitted = 0;
  ignoredReads = 0;
  ignoredWrites = 0;
  private readonly described: (Described | undefined)[] = [];
  private readonly limit: number;
  private readonly byPhase = new Map<string, { -readonly [K in keyof DiffCounts]: number } & { ignored: number }>();
  /** The last read whose value differs (not ignored), for the hunk that may follow from it. */
  private lastChangedRead: NonNullable<Hunk['after']> | undefined;

  constructor(private readonly a: TokenizedTrace, private readonly b: TokenizedTrace, private readonly table: TokenTable,
    private readonly db: RegisterDatabase, private readonly options: DiffOptions) {
    this.limit = options.limit ?? DEFAULT_LIMIT;
  }

  matched(i: number, j: number): void {
    const { a, b } = this;
    const valueDiffers = a.values[i] !== b.values[j];
    const verdictDiffers = this.options.ignoreVerdicts !== true && a.verdicts[i] !== b.verdicts[j];
    if (!valueDiffers && !verdictDiffers) return;
    const token = a.tokens[i] as number;
    const reg = this.describe(token);
    if (!reg.selected) return;
    const info = this.table.info(token);
    const at = { a: this.position(a, i), b: this.position(b, j) };
    if (valueDiffers && (info.kind === 'read' || reg.perBootWrite)) this.valueChange(reg, info.kind, at, a.values[i] as number, b.values[j] as number);
    if (verdictDiffers) {
      this.tallies.add(reg, at, 'changedVerdicts', 1);
      const phase = this.count(i, 'changedVerdicts', 1);
      this.push({ type: 'changed-verdict', register: plain(reg), kind: info.kind, ...at, expected: verdictAt(a, i), actual: verdictAt(b, j), ...phase });
    }
  }

  hunk(span: Span): void {
    const counts = new Map<number, { reg: Described; inA: number; inB: number }>();
    const count = (trace: TokenizedTrace, from: number, to: number, side: 'inA' | 'inB'): void => {
      for (let k = from; k < to; k++) {
        const token = trace.tokens[k] as number;
        const reg = this.describe(token);
        if (!reg.selected) continue;
        const key = this.registerKey(token);
        const entry = counts.get(key) ?? { reg, inA: 0, inB: 0 };
        entry[side]++;
        counts.set(key, entry);
      }
    };
    count(this.a, span.aStart, span.aEnd, 'inA');
    count(this.b, span.bStart, span.bEnd, 'inB');
    if (counts.size === 0) return;
    // A hunk that inserts before A's access `aStart` belongs to the phase of the access before it.
    const phaseSeq = span.aEnd > span.aStart ? span.aStart : Math.max(0, span.aStart - 1);
    let inA = 0;
    let inB = 0;
    for (const e of counts.values()) {
      inA += e.inA;
      inB += e.inB;
    }
    const phase = this.count(phaseSeq, 'hunks', 1);
    this.count(phaseSeq, 'onlyInA', inA);
    this.count(phaseSeq, 'onlyInB', inB);
    const cause = this.lastChangedRead;
    const hunk: Hunk = {
      type: 'hunk',
      a: seqRange(this.a, span.aStart, span.aEnd), b: seqRange(this.b, span.bStart, span.bEnd),
      registers: [...counts.values()].sort((x, y) => y.inA + y.inB - (x.inA + x.inB))
        .map((e) => ({ ...plain(e.reg), inA: e.inA, inB: e.inB })),
      ...phase,
      ...(cause !== undefined && span.aStart - cause.a.seq <= HUNK_CAUSE_WINDOW ? { after: cause } : {}),
    };
    const at = { a: { seq: span.aStart, line: hunk.a.firstLine ?? hunk.a.afterLine ?? 0 }, b: { seq: span.bStart, line: hunk.b.firstLine ?? hunk.b.afterLine ?? 0 } };
    for (const e of counts.values()) {
      this.tallies.add(e.reg, at, 'onlyInA', e.inA);
      this.tallies.add(e.reg, at, 'onlyInB', e.inB);
    }
    this.tallies.hunk(hunk.registers);
    this.push(hunk);
  }

  private valueChange(reg: Described, kind: 'read' | 'write', at: { a: Position; b: Position }, expected: number, actual: number): void {
    const ignorable = kind === 'read' ? reg.volatileRead : reg.perBootWrite;
    if (this.options.ignoreVolatile && ignorable) {
      if (kind === 'read') this.ignoredReads++;
      else this.ignoredWrites++;
      this.tallies.add(reg, at, 'ignored', 1);
      this.count(at.a.seq, 'ignored', 1);
      return;
    }
    const ref = reg.ref;
    const fields = ref === undefined ? [] : this.db.diffFields(ref, expected, actual)
      .map((d) => ({ field: d.field.name, expected: d.expected, actual: d.actual }));
    this.tallies.add(reg, at, kind === 'read' ? 'changedReads' : 'changedWrites', 1);
    const phase = this.count(at.a.seq, kind === 'read' ? 'changedReads' : 'changedWrites', 1);
    if (kind === 'read') this.lastChangedRead = { register: reg.label, ...at, expected, actual };
    this.push({ type: kind === 'read' ? 'changed-read' : 'changed-write', register: plain(reg), ...at, expected, actual, fields, ...phase });
  }

  /** Counts a difference in A's phase at `seqA`; returns `{phase}` to spread into the difference. */
  private count(seqA: number, counter: keyof DiffCounts | 'ignored', n: number): { phase?: string } {
    const phase = phaseOf(this.a.phases, seqA)?.label;
    if (phase === undefined) return {};
    if (n > 0) {
      let tally = this.byPhase.get(phase);
      if (tally === undefined) {
        tally = { changedReads: 0, changedWrites: 0, changedVerdicts: 0, hunks: 0, onlyInA: 0, onlyInB: 0, ignored: 0 };
        this.byPhase.set(phase, tally);
      }
      tally[counter] += n;
    }
    return { phase };
  }

  /** Per phase of A, in A's order; phases without any difference are left out. */
  phaseTallies(): DiffPhaseTally[] {
    return this.a.phases.flatMap((p) => {
      const tally = this.byPhase.get(p.label);
      return tally === undefined ? [] : [{ phase: p.label, firstLineA: p.firstLine, lastLineA: p.lastLine, ...tally }];
    });
  }

  private push(difference: Difference): void {
    if (this.differences.length < this.limit) this.differences.push(difference);
    else this.omitted++;
  }

  private position(trace: TokenizedTrace, i: number): Position {
    return { seq: i, line: trace.lines[i] as number };
  }

  /** Tokens of the same register (reads and writes, any value) share one key: the label. */
  private registerKey(token: number): number {
    return this.tallies.keyOf(this.describe(token));
  }

  private describe(token: number): Described {
    let d = this.described[token];
    if (d === undefined) {
      const info = this.table.info(token);
      const reg = describeToken(this.db, info);
      const ref = registerReached(this.db, info);
      const { selectors, block } = this.options;
      const selected = (block === undefined || reg.block === block) && (selectors === undefined || selects(selectors, ref));
      d = { ...reg, ref, selected };
      this.described[token] = d;
    }
    return d;
  }
}

function plain(reg: TokenRegister): DiffRegister {
  return { space: reg.space, offset: reg.offset, ...(reg.name === undefined ? {} : { name: reg.name }), label: reg.label, block: reg.block };
}

function seqRange(trace: TokenizedTrace, start: number, end: number): SeqRange {
  if (end > start) {
    return { start, end, count: end - start, firstLine: trace.lines[start] as number, lastLine: trace.lines[end - 1] as number };
  }
  return { start, end, count: 0, afterLine: start > 0 ? trace.lines[start - 1] as number : 0 };
}
