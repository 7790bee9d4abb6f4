import { describe, expect, it } from '@jest/globals';
import { editDistance, suggestNames } from '../../src/analysis/suggest.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and transpositions as one edit each', () => {
    expect(editDistance('STATUS', 'STATUS')).toBe(0);
    expect(editDistance('STATS', 'STATUS')).toBe(1);
    expect(editDistance('RDBLA', 'RDBAL')).toBe(1);
    expect(editDistance('', 'CTRL')).toBe(4);
    expect(editDistance('ICR', 'ICS')).toBe(1);
  });
});

describe('suggestNames', () => {
  const names = ['CTRL', 'CTRL_EXT', 'STATUS', 'ICR', 'ICS', 'IMS'];

  it('offers close names, closest first', () => {
    expect(suggestNames('ctrl_ex', names)).toEqual({ names: ['CTRL_EXT', 'CTRL'], close: true });
    // IMS is two edits from ICX: more than a third of a three-letter name.
    expect(suggestNames('ICX', names).names).toEqual(['ICR', 'ICS']);
  });

  it('falls back to the nearest names when none is close', () => {
    const s = suggestNames('WXYZWXYZ', names);
    expect(s.close).toBe(false);
    expect(s.names).toHaveLength(3);
  });
});
