// The triage with replay: unit tests on SYNTHETIC records and a SYNTHETIC ReplayResult (made up
// here), then the built CLI against the real QEMU on traces/linux-6.1-init.log.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { replayTriage, type ReplayTriageResult } from '../../src/analysis/replay-triage.js';
import { TraceSummaryBuilder } from '../../src/analysis/trace-summary.js';
import type { Access } from '../../src/model/access.js';
import { READ_CLASSES, ZERO_COUNTS, type Divergence, type ReadClass, type RegisterTally, type ReplayResult } from '../../src/model/replay.js';
import { runCli } from '../cli/run-cli.js';
import { requireQemu } from '../target/qemu-env.js';
import { accesses, syntheticNames } from './synthetic.js';
import { eventsNotCompared, type EventDivergence } from '../../src/model/events.js';

const SOURCE = { file: 'synthetic', dialectDescription: 'synthetic records' };

function syntheticReplay(divergences: Divergence[], unknownInTarget: RegisterTally[]): ReplayResult {
  const byClass = Object.fromEntries(READ_CLASSES.map((c) => [c, divergences.filter((d) => d.class === c).length])) as Record<ReadClass, number>;
  return {
    schema: 'igb-replay/replay-result', version: 1, trace: 'synthetic',
    target: { binary: 'qemu', version: 'synthetic', device: 'e1000e', qtestAccelerator: false, timeMode: 'frozen' },
    completed: true,
    events: eventsNotCompared('synthetic result'), notices: [],
    counts: ZERO_COUNTS,
    byClass, divergences, phases: [], unknownInTarget, registersRead: [], lastLine: 0, durationMs: 0,
  };
}

function divergence(a: Access, register: string, block: string, actual: number, cls: Divergence['class']): Divergence {
  return { seq: a.seq, line: a.line, space: 'mmio', offset: a.offset, register, block, expected: a.value, actual, class: cls, reason: 'synthetic', fields: [] };
}

function triage(list: readonly Access[], replay: ReplayResult): ReplayTriageResult {
  const builder = new TraceSummaryBuilder(syntheticNames());
  for (const a of list) builder.access(a);
  return replayTriage(builder.result(), SOURCE, replay, list);
}

describe('replayTriage (synthetic)', () => {
  const list = accesses([
    { offset: 0x10, value: 0x1110, verdict: 'partial' }, // 0 EECD: recording flagged, replay mismatch
    { offset: 0x8, value: 0x80 }, //                         1 STATUS: replay mismatch after EECD
    { kind: 'write', offset: 0x0, value: 0x4 }, //           2 CTRL write
    { offset: 0x0, value: 0x4 }, //                          3 CTRL read back: replay returned 0
    { offset: 0x4038, verdict: 'unknown' }, //               4 SEC: flagged by the recording only
  ]);
  const replay = syntheticReplay([
    divergence(list[0]!, 'EECD', 'nvm', 0x300, 'mismatch'),
    divergence(list[1]!, 'STATUS', 'general', 0, 'mismatch'),
    divergence(list[3]!, 'CTRL', 'general', 0, 'mismatch'),
  ], []);
  const t = triage(list, replay);
  const entries = t.groups.flatMap((g) => g.entries);
  const entry = (label: string): (typeof entries)[number] => entries.find((e) => e.label === label)!;

  it('lists registers flagged by the recording or the replay, as version 2 of the triage schema', () => {
    expect(t.schema).toBe('igb-replay/triage');
    expect(t.version).toBe(2);
    expect(entries.map((e) => e.label).sort()).toEqual(['CTRL', 'EECD', 'SEC', 'STATUS']);
    expect(t.replay.device).toBe('e1000e');
  });

  it('combines the evidence per register', () => {
    expect(entry('CTRL').replay).toMatchObject({ writeIgnored: 1, divergences: { mismatch: 1 }, possibleConsequenceOf: { register: 'STATUS', line: 2 } });
    expect(entry('CTRL').scoreParts.replay).toBe(1);
    expect(entry('STATUS').replay.possibleConsequenceOf).toEqual({ register: 'EECD', line: 1 });
    expect(entry('STATUS').scoreParts.replay).toBe(0.3);
    expect(entry('EECD').scoreParts).toMatchObject({ recording: 0.5, replay: 0.6, earliness: 1 });
    expect(entry('SEC').scoreParts).toMatchObject({ recording: 1, replay: 0 });
    expect(t.replay.writeIgnored.map((w) => w.register)).toEqual(['CTRL']);
  });

  it('ranks by the documented formula', () => {
    const e = entry('EECD');
    const w = t.scoring.weights;
    const expected = 100 * (w.recording * 0.5 + w.replay * 0.6 + w.count * e.scoreParts.count + w.earliness * 1);
    expect(e.score).toBeCloseTo(expected, 0);
    expect(entries.map((x) => x.rank).sort((a, b) => a - b)).toEqual([1, 2, 3, 4]);
    const ranked = [...entries].sort((a, b) => a.rank - b.rank);
    expect(ranked.map((x) => x.score)).toEqual([...ranked.map((x) => x.score)].sort((a, b) => b - a));
  });
});

