// JUnit rendering on synthetic results, checked by a real XML parser: well-formed even with hostile
// trace content, one testsuite per trace, one testcase per register read, failures and notes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { READ_CLASSES, ZERO_COUNTS, type Divergence, type ReadClass, type RegisterRead, type ReplayResult } from '../../src/model/replay.js';
import { escapeXml, renderJunit } from '../../src/report/junit.js';
import { buildReplayReport } from '../../src/replay/report.js';
import { removeTempDirs, runCli, tempDir } from '../cli/run-cli.js';
import { INIT_TRACE, requireQemu } from '../replay/replay-env.js';
import { eventsNotCompared, type EventDivergence } from '../../src/model/events.js';
import type { PhaseTally } from '../../src/model/replay.js';

function divergence(seq: number, register: string, cls: Divergence['class'], overrides: Partial<Divergence> = {}): Divergence {
  return {
    seq, line: seq + 10, space: 'mmio', offset: 8, register, block: 'general', expected: 0x83, actual: 0x3,
    class: cls, reason: 'value differs', fields: [{ field: 'LU', expected: 1, actual: 0 }], ...overrides,
  };
}

const reads: RegisterRead[] = [{ register: 'CTRL', block: 'general', reads: 1 }, { register: 'STATUS', block: 'general', reads: 2 },
  { register: 'SYSTIML', block: 'timesync', reads: 1 }];

function result(divergences: Divergence[], trace = 'traces/t.log', completed = true, registersRead = reads): ReplayResult {
  return {
    schema: 'igb-replay/replay-result', version: 1, trace,
    target: { binary: 'qemu', version: '10', device: 'igb', qtestAccelerator: false, timeMode: 'markers' },
    completed, ...(completed ? {} : { stopped: { seq: 4, line: 14, reason: 'QEMU died <signal & "9">' } }),
    events: eventsNotCompared('synthetic result'), notices: [],
    counts: ZERO_COUNTS,
    byClass: Object.fromEntries(READ_CLASSES.map((c) => [c, 0])) as Record<ReadClass, number>,
    divergences, phases: [], unknownInTarget: [], registersRead, lastLine: 40, durationMs: 1234,
  };
}

/** A made-up device-event difference: the recording notified a vector after an EICS write, the target did not. */
function eventDivergence(line: number, overrides: Partial<EventDivergence> = {}): EventDivergence {
  return {
    class: 'interrupt-missing', line, seq: line - 10, place: { kind: 'access', access: 'write', register: 'EICS', value: 0x2 },
    subject: 'MSI-X vector 1', expected: 'notified MSI-X vector 1', actual: 'none', fields: [],
    reason: 'the recording sent this interrupt here; the target did not', ...overrides,
  };
}

function withEvents(r: ReplayResult, divergences: EventDivergence[], phases: PhaseTally[] = []): ReplayResult {
  return {
    ...r, phases,
    events: { ...eventsNotCompared(''), compared: true, tally: { compared: 40, excluded: [{ reason: 'data path', events: 3 }] }, divergences },
  };
}

function phase(label: string, startSeq: number, endSeq: number): PhaseTally {
  return {
    kind: 'reset', occurrence: 1, label, startSeq, endSeq, firstLine: startSeq + 10, lastLine: endSeq + 9, cause: 'CTRL write with RST',
    reads: 1, byClass: {}, failing: 0,
  };
}

interface Case {
  '@_classname': string; '@_name': string; failure?: { '@_message': string; '@_type': string; '#text': string };
  'system-out'?: string; skipped?: { '@_message': string };
}
interface Suite {
  '@_name': string; '@_tests': string; '@_failures': string; '@_skipped': string; testcase: Case[];
  properties?: { property: { '@_name': string; '@_value': string }[] };
}

function parse(xml: string): Suite[] {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) }).parse(xml) as
    { testsuites: { testsuite: Suite[] } };
  return doc.testsuites.testsuite;
}

