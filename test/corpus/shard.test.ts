// Splitting a corpus across CI jobs: every trace in exactly one share, shares as even as can be, and
// the same split whatever order the corpus is given in.
import { describe, expect, it } from '@jest/globals';
import { parseShard, selectShard } from '../../src/corpus/shard.js';
import { realTraces } from '../replay/replay-env.js';

describe('--shard i/n', () => {
  it('parses i/n and rejects anything else', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/4', '5/4', '2', '2/0', 'a/b', '1/2/3', '-1/2']) expect(() => parseShard(bad)).toThrow('--shard must be i/n');
    expect(parseShard(undefined)).toBeUndefined();
  });

  it('deals every trace to exactly one shard, evenly', () => {
    const corpus = realTraces();
    for (const count of [1, 2, 3, 5, 16, 20]) {
      const shares = Array.from({ length: count }, (_, i) => selectShard(corpus, { index: i + 1, count }));
      const all = shares.flatMap((s) => s.positions).sort((a, b) => a - b);
      expect(all).toEqual(corpus.map((_, i) => i));
      const sizes = shares.map((s) => s.traces.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      for (const s of shares) {
        expect(s.corpus).toBe(corpus.length);
        expect(s.traces).toEqual(s.positions.map((p) => corpus[p]));
      }
    }
  });

  it('gives a trace the same shard whatever order the corpus came in', () => {
    const corpus = realTraces();
    const reversed = [...corpus].reverse();
    for (let index = 1; index <= 3; index++) {
      const a = selectShard(corpus, { index, count: 3 }).traces;
      const b = selectShard(reversed, { index, count: 3 }).traces;
      expect([...a].sort()).toEqual([...b].sort());
    }
  });

  it('keeps the corpus order within a shard and covers all without --shard', () => {
    const corpus = ['c.log', 'b.log', 'a.log'];
    // By path: a (rank 0) and c (rank 2) go to shard 1, b to shard 2; within a shard, corpus order.
    expect(selectShard(corpus, { index: 1, count: 2 })).toEqual({ traces: ['c.log', 'a.log'], positions: [0, 2], corpus: 3 });
    expect(selectShard(corpus, { index: 2, count: 2 })).toEqual({ traces: ['b.log'], positions: [1], corpus: 3 });
    expect(selectShard(corpus, undefined)).toEqual({ traces: corpus, positions: [0, 1, 2], corpus: 3 });
  });

  it('leaves a shard empty when there are more shards than traces', () => {
    expect(selectShard(['a.log'], { index: 2, count: 3 })).toEqual({ traces: [], positions: [], corpus: 1 });
  });
});
