// Starting the target while the trace loads (src/replay/early-target.ts): the started target is the
// one the replay gets when the guess was right, a wrong guess closes it and starts anew, and a load
// that fails stops it. Fake targets: only which targets start, for which spec, and which close count.

import { describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EarlyTarget } from '../../src/replay/early-target.js';
import { prepareReplay, type TargetSpec } from '../../src/replay/prepare.js';
import type { TargetFactory } from '../../src/replay/run.js';
import { loadTrace } from '../../src/trace/load.js';
import { FakeTarget } from './fake-target.js';

const TRACE = join('traces', 'linux-6.1-init.log');

function recordingFactory(): { factory: TargetFactory; started: { spec: TargetSpec; target: FakeTarget }[] } {
  const started: { spec: TargetSpec; target: FakeTarget }[] = [];
  const factory: TargetFactory = async (spec) => {
    const target = new FakeTarget();
    started.push({ spec, target });
    return target;
  };
  return { factory, started };
}

describe('EarlyTarget', () => {
  it('hands the target started before the load to the replay whose spec it guessed', async () => {
    const { factory, started } = recordingFactory();
    const options = { time: 'markers' as const, strict: false };
    const early = await EarlyTarget.start(TRACE, options, factory);
    expect(started).toHaveLength(1);
    const job = prepareReplay(await loadTrace(TRACE), options);
    const target = await early.targetFactory(job.target);
    expect(started).toHaveLength(1);
    expect(target).toBe(started[0]!.target);
    expect(started[0]!.spec).toEqual(job.target);
    expect(started[0]!.target.closed).toBe(false);
  });

  it('guesses from the trace itself when there is no sidecar', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'igb-replay-early-'));
    try {
      const bare = join(dir, 'init.log');
      copyFileSync(TRACE, bare);
      const { factory, started } = recordingFactory();
      const options = { time: 'frozen' as const, strict: false };
      const early = await EarlyTarget.start(bare, options, factory);
      const job = prepareReplay(await loadTrace(bare), options);
      expect(await early.targetFactory(job.target)).toBe(started[0]!.target);
      expect(started).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('closes a target started for a wrong guess and starts the one the job needs', async () => {
    const { factory, started } = recordingFactory();
    const early = await EarlyTarget.start(TRACE, { time: 'markers', strict: false }, factory);
    const job = prepareReplay(await loadTrace(TRACE), { time: 'markers', strict: false, device: 'e1000e' });
    const target = await early.targetFactory(job.target);
    expect(started).toHaveLength(2);
    expect(started[0]!.target.closed).toBe(true);
    expect(target).toBe(started[1]!.target);
    expect(started[1]!.spec.device.model).toBe('e1000e');
  });

  it('returns once the target is spawned, not when it is ready, and also when it fails to start', async () => {
    let ready: (target: FakeTarget) => void = () => undefined;
    const spawning: TargetFactory = (_spec, hooks) => {
      hooks?.onSpawned?.();
      return new Promise((resolve) => { ready = resolve; });
    };
    const early = await EarlyTarget.start(TRACE, { time: 'markers', strict: false }, spawning);
    const job = prepareReplay(await loadTrace(TRACE), { time: 'markers', strict: false });
    const taken = early.targetFactory(job.target);
    const target = new FakeTarget();
    ready(target);
    expect(await taken).toBe(target);

    const failing: TargetFactory = () => Promise.reject(new Error('no QEMU here'));
    const failed = await EarlyTarget.start(TRACE, { time: 'markers', strict: false }, failing);
    await expect(failed.targetFactory(job.target)).rejects.toThrow('no QEMU here');
  });

  it('stops the started target when the replay does not go ahead, and starts nothing on a bad --device', async () => {
    const { factory, started } = recordingFactory();
    const early = await EarlyTarget.start(TRACE, { time: 'markers', strict: false }, factory);
    await early.discard();
    expect(started[0]!.target.closed).toBe(true);
    const none = await EarlyTarget.start(TRACE, { time: 'markers', strict: false, device: 'rtl8139' }, factory);
    expect(started).toHaveLength(1);
    await none.discard();
  });
});