describe('renderJunit', () => {
  it('has one testcase per register read; failures carry the first divergence and a count', () => {
    const r = result([divergence(1, 'STATUS', 'mismatch'), divergence(2, 'SYSTIML', 'volatile', { fields: [] }), divergence(3, 'STATUS', 'mismatch')]);
    const [suite] = parse(renderJunit(buildReplayReport([r], { strict: false })));
    expect(suite).toMatchObject({ '@_name': 'traces/t.log', '@_tests': '4', '@_failures': '1', '@_skipped': '1' });
    expect(suite!.testcase.map((c) => `${c['@_classname']}.${c['@_name']}`)).toEqual(['general.CTRL', 'general.STATUS', 'timesync.SYSTIML', 'replay.device events']);
    const status = suite!.testcase[1]!;
    expect(status.failure!['@_message']).toBe('line 11: mismatch: expected 0x83, got 0x3; fields LU 1→0: value differs (2 failing reads of STATUS)');
    expect(suite!.testcase[2]!.failure).toBeUndefined();
    expect(suite!.testcase[2]!['system-out']).toContain('volatile');
  });

  it('passes accepted divergences with a note, and reports an incomplete replay as an error', () => {
    const r = result([divergence(1, 'STATUS', 'mismatch')], 'traces/t.log', false);
    const xml = renderJunit(buildReplayReport([r], { strict: false }, { file: 'b.json', accepted: ['t.log|STATUS|mismatch|LU#0'] }));
    const [suite] = parse(xml);
    expect(suite!['@_failures']).toBe('0');
    expect(suite!.testcase[1]!['system-out']).toMatch(/^accepted \(baseline\): line 11/);
    expect(xml).toContain('errors="1"');
    expect(xml).toContain('QEMU died &lt;signal &amp; &quot;9&quot;&gt;');
  });

  it('has one test case per event subject, failing with the place and both sides; explained ones pass with a note', () => {
    const explained = eventDivergence(30, { class: 'explained-by-traffic', subject: 'MSI-X vector 2', expected: 'notified MSI-X vector 2',
      reason: 'the recording moved a packet at line 29, which a register replay does not send' });
    const cause = eventDivergence(40, { class: 'cause-differs', subject: 'ICR', place: { kind: 'access', access: 'read', register: 'ICR', value: 0x4 },
      expected: 'clear 0x4 → 0x0', actual: 'clear 0x80000004 → 0x0', fields: [{ field: 'INT_ASSERTED', expected: 0, actual: 1 }], reason: 'ICR went to a different value' });
    const r = withEvents(result([]), [eventDivergence(3412), explained, eventDivergence(3500), cause]);
    const [suite] = parse(renderJunit(buildReplayReport([r], { strict: false })));
    const events = suite!.testcase.filter((c) => c['@_classname'] === 'events');
    expect(events.map((c) => c['@_name'])).toEqual(['MSI-X vector 1', 'MSI-X vector 2', 'ICR']);
    expect(suite).toMatchObject({ '@_tests': String(3 + 3 + 1), '@_failures': '2', '@_skipped': '0' });
    expect(events[0]!.failure).toMatchObject({ '@_type': 'interrupt-missing' });
    expect(events[0]!.failure!['@_message']).toBe('interrupt-missing after the EICS write 0x2 at line 3,412: the recording: notified MSI-X vector 1; '
      + 'the target: none: the recording sent this interrupt here; the target did not (2 failing differences of MSI-X vector 1)');
    expect(events[0]!.failure!['#text'].split('\n')).toHaveLength(2);
    expect(events[1]!.failure).toBeUndefined();
    expect(events[1]!['system-out']).toMatch(/^explained-by-traffic after the EICS write 0x2 at line 30: .*packet at line 29/);
    expect(events[2]!.failure!['@_message']).toMatch(/^cause-differs after the ICR read 0x4 at line 40: .*; fields INT_ASSERTED 0→1: /);
    const tally = suite!.testcase.find((c) => c['@_name'] === 'device events')!;
    expect(tally['system-out']).toMatch(/^40 events compared, 3 left out:\n {2}3 data path\ndifferences by class: interrupt-missing 0, /);
  });

  it('fails explained event differences with --strict, and passes accepted ones with a note', () => {
    const explained = eventDivergence(30, { class: 'explained-by-traffic' });
    const strict = parse(renderJunit(buildReplayReport([withEvents(result([]), [explained])], { strict: true })))[0]!;
    expect(strict['@_failures']).toBe('1');
    const accepted = buildReplayReport([withEvents(result([]), [eventDivergence(3412)])], { strict: false },
      { file: 'b.json', accepted: ['t.log|event|MSI-X vector 1|interrupt-missing|notified MSI-X vector 1→none#0'] });
    const [suite] = parse(renderJunit(accepted));
    expect(suite!['@_failures']).toBe('0');
    expect(suite!.testcase.find((c) => c['@_name'] === 'MSI-X vector 1')!['system-out']).toMatch(/^accepted \(baseline\): interrupt-missing after the EICS write/);
  });

  it('per phase, fails a phase on its event differences too, reads and events in line order', () => {
    const r = withEvents(result([divergence(5, 'STATUS', 'mismatch', { phase: 'reset' })]),
      [eventDivergence(20, { phase: 'reset' }), eventDivergence(40, { phase: 'reset #2' })], [phase('reset', 0, 10), phase('reset #2', 10, 50)]);
    const [suite] = parse(renderJunit(buildReplayReport([r], { strict: false }), 'phase'));
    const [reset, reset2] = suite!.testcase;
    expect(reset!.failure!['@_message']).toMatch(/^STATUS: line 15: mismatch: .*\(1 failing read, 1 failing event difference in reset\)$/);
    expect(reset!.failure!['#text'].split('\n')[1]).toMatch(/^events: MSI-X vector 1: interrupt-missing after the EICS write 0x2 at line 20: /);
    expect(reset2!.failure!['@_message']).toMatch(/^events: MSI-X vector 1: interrupt-missing .*\(1 failing event difference in reset #2\)$/);
    expect(suite!['@_failures']).toBe('2');
  });

  it('puts the result\'s notices first, as suite properties, and skips the event check with its note', () => {
    const notice = 'this recording has no PCI config writes: interrupts cannot be compared';
    const r: ReplayResult = { ...result([]), notices: [notice], events: eventsNotCompared(notice) };
    const xml = renderJunit(buildReplayReport([r], { strict: false }));
    const [suite] = parse(xml);
    expect(suite!.properties!.property).toEqual([{ '@_name': 'notice', '@_value': notice }]);
    expect(xml.indexOf('<properties>')).toBeLessThan(xml.indexOf('<testcase'));
    expect(suite!.testcase.find((c) => c['@_name'] === 'device events')!.skipped!['@_message']).toBe(`not compared: ${notice}`);
  });

  it('stays well-formed with hostile names: markup, quotes, control characters, lone surrogates', () => {
    const hostile = 'X"\'<&>]]>\u0000\u0001\u001b\ud800\n\tend';
    const r = result([divergence(1, hostile, 'mismatch', { block: hostile, reason: hostile, fields: [{ field: hostile, expected: 1, actual: 0 }] })], hostile,
      true, [{ register: hostile, block: hostile, reads: 1 }]);
    const [suite] = parse(renderJunit(buildReplayReport([r], { strict: false })));
    const testcase = suite!.testcase[0]!;
    expect(testcase['@_name']).toContain('X"\'<&>]]>\\u0000\\u0001\\u001b\\ud800');
    expect(testcase.failure!['@_message']).toContain('<&>');
  });

  it('escapes the five special characters and keeps ordinary text', () => {
    expect(escapeXml('a&b<c>d"e\'f')).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f');
    expect(escapeXml('RDBAL(0) → ok 😀')).toBe('RDBAL(0) → ok 😀');
  });
});

// End-to-end: `replay --junit` with the built CLI against a real QEMU.
describe('replay --junit (built CLI)', () => {
  beforeAll(async () => {
    await requireQemu();
  });

  afterAll(removeTempDirs);

  it('writes an all-passing report for linux-6.1-init.log against igb', () => {
    const out = join(tempDir(), 'junit.xml');
    expect(runCli(['replay', INIT_TRACE, '--junit', out]).status).toBe(0);
    const [suite] = parse(readFileSync(out, 'utf8'));
    expect(suite!['@_name']).toBe(INIT_TRACE);
    expect(suite!['@_failures']).toBe('0');
    expect(Number(suite!['@_tests'])).toBe(suite!.testcase.length);
    expect(suite!.testcase.map((c) => c['@_name'])).toEqual(expect.arrayContaining(['CTRL', 'STATUS', 'EECD']));
    // Volatile registers pass, with what differed in <system-out>.
    expect(suite!.testcase.find((c) => c['@_name'] === 'SYSTIML')?.['system-out']).toContain('volatile');
  });

  it('with --junit-by phase: one test case per phase of the recording, failing where the divergences are', () => {
    const out = join(tempDir(), 'junit-phases.xml');
    expect(runCli(['replay', INIT_TRACE, '--device', 'e1000e', '--junit', out, '--junit-by', 'phase']).status).toBe(1);
    const [suite] = parse(readFileSync(out, 'utf8'));
    const names = suite!.testcase.map((c) => c['@_name']);
    expect(names.slice(0, 4)).toEqual(['probe', 'nvm-phy-id', 'reset', 'nvm-phy-id #2']);
    expect(names).toContain('traffic');
    const nvm = suite!.testcase.find((c) => c['@_name'] === 'nvm-phy-id');
    expect(nvm!['@_classname']).toBe('phase.nvm-phy-id');
    // The first failing read of the e1000e replay is EECD during NVM identification (line 129); the
    // phase also has event differences (e1000e raises INTx where igb, with interrupts masked, did not).
    expect(nvm!.failure!['@_message']).toMatch(/^EECD: line 129: mismatch: .*\(\d+ failing reads, \d+ failing event differences in nvm-phy-id\)$/);
    expect(nvm!.failure!['#text']).toMatch(/\nevents: legacy INTx level 0: interrupt-extra after the IMC write 0xffffffff at line 193: /);
    // Probe reads all match; what fails it is realize and reset: igb resets its 8 VFs there (e1000e has none).
    expect(suite!.testcase.find((c) => c['@_name'] === 'probe')!.failure!['@_message'])
      .toMatch(/^events: igb_core_vf_reset: event-missing at device realize and reset, before the first access: the recording: VF7; the target: none: .*\(\d+ failing event differences in probe\)$/);
    expect(suite!.testcase.filter((c) => c.failure !== undefined).length).toBe(Number(suite!['@_failures']));
  });

  it('reports failing registers against e1000e, with the first divergence', () => {
    const out = join(tempDir(), 'junit.xml');
    expect(runCli(['replay', INIT_TRACE, '--device', 'e1000e', '--junit', out]).status).toBe(1);
    const [suite] = parse(readFileSync(out, 'utf8'));
    const failing = suite!.testcase.filter((c) => c.failure !== undefined);
    expect(failing.length).toBe(Number(suite!['@_failures']));
    expect(failing.map((c) => c['@_name'])).toContain('STATUS');
    // Device-event differences are test cases of their own, by subject: EICS writes raise MSI-X vectors on igb only.
    const vector = suite!.testcase.find((c) => c['@_classname'] === 'events' && c['@_name'] === 'MSI-X vector 1');
    expect(vector!.failure!['@_message']).toMatch(/^interrupt-missing after the EICS write 0x6 at line 3,590: the recording: notified MSI-X vector 1; the target: none: .*\(2 failing differences of MSI-X vector 1\)$/);
    expect(suite!.testcase.find((c) => c['@_name'] === 'device events')!['system-out']).toMatch(/^\d{3,} events compared, \d+ left out:\n/);
    const [first] = failing;
    expect(first!.failure!['@_message']).toMatch(
      new RegExp(`^line \\d+: [a-z-]+: expected 0x[0-9a-f]+, got 0x[0-9a-f]+.*\\(\\d+ failing reads? of ${first!['@_name'].replace(/[()]/g, '\\$&')}\\)$`));
  });
});
