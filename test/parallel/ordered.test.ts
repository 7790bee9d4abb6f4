// The ordered runner of parallel replays, with synthetic tasks (timers, no QEMU): outputs in input
// order whatever order tasks finish in, never more at once than allowed, and on failure no new
// starts and the earliest failing task's error.
import { describe, expect, it } from '@jest/globals';
import { runOrdered } from '../../src/parallel/ordered.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('runOrdered', () => {
  it('returns outputs in input order when later tasks finish first', async () => {
    const finished: number[] = [];
    const out = await runOrdered([40, 5, 20, 1], async (ms, i) => {
      await sleep(ms);
      finished.push(i);
      return `task ${i}`;
    }, { concurrency: 4 });
    expect(out).toEqual(['task 0', 'task 1', 'task 2', 'task 3']);
    expect(finished).not.toEqual([0, 1, 2, 3]);
  });

  it('runs at most `concurrency` tasks at once, and reports each as done', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await runOrdered(Array.from({ length: 9 }, (_, i) => i), async () => {
      peak = Math.max(peak, ++running);
      await sleep(5);
      running--;
    }, { concurrency: 3, onDone: (_, __, count) => done.push(count) });
    expect(peak).toBe(3);
    expect(done).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('starts nothing after a failure, lets running tasks finish, and throws the earliest failure', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = runOrdered([0, 1, 2, 3, 4, 5], async (i) => {
      started.push(i);
      await sleep(i === 1 ? 30 : 5);
      if (i === 0 || i === 1) throw new Error(`task ${i} failed`);
      finished.push(i);
    }, { concurrency: 2 });
    // Task 0 fails first; task 1, already running, fails later: the error is still task 0's.
    await expect(run).rejects.toThrow('task 0 failed');
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([]);
  });

  it('stops starting tasks when told to', async () => {
    let stop = false;
    const run = runOrdered([0, 1, 2, 3], async (i) => {
      if (i === 1) stop = true;
      await sleep(1);
    }, { concurrency: 1, stopped: () => stop });
    await expect(run).rejects.toThrow('stopped after 2 of 4 tasks');
  });

  it('starts tasks in the order given and still returns outputs in input order', async () => {
    const started: number[] = [];
    const out = await runOrdered(['a', 'b', 'c', 'd'], async (name, i) => {
      started.push(i);
      await sleep(1);
      return name.toUpperCase();
    }, { concurrency: 1, startOrder: [2, 0, 3, 1] });
    expect(started).toEqual([2, 0, 3, 1]);
    expect(out).toEqual(['A', 'B', 'C', 'D']);
  });

  it('rejects a start order that is not a permutation of the inputs', async () => {
    const run = (startOrder: number[]): Promise<unknown> => runOrdered([0, 1, 2], async () => undefined, { concurrency: 1, startOrder });
    await expect(run([0, 1])).rejects.toThrow('each of the 3 input indices once');
    await expect(run([0, 1, 1])).rejects.toThrow('each of the 3 input indices once');
    await expect(run([0, 1, 3])).rejects.toThrow('each of the 3 input indices once');
  });
});
