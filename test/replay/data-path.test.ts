// The data path against a real QEMU (10.0.2): the recordings with a capture replayed with their TX
// rings seeded and buffers rebuilt from the capture; every frame the target sends must be the
// captured one, byte for byte, TSO segments and 802.1Q tags included, twice alike. A recording
// without a capture must say what is not checked, never pass silently.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { pcapFrames } from '../../src/frames/pcap.js';
import { frameDirection, macBytes } from '../../src/frames/frame-cursor.js';
import { FAILING_CLASSES, type ReplayResult } from '../../src/model/replay.js';
import { replayFile, requireQemu } from './replay-env.js';

beforeAll(async () => {
  await requireQemu();
});

/** Frames the guest sent in a shipped capture (source MAC the NIC's), counted by reading it. */
function capturedTx(name: string): number {
  const mac = macBytes(JSON.parse(readFileSync(`traces/${name}.json`, 'utf8')).mac as string);
  return [...pcapFrames(new Uint8Array(readFileSync(`traces/${name}.pcap`)), name)].filter((f) => frameDirection(f.data, mac) === 'tx').length;
}

describe.each(['linux-6.1-traffic-mix', 'linux-6.1-vlan', 'linux-6.1-e1000e-traffic-mix', 'linux-6.1-aarch64-traffic-mix'])('data path of %s', (name) => {
  let runs: ReplayResult[];

  beforeAll(async () => {
    runs = [];
    for (let i = 0; i < 2; i++) runs.push(await replayFile(`traces/${name}.log`, { time: 'auto', strict: false, dataPath: true }));
  }, 120_000);

  it('sends every captured frame, identical, and nothing else', () => {
    const frames = runs[0]!.frames!;
    expect(frames.status).toBe('replayed');
    const tx = capturedTx(name);
    expect(frames.tx).toMatchObject({ framesExpected: tx, framesEmitted: tx, framesCompared: tx, framesMatched: tx });
    expect(frames.tx.descriptorsSeeded).toBeGreaterThan(frames.tx.packetsSeeded);
    expect(frames.byClass).toEqual({ 'frame-differs': 0, 'frame-missing': 0, 'frame-extra': 0, 'descriptor-differs': 0 });
    expect(frames.skipped).toEqual([]);
    expect(frames.notChecked.join(' ')).toMatch(/not injected/);
  });

  it('is deterministic', () => {
    expect(runs[1]!.frames).toEqual(runs[0]!.frames);
  });
});

describe('packets handed over while the host link was down (linux-6.1-aarch64-linkflap)', () => {
  it('are not in the capture, so none is taken from it for them, and the target, its link down too, sends nothing for them', async () => {
    const name = 'linux-6.1-aarch64-linkflap';
    const result = await replayFile(`traces/${name}.log`, { time: 'auto', strict: false, dataPath: true });
    const frames = result.frames!;
    const linkDown = frames.skipped.filter((s) => /host link was down/.test(s.reason));
    expect(linkDown.length).toBeGreaterThan(0);
    expect(linkDown.every((s) => s.frames === 0)).toBe(true);
    // Every captured frame still lines up with its own packet: none missing, none extra, all identical.
    const tx = capturedTx(name);
    expect(frames.tx).toMatchObject({ framesExpected: tx, framesEmitted: tx, framesCompared: tx, framesMatched: tx });
    expect(frames.byClass).toEqual({ 'frame-differs': 0, 'frame-missing': 0, 'frame-extra': 0, 'descriptor-differs': 0 });
    expect(result.divergences.filter((d) => d.class === 'mismatch')).toEqual([]);
  }, 60_000);
});

describe('an SR-IOV recording', () => {
  it('without the qtest accelerator: says that with VFs at work frames are replayed only with the accelerator, and why', async () => {
    const result = await replayFile('traces/linux-6.1-sriov.log', { time: 'auto', strict: false, dataPath: true });
    expect(result.frames).toMatchObject({ status: 'not-replayed', tx: { framesEmitted: 0 } });
    expect(result.frames!.notChecked.join(' ')).toMatch(/SR-IOV virtual functions are at work .*frames are replayed only with the qtest accelerator here .*fires their throttled interrupt vectors/);
    expect(result.divergences.filter((d) => FAILING_CLASSES.has(d.class))).toEqual([]);
  }, 60_000);
});

describe('by default in markers time (a QEMU without the qtest accelerator)', () => {
  it('replays registers only and says the frames are not checked, why, and how to check them', async () => {
    const result = await replayFile('traces/linux-6.1-linkflap.log', { time: 'markers', strict: false });
    expect(result.frames).toMatchObject({ status: 'not-replayed', tx: { framesEmitted: 0 } });
    expect(result.frames!.notChecked.join(' ')).toMatch(/no qtest accelerator.*--data-path/);
  }, 60_000);
});

describe('a recording without a capture', () => {
  it('says what the data path does not check', async () => {
    const result = await replayFile('traces/linux-6.1-traffic.log', { time: 'auto', strict: false, dataPath: true });
    expect(result.frames).toMatchObject({ status: 'not-replayed', tx: { framesEmitted: 0 } });
    expect(result.frames!.notChecked.join(' ')).toMatch(/names no frame capture|no sidecar/);
  }, 60_000);
});
