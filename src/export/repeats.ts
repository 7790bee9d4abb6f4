// Finds runs of a repeated block of statements (the driver takes and releases the SWSM/SW_FW_SYNC
// semaphores hundreds of times with the same values), so generated code can say
// `for (i = 0; i < 120; i++)` instead of repeating itself. Pure; works on any comparable key.

export interface Run<T> {
  /** The repeated block (its first occurrence). */
  readonly block: readonly T[];
  readonly times: number;
  /** All items the run covers, in order (for line ranges). */
  readonly items: readonly T[];
}

/** Longest block length tried: the driver's loops over a register group are short. */
const MAX_BLOCK = 8;
/** A block must repeat this often, and cover this many items, to be worth a loop. */
const MIN_TIMES = 3;
const MIN_ITEMS = 6;

/** Splits `items` into runs; items outside any repetition are runs with `times` 1. */
export function findRuns<T>(items: readonly T[], key: (item: T) => string): Run<T>[] {
  const keys = items.map(key);
  const runs: Run<T>[] = [];
  let single: T[] = [];
  let i = 0;
  while (i < items.length) {
    const best = bestRepeat(keys, i);
    if (best === undefined) {
      single.push(items[i]!);
      i++;
      continue;
    }
    for (const item of single) runs.push({ block: [item], times: 1, items: [item] });
    single = [];
    const covered = items.slice(i, i + best.length * best.times);
    runs.push({ block: covered.slice(0, best.length), times: best.times, items: covered });
    i += covered.length;
  }
  for (const item of single) runs.push({ block: [item], times: 1, items: [item] });
  return runs;
}

function bestRepeat(keys: readonly string[], start: number): { length: number; times: number } | undefined {
  let best: { length: number; times: number } | undefined;
  for (let length = 1; length <= MAX_BLOCK && start + 2 * length <= keys.length; length++) {
    let times = 1;
    while (sameBlock(keys, start, start + times * length, length)) times++;
    const covered = length * times;
    if (times >= MIN_TIMES && covered >= MIN_ITEMS && (best === undefined || covered > best.length * best.times)) {
      best = { length, times };
    }
  }
  return best;
}

function sameBlock(keys: readonly string[], a: number, b: number, length: number): boolean {
  if (b + length > keys.length) return false;
  for (let k = 0; k < length; k++) if (keys[a + k] !== keys[b + k]) return false;
  return true;
}
