// Statistics counters after a transmitted packet whose bytes the replay could not rebuild (sent
// while the recording's link was down, so not in the capture; or a captured frame that does not fit
// the descriptors). The recording's device counted that packet by what it carried (multicast or
// broadcast, its size bin); the replay's device counts whatever the unseeded buffers hold. A counter
// that then differs does so for a reason of the replay, not of the device, until a read clears it
// on both sides (statistics are clear-on-read); from there on it is compared again.

import type { TraceRecord } from '../model/access.js';
import type { RegisterDatabase } from '../regs/database.js';
import type { TxSeed } from './tx-path.js';

interface Cause {
  readonly line: number;
  readonly reason: string;
}

export class StatisticsTaint {
  private cause: Cause | undefined;
  /** Counters read (and so cleared) since the cause: compared again. */
  private readonly cleared = new Set<number>();

  constructor(private readonly registers: RegisterDatabase) {}

  /**
   * The reads of this window a counter difference is explained at, by seq, with the reason; `seeds`
   * are the window's tail writes (by the tail write's seq) with the packets not rebuilt.
   */
  window(records: readonly TraceRecord[], seeds: ReadonlyMap<number, TxSeed>): Map<number, string> {
    const explained = new Map<number, string>();
    for (const record of records) {
      if (record.type !== 'access') continue;
      const skipped = seeds.get(record.seq)?.skipped[0];
      if (skipped !== undefined) {
        this.cause = { line: skipped.line, reason: skipped.reason };
        this.cleared.clear();
        continue;
      }
      if (this.cause === undefined || record.kind !== 'read' || record.space !== 'mmio' || this.cleared.has(record.offset)) continue;
      const def = this.registers.lookupOffset(record.offset)?.def;
      if (def?.block !== 'statistics') continue;
      explained.set(record.seq, `statistics counter: it counted a transmitted packet whose bytes the replay could not rebuild (line ${this.cause.line.toLocaleString('en-US')}: ${this.cause.reason})`);
      if (def.readSideEffect) this.cleared.add(record.offset);
    }
    return explained;
  }
}