describe('replayTriage with device-event differences (synthetic)', () => {
  const list = accesses([
    { offset: 0x0, value: 0x4 }, //               0 CTRL read: matches
    { offset: 0x8, value: 0x80 }, //              1 STATUS read: matches
    { kind: 'write', offset: 0x0, value: 0x8 }, // 2 CTRL write: the recording notified a vector after it, the target did not
  ]);
  const event = (seq: number, cls: EventDivergence['class'], subject: string, place: EventDivergence['place']): EventDivergence => ({
    class: cls, line: seq + 1, seq, place, subject, expected: 'synthetic', actual: 'none', fields: [], reason: 'synthetic',
  });
  const write = { kind: 'access', access: 'write', register: 'CTRL', value: 0x8 } as const;
  const replay: ReplayResult = {
    ...syntheticReplay([], []),
    events: {
      compared: true, tally: { compared: 8, excluded: [] }, byClass: eventsNotCompared('').byClass,
      divergences: [
        event(2, 'interrupt-missing', 'MSI-X vector 0', write),
        event(2, 'cause-differs', 'pending interrupt causes', write), // about ICR, which this trace never accesses
        event(1, 'cause-differs', 'STATUS', { kind: 'time', marker: 'autoneg' }), // about STATUS itself
        event(1, 'explained-by-traffic', 'MSI-X vector 1', { kind: 'access', access: 'read', register: 'STATUS', value: 0x80 }),
      ],
    },
  };
  const t = triage(list, replay);
  const entries = t.groups.flatMap((g) => g.entries);
  const entry = (label: string): (typeof entries)[number] | undefined => entries.find((e) => e.label === label);

  it('counts failing event differences for the register whose access caused them and the register they are about', () => {
    expect(entry('CTRL')!.replay.events).toEqual({ 'interrupt-missing': 1, 'cause-differs': 1 });
    expect(entry('CTRL')!.scoreParts.replay).toBe(0.6);
    // The explained one is no evidence; the one about STATUS is.
    expect(entry('STATUS')!.replay.events).toEqual({ 'cause-differs': 1 });
    expect(entries.map((e) => e.label).sort()).toEqual(['CTRL', 'STATUS']);
    expect(t.replay.events).toEqual({ compared: true, failing: 3 });
  });

  it('says when the replay compared no device events', () => {
    const none = triage(list, syntheticReplay([], []));
    expect(none.replay.events).toEqual({ compared: false, note: 'synthetic result', failing: 0 });
    expect(none.groups).toEqual([]);
  });
});

describe('triage --device (built CLI, real QEMU)', () => {
  beforeAll(async () => {
    await requireQemu();
  });

  it('lists the igb-only features the driver needed when replayed against e1000e', () => {
    const result = runCli(['triage', 'traces/linux-6.1-init.log', '--device', 'e1000e']);
    expect(result.status).toBe(0);
    const out = result.stdout;
    expect(out).toContain('Triage with replay');
    const section = (title: string): string => out.slice(out.indexOf(title), out.indexOf('\n\n', out.indexOf(title)));
    expect(section('Extended interrupts / MSI-X [msix]')).toMatch(/\bEIMS\b/);
    expect(section('Per-queue receive [rx-queue]')).toContain('SRRCTL(0)');
    expect(section('General control and status [general]')).toContain('SW_FW_SYNC');
    // Event differences: the EICS write that raised MSI-X vectors on igb raises none on e1000e.
    expect(section('Extended interrupts / MSI-X [msix]')).toMatch(/\bEICS\b.*events: .*interrupt-missing ×\d+/);
    expect(out).toMatch(/, \d+ failing device-event differences\)\./);
    expect(out).toMatch(/Ranking: score = 100 × m × \(wr × R \+ wp × P/);
  });

  it('against e1000e: array elements are one entry, and igb-only features outrank every statistics counter', () => {
    const result = runCli(['triage', 'traces/linux-6.1-init.log', '--device', 'e1000e', '--json']);
    expect(result.status).toBe(0);
    const all = (JSON.parse(result.stdout) as ReplayTriageResult).groups.flatMap((g) => g.entries);
    const uta = all.filter((e) => e.label.startsWith('UTA('));
    expect(uta.map((e) => [e.label, e.elements])).toEqual([['UTA(0–127)', 128]]);
    expect(uta[0]!.accesses).toBe(256);
    const rank = (label: string): number => all.find((e) => e.label === label)?.rank ?? Infinity;
    const bestCounter = Math.min(...all.filter((e) => e.block === 'statistics').map((e) => e.rank));
    for (const label of ['SW_FW_SYNC', 'EIAM', 'EIMS', 'IVAR(0)', 'SRRCTL(0)', 'RXDCTL(0)', 'GPIE']) expect(rank(label)).toBeLessThan(bestCounter);
    // When in the driver's life each was first needed.
    const phase = (label: string): string | undefined => all.find((e) => e.label === label)?.firstPhase;
    expect(phase('SW_FW_SYNC')).toBe('nvm-phy-id');
    expect(phase('SRRCTL(0)')).toBe('queue-setup');
    expect(phase('UTA(0–127)')).toBe('hw-init');
  });

  it('--replay takes the recorded device from the sidecar: the e1000e driver\'s trace is replayed against e1000e', () => {
    const result = runCli(['triage', 'traces/linux-6.1-e1000e-init.log', '--replay', '--json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const t = JSON.parse(result.stdout) as ReplayTriageResult;
    expect(t.replay.device).toBe('e1000e');
    expect(t.replay.byClass.mismatch).toBe(0);
    expect(t.replay.byClass['unknown-in-target']).toBe(0);
  });

  it('lists the registers QEMU igb itself lacks, statistics among them, also as JSON', () => {
    const result = runCli(['triage', 'traces/linux-6.1-init.log', '--device', 'igb', '--json']);
    expect(result.status).toBe(0);
    const t = JSON.parse(result.stdout) as ReplayTriageResult;
    expect(t.version).toBe(2);
    expect(t.replay.device).toBe('igb');
    const stats = t.groups.find((g) => g.block === 'statistics')!;
    const labels = stats.entries.map((e) => e.label);
    expect(labels).toEqual(expect.arrayContaining(['SEC', 'CBRMPC']));
    expect(stats.entries.find((e) => e.label === 'CBRMPC')!.replay.unknownInTarget).toBeGreaterThan(0);
  });
});
