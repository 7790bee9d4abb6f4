// The result of `igb-replay diff A B` (schema igb-replay/diff, version 1): the one object the text
// report and --json are made from. Documented in docs/json-schemas.md.

import type { AccessKind, AddressSpace, QemuVerdict } from '../model/access.js';
import type { BlockName } from '../analysis/trace-summary.js';

export const DIFF_SCHEMA = 'igb-replay/diff';
export const DIFF_VERSION = 1;

/** A register as the diff names it. */
export interface DiffRegister {
  readonly space: AddressSpace;
  readonly offset: number;
  /** Database name (`RDBAL(0)`, `BMSR`), absent when the database does not know the offset. */
  readonly name?: string;
  /** How the text report names it: `STATUS`, `0x5b50`, `PHY[1] BMSR`, `IODATA CTRL`, `config 0xa8`. */
  readonly label: string;
  readonly block: BlockName;
}

/** One access of one trace. */
export interface Position {
  readonly seq: number;
  readonly line: number;
}

/** A run of accesses of one trace: [start, end) in seq; lines absent when it is empty. */
export interface SeqRange {
  readonly start: number;
  readonly end: number;
  readonly count: number;
  readonly firstLine?: number;
  readonly lastLine?: number;
  /** For an empty range: the line of the access just before it (0 at the start of the trace). */
  readonly afterLine?: number;
}

export interface FieldChange {
  readonly field: string;
  readonly expected: number;
  readonly actual: number;
}

/** The same read or write at aligned positions with another value. */
export interface ChangedValue {
  readonly type: 'changed-read' | 'changed-write';
  readonly register: DiffRegister;
  readonly a: Position;
  readonly b: Position;
  /** A's value (the expectation) and B's. */
  readonly expected: number;
  readonly actual: number;
  /** Differing fields from the register database; empty when it has no fields for the register. */
  readonly fields: readonly FieldChange[];
  /** A's phase at this position (`nvm-phy-id #2`). */
  readonly phase?: string;
}

/** The same access at aligned positions, and the recording QEMU said something else about it. */
export interface ChangedVerdict {
  readonly type: 'changed-verdict';
  readonly register: DiffRegister;
  readonly kind: AccessKind;
  readonly a: Position;
  readonly b: Position;
  readonly expected: QemuVerdict;
  readonly actual: QemuVerdict;
  readonly phase?: string;
}

/** Accesses that only one trace has: the driver took another path. */
export interface Hunk {
  readonly type: 'hunk';
  readonly a: SeqRange;
  readonly b: SeqRange;
  /** Registers accessed in the hunk, most accesses first: counts in A and in B. */
  readonly registers: readonly (DiffRegister & { readonly inA: number; readonly inB: number })[];
  /** A's phase where the paths part. */
  readonly phase?: string;
  /**
   * The read that came back different shortly before the paths parted (within HUNK_CAUSE_WINDOW
   * aligned accesses): the driver probably branched on it, so the hunk is its consequence.
   */
  readonly after?: { readonly register: string; readonly a: Position; readonly b: Position; readonly expected: number; readonly actual: number };
}

export type Difference = ChangedValue | ChangedVerdict | Hunk;

export interface DiffCounts {
  readonly changedReads: number;
  readonly changedWrites: number;
  readonly changedVerdicts: number;
  readonly hunks: number;
  /** Accesses in hunks, per side. */
  readonly onlyInA: number;
  readonly onlyInB: number;
}

/** Tallies per register or per block, ordered by first difference. */
export interface DiffTally extends DiffCounts {
  /** Value differences left out by --ignore-volatile. */
  readonly ignored: number;
  /** Position in A of its first difference (or first ignored one). */
  readonly firstSeqA: number;
  readonly firstLineA: number;
  readonly firstLineB: number;
}

/** Differences within one phase of A (hunks, changed reads...), in A's phase order. */
export interface DiffPhaseTally extends DiffCounts {
  readonly phase: string;
  readonly firstLineA: number;
  readonly lastLineA: number;
  readonly ignored: number;
}

export interface DiffResult {
  readonly schema: typeof DIFF_SCHEMA;
  readonly version: typeof DIFF_VERSION;
  readonly a: { readonly file: string; readonly accesses: number };
  readonly b: { readonly file: string; readonly accesses: number };
  readonly options: {
    readonly ignoreVolatile: boolean;
    readonly registers?: readonly string[];
    readonly block?: BlockName;
  };
  /** No difference left after filters and --ignore-volatile: exit 0. */
  readonly equivalent: boolean;
  /** Of the whole alignment, before filters. */
  readonly alignment: { readonly matched: number; readonly onlyInA: number; readonly onlyInB: number; readonly hunks: number };
  readonly counts: DiffCounts & { readonly ignored: { readonly reads: number; readonly writes: number } };
  /** The earliest difference (in A's order), also `differences[0]`. */
  readonly first?: Difference;
  readonly registers: readonly (DiffRegister & DiffTally)[];
  readonly blocks: readonly ({ readonly block: BlockName; readonly title: string } & DiffTally)[];
  /** Each trace's phase sequence (labels) and the differences per phase of A. */
  readonly phases: { readonly a: readonly string[]; readonly b: readonly string[]; readonly byPhase: readonly DiffPhaseTally[] };
  /** Differences in trace order, at most `limit` of them; `omitted` says how many more there were. */
  readonly differences: readonly Difference[];
  readonly omitted: number;
}
