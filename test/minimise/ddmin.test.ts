// ddmin on SYNTHETIC predicates (no trace, no QEMU): the algorithm's guarantees by themselves.
import { describe, expect, it } from '@jest/globals';
import { ddmin } from '../../src/minimise/ddmin.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const needs = (...required: number[]) => async (c: readonly number[]): Promise<boolean> => required.every((r) => c.includes(r));

describe('ddmin (synthetic predicates)', () => {
  it('finds exactly the units a failure needs, in their order', async () => {
    const r = await ddmin(range(100), needs(3, 41, 97), { maxTests: 1_000 });
    expect(r.kept).toEqual([3, 41, 97]);
    expect(r.minimal).toBe(true);
  });

  it('keeps an order-dependent pair (a write before the read it breaks)', async () => {
    const before = async (c: readonly number[]): Promise<boolean> => c.indexOf(10) >= 0 && c.indexOf(10) < c.indexOf(20);
    expect((await ddmin(range(64), before, { maxTests: 1_000 })).kept).toEqual([10, 20]);
  });

  it('removes the last unit too when the failure needs none of them', async () => {
    expect((await ddmin(range(7), async () => true, { maxTests: 1_000 })).kept).toEqual([]);
    expect((await ddmin([42], async () => true, { maxTests: 1_000 })).kept).toEqual([]);
    expect((await ddmin([42], needs(42), { maxTests: 1_000 })).kept).toEqual([42]);
  });

  it('returns everything when nothing can be removed', async () => {
    const r = await ddmin(range(5), needs(0, 1, 2, 3, 4), { maxTests: 1_000 });
    expect(r.kept).toEqual(range(5));
    expect(r.minimal).toBe(true);
  });

  it('stops at the budget with the smallest reproducing sequence so far', async () => {
    const seen: number[] = [];
    const r = await ddmin(range(1_000), needs(500), { maxTests: 3, onTest: (_, size) => seen.push(size) });
    expect(r.tests).toBe(3);
    expect(r.minimal).toBe(false);
    expect(r.kept).toContain(500);
    expect(r.kept.length).toBeLessThan(1_000);
    expect(seen).toHaveLength(3);
  });
});
