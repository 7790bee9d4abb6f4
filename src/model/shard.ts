// Where a report's traces sit in a corpus split across CI jobs (`replay --shard i/n`), so `merge`
// can put the shards back in the corpus's order and tell a missing or repeated shard. Pure types.

export interface ShardInfo {
  /** 1-based shard number and the number of shards. */
  readonly index: number;
  readonly count: number;
  /** Traces in the whole corpus (every shard). */
  readonly corpus: number;
  /** Position in the whole corpus of each trace of this report, in report order. */
  readonly positions: readonly number[];
}
