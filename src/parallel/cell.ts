// One cell of a corpus run: one trace replayed against one QEMU build, from the trace's path to its
// result — loaded, prepared and run exactly as a lone `replay` does — and, for a comparison of
// builds, the device events that build logged (src/matrix/build-events.ts). Runs in the main
// thread or in a worker thread (replay-worker.ts): its input and output are plain data.

import type { ReplayResult } from '../model/replay.js';
import { BuildEventsGatherer, type BuildEvents } from '../matrix/build-events.js';
import type { Trace } from '../model/trace.js';
import { EarlyTarget } from '../replay/early-target.js';
import { prepareReplay, type PrepareOptions, type ReplayJob } from '../replay/prepare.js';
import { QemuReplayTarget } from '../replay/qemu-target.js';
import { runReplay, type ReplayedWindow } from '../replay/run.js';
import { loadTrace } from '../trace/load.js';

export interface CellRequest {
  readonly trace: string;
  readonly lenient: boolean;
  readonly barBase?: number;
  readonly prepare: PrepareOptions;
  /** Keep the build's own device events (several builds are compared). */
  readonly keepEvents: boolean;
}

export interface CellOutcome {
  readonly result: ReplayResult;
  readonly events?: BuildEvents;
}

/** A QEMU a cell started: whoever must stop it when the cell's thread cannot (a signal) needs these. */
export interface StartedQemu {
  readonly pid: number;
  readonly tempDir: string;
}

export interface CellHooks {
  readonly onWarning?: (message: string) => void;
  readonly onQemu?: (qemu: StartedQemu) => void;
  readonly onProgress?: (done: number, total: number) => void;
}

export async function runCell(request: CellRequest, hooks: CellHooks = {}): Promise<CellOutcome> {
  const source = { lenient: request.lenient, ...(request.barBase === undefined ? {} : { barBase: request.barBase }) };
  // QEMU starts while the trace loads (a guess of its device, checked against the loaded trace's).
  const early = await EarlyTarget.start(request.trace, request.prepare);
  let job: ReplayJob;
  let trace: Trace;
  try {
    // A long recording is not held in memory: the replay reads it again as it goes.
    trace = await loadTrace(request.trace, { ...source, keepRecords: 'small', onWarning: (message) => hooks.onWarning?.(message) });
    job = prepareReplay(trace, { ...request.prepare, source });
  } catch (error) {
    await early.discard();
    throw error;
  }
  let events: BuildEvents | undefined;
  const gatherer = request.keepEvents ? new BuildEventsGatherer(trace.device.model, job.registers) : undefined;
  const result = await runReplay(job, early.targetFactory, {
    ...(hooks.onProgress === undefined ? {} : { onProgress: hooks.onProgress }),
    onTarget: (target) => {
      if (target instanceof QemuReplayTarget) hooks.onQemu?.({ pid: target.session.pid, tempDir: target.session.tempDir });
    },
    ...(gatherer === undefined ? {} : { onWindow: (window: ReplayedWindow) => gatherer.window(window) }),
    onResult: (result) => {
      if (gatherer !== undefined) events = gatherer.finish(result.phases);
    },
  });
  return events === undefined ? { result } : { result, events };
}
