import { describe, expect, it } from '@jest/globals';
import { alignSequences, forEachMatch, uniqueAnchors, type Hunk } from '../../src/diff/align.js';

const seq = (text: string): Int32Array => Int32Array.from([...text].map((ch) => ch.charCodeAt(0)));

/** The hunks as `A[aStart,aEnd) B[bStart,bEnd)` plus a check that matched pairs really match. */
function align(a: string, b: string, maxEdit?: number): string[] {
  const sa = seq(a);
  const sb = seq(b);
  const hunks = alignSequences(sa, sb, maxEdit === undefined ? {} : { maxEdit });
  forEachMatch(hunks, sa.length, sb.length, (i, j) => expect(sa[i]).toBe(sb[j]));
  return hunks.map((h: Hunk) => `A[${h.aStart},${h.aEnd}) B[${h.bStart},${h.bEnd})`);
}

describe('alignSequences', () => {
  it('finds nothing to report for identical and empty sequences', () => {
    expect(align('abcabc', 'abcabc')).toEqual([]);
    expect(align('', '')).toEqual([]);
  });

  it('reports one side empty as one hunk', () => {
    expect(align('', 'xyz')).toEqual(['A[0,0) B[0,3)']);
    expect(align('xyz', '')).toEqual(['A[0,3) B[0,0)']);
  });

  it('finds insertions, deletions and replacements', () => {
    expect(align('abcdef', 'abXcdef')).toEqual(['A[2,2) B[2,3)']);
    expect(align('abcdef', 'abdef')).toEqual(['A[2,3) B[2,2)']);
    expect(align('abcdef', 'abXYef')).toEqual(['A[2,4) B[2,4)']);
    expect(align('abcdefgh', 'aXcdefYh')).toEqual(['A[1,2) B[1,2)', 'A[6,7) B[6,7)']);
  });

  it('aligns a long tail that only B has (a second driver load)', () => {
    expect(align('abcde', `abcde${'fgh'.repeat(100)}`)).toEqual(['A[5,5) B[5,305)']);
  });

  it('falls back to unique anchors when Myers would need more edits than allowed', () => {
    // With at most 2 edits Myers gives up; 'M' occurs once on each side and splits the problem.
    expect(align('xxxxMyyyy', 'zzzzMwwww', 2)).toEqual(['A[0,4) B[0,4)', 'A[5,9) B[5,9)']);
    // No unique token at all: one replaced hunk, nothing matched.
    expect(align('xxxx', 'yyyy', 1)).toEqual(['A[0,4) B[0,4)']);
  });
});

describe('uniqueAnchors', () => {
  it('keeps the longest chain of unique tokens in the same order on both sides', () => {
    const a = seq('pAqBrC');
    const b = seq('CsAtB');
    expect(uniqueAnchors(a, b, 0, a.length, 0, b.length)).toEqual([[1, 2], [3, 4]]);
  });
});
