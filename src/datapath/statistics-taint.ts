// Statistics counters after a transmitted packet whose bytes the replay could not rebuild (sent
// while the recording's link was down, so not in the capture; or a captured frame that does not fit
// the descriptors), or a received frame it did not inject (the capture ran out, say). The
// recording's device counted that packet by what it carried (multicast or broadcast, its size bin)
// or at all; the replay's device counts whatever the unseeded buffers hold, or nothing. A counter
// that then differs does so for a reason of the replay, not of the device, until a read clears it
// on both sides (statistics are clear-on-read); from there on it is compared again.

import type { TraceRecord } from '../model/access.js';
import type { RegisterDatabase } from '../regs/database.js';
import type { TxSeed } from './tx-path.js';

interface Cause {
  /** What the replay could not reproduce: a packet's bytes, or a frame. */
  readonly what: string;
  readonly line: number;
  readonly reason: string;
}

const UNREBUILT = 'a transmitted packet whose bytes the replay could not rebuild';
const UNINJECTED = 'a received frame the replay did not inject';

export class StatisticsTaint {
  private cause: Cause | undefined;
  /** Counters read (and so cleared) since the cause: compared again. */
  private readonly cleared = new Set<number>();

  constructor(private readonly registers: RegisterDatabase) {}

  /**
   * The reads of this window a counter difference is explained at, by seq, with the reason; `seeds`
   * are the window's tail writes (by the tail write's seq) with the packets not rebuilt;
   * `leftOut`, the packet markers (by line) with a received frame not injected.
   */
  window(records: readonly TraceRecord[], seeds: ReadonlyMap<number, TxSeed>,
    leftOut: ReadonlyMap<number, { readonly line: number; readonly reason: string }> = new Map()): Map<number, string> {
    const explained = new Map<number, string>();
    for (const record of records) {
      if (record.type === 'marker') {
        const frame = leftOut.get(record.line);
        if (frame !== undefined) this.taint({ what: UNINJECTED, ...frame });
        continue;
      }
      const skipped = seeds.get(record.seq)?.skipped[0];
      if (skipped !== undefined) {
        this.taint({ what: UNREBUILT, line: skipped.line, reason: skipped.reason });
        continue;
      }
      if (this.cause === undefined || record.kind !== 'read' || record.space !== 'mmio' || this.cleared.has(record.offset)) continue;
      const def = this.registers.lookupOffset(record.offset)?.def;
      if (def?.block !== 'statistics') continue;
      explained.set(record.seq, `statistics counter: it counted ${this.cause.what} (line ${this.cause.line.toLocaleString('en-US')}: ${this.cause.reason})`);
      if (def.readSideEffect) this.cleared.add(record.offset);
    }
    return explained;
  }

  private taint(cause: Cause): void {
    this.cause = cause;
    this.cleared.clear();
  }
}
