// Windows of a recording (src/replay/record-windows.ts): the replay plans and checks a recording
// window by window, so windows must cover every record once, in order, and never cut a polling loop.
import { describe, expect, it } from '@jest/globals';
import type { TraceRecord } from '../../src/model/access.js';
import { canCut, streamWindows, windowsOf } from '../../src/replay/record-windows.js';
import { planReplay, Planner, negotiationVisible } from '../../src/replay/plan.js';
import { igbRegisters } from '../../src/regs/index.js';
import { loadTrace } from '../../src/trace/load.js';
import { RELOAD_TRACE } from './replay-env.js';

async function records(path: string): Promise<readonly TraceRecord[]> {
  return (await loadTrace(path)).records!;
}

describe('windows of a real recording (linux-6.1-reload)', () => {
  it('cover every record once, in order, with no cut inside a run of reads of one register', async () => {
    const all = await records(RELOAD_TRACE);
    const windows = [...windowsOf(all, 50)];
    expect(windows.length).toBeGreaterThan(all.length / 200);
    expect(windows.flat()).toEqual(all);
    for (let i = 1; i < windows.length; i++) {
      expect(canCut(windows[i - 1]!.at(-1)!, windows[i]![0]!)).toBe(true);
    }
  });

  it('plan window by window exactly as in one go (polls, steps, phases)', async () => {
    const all = await records(RELOAD_TRACE);
    const registers = igbRegisters();
    const whole = planReplay(all, registers);
    const planner = new Planner(registers, negotiationVisible(all));
    const windows = [...windowsOf(all, 64)].map((window) => planner.window(window));
    expect(windows.flatMap((w) => w.steps)).toEqual(whole.steps);
    expect(windows.flatMap((w) => w.polls)).toEqual(whole.polls);
    expect(windows.reduce((n, w) => n + w.markers, 0)).toBe(whole.markers);
    expect(planner.phases()).toEqual(whole.phases);
  });

  it('stream from the file as they are consumed, the same records as a whole load', async () => {
    const all = await records(RELOAD_TRACE);
    const streamed: TraceRecord[] = [];
    for await (const window of streamWindows(RELOAD_TRACE, {}, 500)) streamed.push(...window);
    expect(streamed).toEqual(all);
  });

  it('stop the file reader when the consumer stops early', async () => {
    let seen = 0;
    for await (const window of streamWindows(RELOAD_TRACE, {}, 100)) {
      seen += window.length;
      if (seen > 300) break;
    }
    expect(seen).toBeLessThan(1000);
  });
});

describe('canCut', () => {
  const read = (seq: number, offset: number): TraceRecord => ({
    type: 'access', seq, line: seq + 1, kind: 'read', space: 'mmio', offset, size: 4, value: 0, events: [],
  } as unknown as TraceRecord);
  it('keeps reads of one register together and cuts anywhere else', () => {
    expect(canCut(read(0, 8), read(1, 8))).toBe(false);
    expect(canCut(read(0, 8), read(1, 0xc0))).toBe(true);
  });

  it('keeps the markers after an access with it (a frame received inside a write is its marker), and cuts after them', () => {
    const marker = { type: 'marker', kind: 'rx-packet', line: 2, afterSeq: 0, events: [] } as unknown as TraceRecord;
    expect(canCut(read(0, 0xe018), marker)).toBe(false);
    expect(canCut(marker, read(1, 0xe018))).toBe(true);
  });
});
