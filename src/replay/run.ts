// Running a prepared replay (src/replay/prepare.ts) against a target made by a factory: the real
// QEMU by default, a fake one in engine tests, several QEMU builds for a comparison. The target is
// always closed — also when the run fails midway, in which case the result is partial and says
// where it stopped.

import type { ReplayResult, TargetDescription, TargetObservations } from '../model/replay.js';
import { runPlan, type EngineRun, type ReplayTarget } from './engine.js';
import type { ReplayJob, TargetSpec } from './prepare.js';
import { QemuReplayTarget } from './qemu-target.js';
import { buildResult } from './result.js';

/** A target the runner owns: it replays, says what it is and what it logged, and is closed after. */
export interface OwnedTarget extends ReplayTarget {
  describe(): TargetDescription;
  /** False once the target died (then what it logged is not asked for). */
  readonly alive: boolean;
  /** What the target said about each access it was sent, and the device events it logged. */
  observations(): Promise<TargetObservations>;
  close(): Promise<void>;
}

export type TargetFactory = (spec: TargetSpec) => Promise<OwnedTarget>;

/** The real thing: a fresh QEMU per replay. */
export const qemuTargetFactory: TargetFactory = (spec) => QemuReplayTarget.start({
  device: spec.device.text, mac: spec.device.mac, time: spec.time,
  ...(spec.qemu === undefined ? {} : { qemu: spec.qemu }),
  ...(spec.keepTempDir === undefined ? {} : { keepTempDir: spec.keepTempDir }),
});

export interface RunHooks {
  /** Progress of the replay itself (steps done of total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called once the target is up (tests that need its pid or temp dir). */
  readonly onTarget?: (target: OwnedTarget) => void;
  /**
   * Called with what the target logged and what was sent, before the result is built: a comparison
   * of builds needs each build's own events, not only their differences to the recording.
   */
  readonly onObservations?: (observations: TargetObservations, run: EngineRun) => void;
  /** Called with the result as soon as it is known, before the target is closed (timing, early reporting). */
  readonly onResult?: (result: ReplayResult) => void;
}

export async function runReplay(job: ReplayJob, factory: TargetFactory = qemuTargetFactory, hooks: RunHooks = {}): Promise<ReplayResult> {
  const started = Date.now();
  const target = await factory(job.target);
  try {
    hooks.onTarget?.(target);
    const run = await runPlan(job.plan, target, hooks.onProgress === undefined ? {} : { onProgress: hooks.onProgress });
    const observations: TargetObservations = target.alive ? await target.observations() : { verdicts: { accesses: [], phyUnhandled: [] } };
    hooks.onObservations?.(observations, run);
    const result = buildResult({
      trace: job.trace, target: target.describe(), plan: job.plan, run, records: job.records, observations, registers: job.registers,
      options: job.compare, durationMs: Date.now() - started,
    });
    hooks.onResult?.(result);
    return result;
  } finally {
    await target.close();
  }
}
