// Starting the target QEMU while the trace is still being read: QEMU's start-up (a few hundred ms
// on a loaded machine) and the loading and planning of the trace then overlap instead of adding
// up. The target is started for a guess of the recording's device and MAC (the sidecar, else the
// trace's first MiB: guessRecording in src/trace/head.ts); once the trace is loaded, the job's own target spec
// decides. The same spec takes the started target; another closes it and starts anew, so a wrong
// guess costs what every replay cost before: one QEMU start after the load. start() returns once
// QEMU is spawned, so that its start-up (not only its connection) overlaps the load.

import { captureSpec } from '../datapath/spec.js';
import { guessRecording } from '../trace/head.js';
import { targetSpec, type PrepareOptions, type TargetSpec } from './prepare.js';
import { qemuTargetFactory, type OwnedTarget, type TargetFactory } from './run.js';

export class EarlyTarget {
  private taken = false;

  private constructor(private readonly spec: TargetSpec | undefined, private readonly starting: Promise<OwnedTarget> | undefined,
    private readonly factory: TargetFactory) {
    // A start that fails is reported by whoever takes it; until then its rejection is not unhandled.
    starting?.catch(() => undefined);
  }

  /** Guesses the target of `path`'s replay and starts it; a guess that cannot be made starts nothing. */
  static async start(path: string, options: PrepareOptions, factory: TargetFactory = qemuTargetFactory): Promise<EarlyTarget> {
    let spec: TargetSpec | undefined;
    try {
      const guess = await guessRecording(path);
      // The capture's part of the data path, as the sidecar decides it; a recording with SR-IOV
      // VFs at work turns out not to replay its frames once loaded, and starts anew.
      spec = targetSpec(guess.device, guess.mac, options, options.dataPath === false ? undefined : captureSpec(guess.sidecar, guess.mac));
    } catch {
      // A bad --device or an unreadable file: the full load and prepareReplay report it as before.
      return new EarlyTarget(undefined, undefined, factory);
    }
    // Until QEMU is spawned: the trace's loading, which comes next, would otherwise run between
    // the launch's file-system steps and put the spawn off by as long as the load takes.
    let spawned: () => void = () => undefined;
    const launched = new Promise<void>((resolve) => { spawned = resolve; });
    const starting = factory(spec, { onSpawned: spawned });
    await Promise.race([launched, starting.then(() => undefined, () => undefined)]);
    return new EarlyTarget(spec, starting, factory);
  }

  /** The factory runReplay calls with the job's spec: the started target when the guess was right. */
  get targetFactory(): TargetFactory {
    return async (spec) => {
      if (!this.taken && this.starting !== undefined && sameSpec(spec, this.spec!)) {
        this.taken = true;
        return this.starting;
      }
      await this.discard();
      return this.factory(spec);
    };
  }

  /** Stops the started target unless it was taken (the load failed, or the guess was wrong). */
  async discard(): Promise<void> {
    if (this.taken || this.starting === undefined) return;
    this.taken = true;
    const target = await this.starting.catch(() => undefined);
    await target?.close();
  }
}

function sameSpec(a: TargetSpec, b: TargetSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
