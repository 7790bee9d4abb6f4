// Running a prepared replay (src/replay/prepare.ts) against a target made by a factory: the real
// QEMU by default, a fake one in engine tests, several QEMU builds for a comparison. The recording
// goes through window by window (src/replay/record-windows.ts): each window is planned, sent,
// checked against what the target logged meanwhile and tallied, then dropped, so memory stays
// bounded on a recording of any length. The target is always closed — also when the run fails
// midway, in which case the result is partial and says where it stopped.

import type { TraceRecord } from '../model/access.js';
import type { ReplayResult, TargetDescription, TargetObservations } from '../model/replay.js';
import { runPlan, type EngineRun, type ReplayTarget } from './engine.js';
import { EventsCollector } from './events-result.js';
import { Planner, type WindowPlan } from './plan.js';
import type { ReplayJob, TargetSpec } from './prepare.js';
import { QemuReplayTarget } from './qemu-target.js';
import { windowsFrom } from './record-windows.js';
import { accessesIn } from './counts.js';
import { ResultCollector } from './result.js';
import { DataPathRun } from '../datapath/run-data-path.js';

/** A target the runner owns: it replays, says what it is and what it logged, and is closed after. */
export interface OwnedTarget extends ReplayTarget {
  describe(): TargetDescription;
  /** False once the target died (then what it logged is not asked for). */
  readonly alive: boolean;
  /**
   * What the target said about each access it was sent since the last call (the first call: since
   * it started), and the device events it logged meanwhile, places counted from the start.
   */
  observations(): Promise<TargetObservations>;
  close(): Promise<void>;
}

/** What a factory tells its caller while the target starts. */
export interface StartHooks {
  /** The target's process exists (it is still starting): see early-target.ts. */
  readonly onSpawned?: () => void;
}

export type TargetFactory = (spec: TargetSpec, hooks?: StartHooks) => Promise<OwnedTarget>;

/** The real thing: a fresh QEMU per replay. */
export const qemuTargetFactory: TargetFactory = (spec, hooks) => QemuReplayTarget.start({
  device: spec.device.text, mac: spec.device.mac, placement: spec.placement, time: spec.time,
  ...(spec.qemu === undefined ? {} : { qemu: spec.qemu }),
  ...(spec.keepTempDir === undefined ? {} : { keepTempDir: spec.keepTempDir }),
  ...(spec.memoryMib === undefined ? {} : { memoryMib: spec.memoryMib }),
  ...(spec.ownNetdev === undefined ? {} : { ownNetdev: spec.ownNetdev }),
  ...(hooks?.onSpawned === undefined ? {} : { onSpawned: hooks.onSpawned }),
});

/** One window as replayed: what a comparison of builds needs of each build. */
export interface ReplayedWindow {
  readonly records: readonly TraceRecord[];
  readonly plan: WindowPlan;
  readonly run: EngineRun;
  /** The replay-wide number of the run's first place. */
  readonly placeBase: number;
  readonly observations: TargetObservations;
}

export interface RunHooks {
  /** Progress of the replay itself (accesses of the recording done, of total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called once the target is up (tests that need its pid or temp dir). */
  readonly onTarget?: (target: OwnedTarget) => void;
  /**
   * Called with each window, what was sent and what the target logged, before it is checked: a
   * comparison of builds needs each build's own events, not only their differences to the recording.
   */
  readonly onWindow?: (window: ReplayedWindow) => void;
  /** Called with the result as soon as it is known, before the target is closed (timing, early reporting). */
  readonly onResult?: (result: ReplayResult) => void;
}

const NO_OBSERVATIONS: TargetObservations = { verdicts: { accesses: [], phyUnhandled: [] } };

export async function runReplay(job: ReplayJob, factory: TargetFactory = qemuTargetFactory, hooks: RunHooks = {}): Promise<ReplayResult> {
  const started = Date.now();
  const target = await factory(job.target);
  const dataPath = DataPathRun.start(job, target);
  try {
    hooks.onTarget?.(target);
    const planner = new Planner(job.registers, job.negotiationVisible, job.configWritesRecorded);
    const results = new ResultCollector(job.registers, dataPath.replaysTraffic ? { ...job.compare, trafficReplayed: true } : job.compare);
    const events = new EventsCollector(job.registers, job.target.device.model, { clockPaced: target.pacesClock === true });
    let placeBase = 0;
    let done = 0;
    let stoppedRun: EngineRun | undefined;
    for await (const records of windowsFrom(job.source, job.windowRecords)) {
      const plan = planner.window(records);
      if (stoppedRun !== undefined) {
        // Read to the end, not run: the report counts every access of the recording and its phases.
        results.unreached(records, plan);
        continue;
      }
      const data = await dataPath.window(records);
      const before = done;
      const run = await runPlan(plan, target, {
        ...(data === undefined ? {} : { handoffs: data.handoffs, injections: data.injections }),
        onProgress: (stepsDone, steps) => hooks.onProgress?.(Math.min(job.accessCount, before + Math.round((stepsDone / Math.max(steps, 1)) * accessesIn(records))), job.accessCount),
      });
      done += accessesIn(records);
      const observations = target.alive ? await target.observations() : NO_OBSERVATIONS;
      hooks.onWindow?.({ records, plan, run, placeBase, observations });
      const byEvents = events.window({
        records, run, placeBase, target: observations.events, frozenTime: plan.frozenTime,
        // A write whose switched frames the target cannot make alike is no transmit for the events:
        // what they did is left out like a received frame's that was not injected.
        ...(data === undefined ? {} : { transmitsAt: new Set([...data.handoffs.keys()].filter((seq) => !data.switchedNotRemade.has(seq))) }),
      });
      // The events' explanation first: the data path's only covers counters after an unrebuilt packet.
      const explainedReads = data === undefined || data.explainedReads.size === 0 ? byEvents : new Map([...data.explainedReads, ...byEvents]);
      results.add({ records, plan, run, verdicts: observations.verdicts, explainedReads, phases: planner.phases() });
      if (target.alive) await dataPath.checked(run, target);
      placeBase += run.places.length;
      if (!run.completed) stoppedRun = run;
    }
    const frames = await dataPath.finish(target, stoppedRun === undefined);
    const phases = planner.phases();
    const notices = results.notices();
    const result = results.finish({
      trace: job.trace, target: target.describe(), phases, notices,
      events: events.finish(phases, notices.length === 0 ? undefined : notices.join(' ')),
      durationMs: Date.now() - started, frames,
      ...(stoppedRun === undefined ? {} : { stoppedRun }),
    });
    hooks.onResult?.(result);
    return result;
  } finally {
    await dataPath.close();
    await target.close();
  }
}

