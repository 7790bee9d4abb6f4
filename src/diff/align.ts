// Alignment of two token sequences: which accesses of A and B are "the same step" of the driver.
//
// Recordings of one driver on one device are nearly identical, so the work is shaped for that:
//  1. strip the common prefix and suffix (linear, no allocation);
//  2. Myers' O(ND) diff (jsdiff `diffArrays`) on the middle, capped at MAX_EDIT edits so that
//     dissimilar traces cannot make it quadratic;
//  3. past the cap, a patience-style anchored diff: tokens that occur exactly once in both ranges,
//     in the longest increasing run, split the range and each gap is aligned again from step 1;
//  4. a gap with no anchor at all is one replaced hunk (everything of A removed, of B inserted).
// The result is the list of hunks (non-matching ranges); everything between them matches 1:1.

import { diffArrays } from 'diff';

/** Half-open ranges [aStart, aEnd) of A and [bStart, bEnd) of B that do not match; one may be empty. */
export interface Hunk {
  readonly aStart: number;
  readonly aEnd: number;
  readonly bStart: number;
  readonly bEnd: number;
}

export interface AlignOptions {
  /** Edits (insertions + deletions) Myers may spend on one range before the anchored fallback. */
  readonly maxEdit?: number;
}

/**
 * Above this many edits *beyond the length difference* Myers' O((N+M)·D) time stops paying off.
 * D is at least |N−M|, so a trace with a long extra tail (a second driver load) still gets Myers,
 * up to MAX_LENGTH_GAP extra accesses.
 */
export const MAX_EDIT = 2000;
export const MAX_LENGTH_GAP = 50_000;

type Seq = ArrayLike<number>;

export function alignSequences(a: Seq, b: Seq, options: AlignOptions = {}): Hunk[] {
  const hunks: Hunk[] = [];
  alignRange(a, b, 0, a.length, 0, b.length, options.maxEdit ?? MAX_EDIT, hunks);
  return mergeAdjacent(hunks);
}

function alignRange(a: Seq, b: Seq, a0: number, a1: number, b0: number, b1: number, maxEdit: number, out: Hunk[]): void {
  while (a0 < a1 && b0 < b1 && a[a0] === b[b0]) { a0++; b0++; }
  while (a1 > a0 && b1 > b0 && a[a1 - 1] === b[b1 - 1]) { a1--; b1--; }
  if (a0 === a1 && b0 === b1) return;
  if (a0 === a1 || b0 === b1) {
    out.push({ aStart: a0, aEnd: a1, bStart: b0, bEnd: b1 });
    return;
  }
  const gap = Math.abs((a1 - a0) - (b1 - b0));
  if (gap <= MAX_LENGTH_GAP && myers(a, b, a0, a1, b0, b1, maxEdit + gap, out)) return;
  const anchors = uniqueAnchors(a, b, a0, a1, b0, b1);
  if (anchors.length === 0) {
    out.push({ aStart: a0, aEnd: a1, bStart: b0, bEnd: b1 });
    return;
  }
  let pa = a0;
  let pb = b0;
  for (const [ia, ib] of anchors) {
    alignRange(a, b, pa, ia, pb, ib, maxEdit, out);
    pa = ia + 1;
    pb = ib + 1;
  }
  alignRange(a, b, pa, a1, pb, b1, maxEdit, out);
}

/** Myers on [a0,a1) × [b0,b1); false when it needs more than `maxEdit` edits. */
function myers(a: Seq, b: Seq, a0: number, a1: number, b0: number, b1: number, maxEdit: number, out: Hunk[]): boolean {
  const changes = diffArrays(Array.from(slice(a, a0, a1)), Array.from(slice(b, b0, b1)), { maxEditLength: maxEdit });
  if (changes === undefined) return false;
  let ia = a0;
  let ib = b0;
  for (const change of changes) {
    const n = change.count;
    if (change.removed) {
      out.push({ aStart: ia, aEnd: ia + n, bStart: ib, bEnd: ib });
      ia += n;
    } else if (change.added) {
      out.push({ aStart: ia, aEnd: ia, bStart: ib, bEnd: ib + n });
      ib += n;
    } else {
      ia += n;
      ib += n;
    }
  }
  return true;
}

function slice(s: Seq, from: number, to: number): ArrayLike<number> {
  // The token streams are Int32Arrays (a view, no copy); a plain array (tests) is copied.
  return s instanceof Int32Array ? s.subarray(from, to) : Array.from({ length: to - from }, (_, i) => s[from + i]!);
}

/**
 * Pairs (i in A, j in B) of tokens that occur exactly once in A's range and once in B's, reduced
 * to the longest chain increasing in both (patience diff's anchors), in order.
 */
export function uniqueAnchors(a: Seq, b: Seq, a0: number, a1: number, b0: number, b1: number): [number, number][] {
  const inA = positionsOfUnique(a, a0, a1);
  const inB = positionsOfUnique(b, b0, b1);
  const pairs: [number, number][] = [];
  for (const [token, ia] of inA) {
    const ib = inB.get(token);
    if (ib !== undefined) pairs.push([ia, ib]);
  }
  pairs.sort((x, y) => x[0] - y[0]);
  return longestIncreasing(pairs);
}

/** token -> position for the tokens that occur once in [from, to); -1 marks repeated ones. */
function positionsOfUnique(s: Seq, from: number, to: number): Map<number, number> {
  const seen = new Map<number, number>();
  for (let i = from; i < to; i++) {
    const t = s[i] as number;
    seen.set(t, seen.has(t) ? -1 : i);
  }
  for (const [t, i] of seen) if (i < 0) seen.delete(t);
  return seen;
}

/** Longest chain of pairs (sorted by A) whose B positions increase: patience sorting, O(n log n). */
function longestIncreasing(pairs: readonly [number, number][]): [number, number][] {
  const tails: number[] = [];
  const previous = new Int32Array(pairs.length);
  for (let k = 0; k < pairs.length; k++) {
    const key = (pairs[k] as [number, number])[1];
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((pairs[tails[mid] as number] as [number, number])[1] < key) lo = mid + 1;
      else hi = mid;
    }
    previous[k] = lo > 0 ? (tails[lo - 1] as number) : -1;
    tails[lo] = k;
  }
  const chain: [number, number][] = [];
  for (let k = tails.length > 0 ? (tails[tails.length - 1] as number) : -1; k >= 0; k = previous[k] as number) {
    chain.push(pairs[k] as [number, number]);
  }
  return chain.reverse();
}

/** A deletion directly followed by an insertion at the same place is one replacement hunk. */
function mergeAdjacent(hunks: readonly Hunk[]): Hunk[] {
  const merged: Hunk[] = [];
  for (const h of hunks) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.aEnd === h.aStart && last.bEnd === h.bStart) {
      merged[merged.length - 1] = { aStart: last.aStart, aEnd: h.aEnd, bStart: last.bStart, bEnd: h.bEnd };
    } else {
      merged.push(h);
    }
  }
  return merged;
}

/** Calls `each(i, j)` for every matched pair, in order, between and around the hunks. */
export function forEachMatch(hunks: readonly Hunk[], aLength: number, bLength: number, each: (i: number, j: number) => void): void {
  let i = 0;
  let j = 0;
  for (const h of [...hunks, { aStart: aLength, aEnd: aLength, bStart: bLength, bEnd: bLength }]) {
    while (i < h.aStart && j < h.bStart) each(i++, j++);
    i = h.aEnd;
    j = h.bEnd;
  }
}
