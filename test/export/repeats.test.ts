// Loop detection for generated code, on SYNTHETIC statement lists.
import { describe, expect, it } from '@jest/globals';
import { findRuns } from '../../src/export/repeats.js';

const shape = (items: string[]): string[] => findRuns(items, (s) => s).map((run) => `${run.times}x[${run.block.join(',')}]`);

describe('findRuns', () => {
  it('folds a block repeated at least 3 times covering at least 6 items', () => {
    expect(shape(['x', 'a', 'b', 'a', 'b', 'a', 'b', 'y'])).toEqual(['1x[x]', '3x[a,b]', '1x[y]']);
    expect(shape(['a', 'a', 'a', 'a', 'a', 'a'])).toEqual(['6x[a]']);
  });

  it('leaves short repetitions alone', () => {
    expect(shape(['a', 'a', 'a', 'b'])).toEqual(['1x[a]', '1x[a]', '1x[a]', '1x[b]']);
    expect(shape(['a', 'b', 'a', 'b'])).toEqual(['1x[a]', '1x[b]', '1x[a]', '1x[b]']);
  });

  it('prefers the block that covers most', () => {
    expect(shape(['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c'])).toEqual(['3x[a,b,c]']);
  });

  it('keeps every item, in order', () => {
    const items = ['p', 'a', 'b', 'a', 'b', 'a', 'b', 'a', 'q', 'q'];
    expect(findRuns(items, (s) => s).flatMap((run) => run.items)).toEqual(items);
  });
});
