// Streaming replay against real QEMU: a recording replayed window by window, or read from its file
// as the replay goes, gives the same result as one held in memory in one window.
import { describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareReplay } from '../../src/replay/prepare.js';
import { runReplay } from '../../src/replay/run.js';
import { loadTrace } from '../../src/trace/load.js';
import { divergenceKeys, RELOAD_TRACE, requireQemu } from './replay-env.js';

describe('streaming replay', () => {
  it('gives the same result window by window as in one window (linux-6.1-reload, real QEMU)', async () => {
    requireQemu();
    const trace = await loadTrace(RELOAD_TRACE);
    const job = prepareReplay(trace, { time: 'markers', strict: false });
    const whole = await runReplay({ ...job, windowRecords: 1_000_000 });
    const windowed = await runReplay({ ...job, windowRecords: 97 });
    expect({ ...windowed, durationMs: 0 }).toEqual({ ...whole, durationMs: 0 });
    expect(windowed.events.compared).toBe(true);
  }, 120_000);

  it('reads a large trace from its file as it goes (not held in memory) with the same result', async () => {
    requireQemu();
    const dir = mkdtempSync(join(tmpdir(), 'igb-replay-stream-'));
    try {
      const path = join(dir, 'reload.log');
      copyFileSync(RELOAD_TRACE, path);
      const inMemory = await loadTrace(path);
      const streamed = await loadTrace(path, { keepRecords: false });
      expect(streamed.records).toBeUndefined();
      const options = { time: 'markers', strict: false } as const;
      const fromMemory = await runReplay(prepareReplay(inMemory, options));
      const fromFile = await runReplay(prepareReplay(streamed, options));
      expect(prepareReplay(streamed, options).source.kind).toBe('file');
      expect(fromFile.counts).toEqual(fromMemory.counts);
      expect(divergenceKeys(fromFile)).toEqual(divergenceKeys(fromMemory));
      expect(fromFile.events.compared && fromFile.events.tally).toEqual(fromMemory.events.compared && fromMemory.events.tally);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
