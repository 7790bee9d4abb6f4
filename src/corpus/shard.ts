// Splitting a corpus across CI jobs (`--shard i/n`): every job is given the same corpus and keeps
// its share. Shares are dealt round-robin over the corpus sorted by trace path, so they are the same
// on every machine and in every job whatever order the arguments came in, and differ in size by at
// most one trace. Each job's report records where its traces sit in the whole corpus, so `merge`
// puts the shards back in the corpus's order and can tell when one is missing. The CI system runs
// the jobs: nothing here schedules anything.

import { CorpusError } from './errors.js';

export interface Shard {
  /** 1-based, as CI matrices count (`--shard 2/4`). */
  readonly index: number;
  readonly count: number;
}

/** The part of a corpus a shard replays, and where each of its traces sits in the whole corpus. */
export interface ShardSelection {
  readonly traces: readonly string[];
  readonly positions: readonly number[];
  /** Traces in the whole corpus. */
  readonly corpus: number;
}

/** `--shard i/n` (1 ≤ i ≤ n). */
export function parseShard(value: unknown): Shard | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(String(value));
  const index = m === null ? Number.NaN : Number(m[1]);
  const count = m === null ? Number.NaN : Number(m[2]);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new CorpusError(`--shard must be i/n with 1 <= i <= n, such as 2/4, got ${JSON.stringify(value)}`,
      'CI matrices number their jobs: GitLab CI_NODE_INDEX/CI_NODE_TOTAL, GitHub ${{ matrix.shard }}/N');
  }
  return { index, count };
}

/** The whole corpus when `shard` is undefined. */
export function selectShard(corpus: readonly string[], shard: Shard | undefined): ShardSelection {
  const all = corpus.map((_, i) => i);
  if (shard === undefined) return { traces: corpus, positions: all, corpus: corpus.length };
  const byPath = [...all].sort((a, b) => compareText(corpus[a]!, corpus[b]!) || a - b);
  const mine = new Set(byPath.filter((_, rank) => rank % shard.count === shard.index - 1));
  const positions = all.filter((i) => mine.has(i));
  return { traces: positions.map((i) => corpus[i]!), positions, corpus: corpus.length };
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
