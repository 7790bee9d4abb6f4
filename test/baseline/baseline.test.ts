// Baseline keys and comparison on synthetic results: keys survive line shifts, occurrences stay
// distinct, and the comparison splits failing divergences into accepted and new, and lists fixed entries.
import { describe, expect, it } from '@jest/globals';
import { compareWithBaseline, updatedBaseline } from '../../src/baseline/compare.js';
import { BaselineError, parseBaseline, serializeBaseline } from '../../src/baseline/file.js';
import { differenceOf, keyedDivergences } from '../../src/baseline/key.js';
import { READ_CLASSES, ZERO_COUNTS, type Divergence, type ReadClass, type ReplayResult } from '../../src/model/replay.js';
import { eventsNotCompared, type EventDivergence } from '../../src/model/events.js';

function divergence(seq: number, register: string, cls: Divergence['class'], overrides: Partial<Divergence> = {}): Divergence {
  return {
    seq, line: seq + 10, space: 'mmio', offset: 8, register, block: 'general', expected: 0x80080783, actual: 0x80080703,
    class: cls, reason: 'value differs', fields: [{ field: 'LU', expected: 1, actual: 0 }], ...overrides,
  };
}

function result(divergences: Divergence[], trace = 'traces/t.log', completed = true): ReplayResult {
  return {
    schema: 'igb-replay/replay-result', version: 1, trace,
    target: { binary: 'qemu', version: '10', device: 'igb', qtestAccelerator: false, timeMode: 'markers' },
    completed, counts: ZERO_COUNTS,
    byClass: Object.fromEntries(READ_CLASSES.map((c) => [c, 0])) as Record<ReadClass, number>,
    divergences, events: eventsNotCompared('synthetic result'), notices: [], phases: [], unknownInTarget: [], registersRead: [], lastLine: 0, durationMs: 1,
  };
}

const base = [
  divergence(3, 'STATUS', 'mismatch'),
  divergence(5, 'SYSTIML', 'volatile', { fields: [] }),
  divergence(7, 'RDBAL(0)', 'unknown-in-target', { fields: [], expected: 0x1000, actual: 0 }),
  divergence(9, 'STATUS', 'mismatch'),
];

describe('baseline keys', () => {
  it('names trace basename, register, class, differing fields and occurrence; skips non-failing classes', () => {
    expect(keyedDivergences(result(base), false).map((k) => k.key)).toEqual([
      't.log|STATUS|mismatch|LU#0',
      't.log|RDBAL(0)|unknown-in-target|0x1000→0x0#0',
      't.log|STATUS|mismatch|LU#1',
    ]);
    expect(keyedDivergences(result(base), true).map((k) => k.key)).toContain('t.log|SYSTIML|volatile|0x80080783→0x80080703#0');
  });

  it('is stable when lines and seqs shift and when the trace moves to another directory', () => {
    const shifted = base.map((d) => ({ ...d, seq: d.seq + 40, line: d.line + 57 }));
    const keys = (r: ReplayResult): string[] => keyedDivergences(r, false).map((k) => k.key);
    expect(keys(result(shifted, '/elsewhere/t.log'))).toEqual(keys(result(base)));
  });

  it('sorts field names, so their order in the database does not matter', () => {
    const fields = [{ field: 'PHYRA', expected: 1, actual: 0 }, { field: 'LU', expected: 1, actual: 0 }];
    expect(differenceOf({ fields, expected: 0, actual: 0 })).toBe('LU,PHYRA');
    expect(differenceOf({ fields: [...fields].reverse(), expected: 0, actual: 0 })).toBe('LU,PHYRA');
  });
});

describe('baseline comparison', () => {
  const keys = keyedDivergences(result(base), false).map((k) => k.key);

  it('accepts everything a baseline of the same run lists', () => {
    const { summary, accepted } = compareWithBaseline([result(base)], keys, 'b.json', false);
    expect(summary).toEqual({ file: 'b.json', accepted: 3, new: [], fixed: [] });
    expect(accepted.map((set) => [...set].map((d) => d.seq))).toEqual([[3, 7, 9]]);
  });

  it('reports a divergence missing from the baseline as new and an entry no longer seen as fixed', () => {
    const edited = [...keys.slice(1), 't.log|CTRL|mismatch|RST#0', 'other.log|CTRL|mismatch|RST#0'];
    const { summary } = compareWithBaseline([result(base)], edited, 'b.json', false);
    expect(summary.new).toEqual(['t.log|STATUS|mismatch|LU#0']);
    // Entries of traces not replayed (other.log) are not "fixed": nothing says they are.
    expect(summary.fixed).toEqual(['t.log|CTRL|mismatch|RST#0']);
  });

  it('does not call anything fixed after a replay that stopped early', () => {
    expect(compareWithBaseline([result([], 'traces/t.log', false)], keys, 'b.json', false).summary.fixed).toEqual([]);
  });

  it('updating keeps the entries of traces not replayed', () => {
    expect(updatedBaseline([result(base)], ['other.log|X|mismatch|A#0', 't.log|Y|mismatch|B#0'], false))
      .toEqual(['other.log|X|mismatch|A#0', ...keys]);
  });
});

describe('baseline file', () => {
  it('round-trips', () => {
    expect(parseBaseline(serializeBaseline(['a|b|mismatch|c#0']), 'b.json').accepted).toEqual(['a|b|mismatch|c#0']);
  });

  it.each([
    ['{', /^b\.json: not JSON/],
    ['[]', /^b\.json: not a JSON object/],
    ['{"schema":"x","version":1,"accepted":[]}', /^b\.json: schema is "x"/],
    ['{"schema":"igb-replay/baseline","version":2,"accepted":[]}', /^b\.json: version 2 is not supported/],
    ['{"schema":"igb-replay/baseline","version":1}', /^b\.json: "accepted" must be an array/],
    ['{"schema":"igb-replay/baseline","version":1,"accepted":[3]}', /^b\.json: accepted\[0\] must be a non-empty string/],
  ])('rejects %s naming the file', (text, message) => {
    expect(() => parseBaseline(text, 'b.json')).toThrow(BaselineError);
    expect(() => parseBaseline(text, 'b.json')).toThrow(message);
  });
});

describe('baseline keys of device-event differences', () => {
  const event = (cls: EventDivergence['class'], subject: string, line: number): EventDivergence => ({
    class: cls, line, seq: line, place: { kind: 'access', access: 'write', register: 'EICS', value: 2 }, subject,
    expected: 'notified MSI-X vector 1', actual: 'none', fields: [], reason: 'synthetic',
  });
  const withEvents = (events: EventDivergence[]): ReplayResult => ({
    ...result([]), events: { ...eventsNotCompared(''), compared: true, divergences: events },
  });

  it('keys failing event differences without line numbers, and accepts them again after the trace shifted', () => {
    const first = withEvents([event('interrupt-missing', 'MSI-X vector 1', 100), event('explained-by-traffic', 'MSI-X vector 2', 200)]);
    const keys = keyedDivergences(first, false).map((k) => k.key);
    expect(keys).toEqual(['t.log|event|MSI-X vector 1|interrupt-missing|notified MSI-X vector 1→none#0']);
    const shifted = withEvents([event('interrupt-missing', 'MSI-X vector 1', 140)]);
    const { summary, accepted } = compareWithBaseline([shifted], keys, 'b.json', false);
    expect(summary).toEqual({ file: 'b.json', accepted: 1, new: [], fixed: [] });
    expect([...accepted[0]!].map((d) => d.line)).toEqual([140]);
    // --strict keys the explained ones too.
    expect(keyedDivergences(first, true)).toHaveLength(2);
  });
});
