// Counts what a replay did with the recording's accesses, window by window, so that the report's
// totals add up (the sums are stated on ReplayCounts in src/model/replay.ts). Every access of the
// recording lands in exactly one of: replayed one by one, read inside a folded polling loop,
// skipped by design, or not reached because the replay stopped early. No I/O.

import type { Access, TraceRecord } from '../model/access.js';
import type { ReplayCounts } from '../model/replay.js';
import type { EngineRun } from './engine.js';
import type { WindowPlan } from './plan.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class CountTally {
  private readonly c = {
    recorded: 0, oneByOne: 0, pollReads: 0, skipped: 0, registerReads: 0, writes: 0, configWrites: 0, configReads: 0,
    pollReadsSent: 0, barWrites: 0, reads: 0, configAnswered: 0, unanswered: 0, markers: 0, timeAdvances: 0, linkChanges: 0, polls: 0,
  };

  /** A window the replay planned and ran (the last one may have stopped midway). */
  window(records: readonly TraceRecord[], plan: WindowPlan, run: EngineRun): void {
    const c = this.c;
    c.recorded += accessesIn(records);
    c.markers += plan.markers;
    c.timeAdvances += run.timeAdvances;
    c.linkChanges += run.linkChanges;
    c.barWrites += run.barWrites;
    for (const step of plan.steps) {
      if ('marker' in step || !reached(step.access, run)) continue;
      const answered = run.actual.has(step.access.seq);
      switch (step.kind) {
        case 'skip': c.skipped++; break;
        case 'write': c.writes++; break;
        case 'config-write': c.configWrites++; break;
        // Its writes are the replay's own, not the recording's: counted from the run (barWrites).
        case 'reprogram-bars': break;
        case 'config-read':
          c.configReads++;
          if (answered) c.configAnswered++; else c.unanswered++;
          break;
        case 'read':
          if (step.poll === undefined) {
            c.registerReads++;
            if (answered) c.reads++; else c.unanswered++;
            break;
          }
          // A loop is counted once, at its first read, by the reads the recording made: it stands for them all.
          if (step.access.seq !== step.poll.firstSeq) break;
          this.poll(run.polls.get(step.access.seq)?.readsMade, step.poll.reads);
          break;
      }
    }
  }

  /** A window after the replay stopped: its accesses were not reached. */
  unreached(records: readonly TraceRecord[]): void {
    this.c.recorded += accessesIn(records);
  }

  finish(): ReplayCounts {
    const { configAnswered, ...c } = this.c;
    const oneByOne = c.registerReads + c.writes + c.configWrites + c.configReads;
    const counts: Mutable<ReplayCounts> = {
      ...c, oneByOne, notReached: c.recorded - oneByOne - c.pollReads - c.skipped,
      accesses: oneByOne + c.pollReadsSent + c.barWrites, compared: c.reads + configAnswered,
    };
    return counts;
  }

  private poll(readsMade: number | undefined, recordedReads: number): void {
    // A loop the engine did not finish (the replay stopped in it) was not reached.
    if (readsMade === undefined) return;
    this.c.polls++;
    this.c.pollReads += recordedReads;
    this.c.pollReadsSent += readsMade;
    this.c.reads += recordedReads;
  }
}

/**
 * A run that stopped early sent the steps before the access it stopped at (seqs follow the plan);
 * the one it stopped at counts as not reached.
 */
export function reached(access: Access, run: EngineRun): boolean {
  if (run.completed) return true;
  return run.stoppedAt !== undefined && access.seq < run.stoppedAt.seq;
}

export function accessesIn(records: readonly TraceRecord[]): number {
  let count = 0;
  for (const record of records) if (record.type === 'access') count++;
  return count;
}
