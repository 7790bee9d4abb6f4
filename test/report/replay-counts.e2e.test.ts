// The totals of a replay report add up, in the text and in the JSON, on real recordings against
// real QEMU: every access of the trace is replayed one by one, folded into a polling loop, skipped,
// or not reached; what was sent is the sum of its kinds; the reads compared are the sum of their
// kinds and of the class table; the class table's unknown-in-target is the unknown-register
// section's per-register column; the phase table stays short on a long recording.
//   reload (linux-6.1-reload): polling loops, two driver loads (26 phases), all reads matching;
//   init against e1000e: unknown-in-target reads and failing phases;
//   init-pcicfg: PCI config reads compared.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReplayResult } from '../../src/model/replay.js';
import type { ReplayReport } from '../../src/model/replay-report.js';
import { removeTempDirs, runCli, tempDir } from '../cli/run-cli.js';
import { requireQemu } from '../replay/replay-env.js';

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  text: string;
  result: ReplayResult;
  recorded: number;
}

const CASES: Case[] = [
  { name: 'linux-6.1-reload', args: [] },
  { name: 'linux-6.1-init', args: ['--device', 'e1000e'] },
  { name: 'linux-6.1-init-pcicfg', args: [] },
].map((c) => ({ ...c, text: '', result: undefined as unknown as ReplayResult, recorded: 0 }));

const n = (text: string): number => Number(text.replaceAll(',', ''));

/** `A = b x + c y − d z` → { total: A, parts: [b, c, −d] }. */
function sumLine(text: string, label: string): { total: number; parts: number[]; line: string } {
  const line = text.split('\n').find((l) => l.startsWith(`${label} `));
  if (line === undefined) throw new Error(`no ${label} line in:\n${text.slice(0, 600)}`);
  const match = /^\w+ +([\d,]+) [a-z]+(?: to the device)? = (.*)$/.exec(line);
  if (match === null) throw new Error(`not a sum: ${line}`);
  // The Sent line goes on after its sum (", in N ms; …").
  const terms = match[2]!.split(/, in [\d,]+ ms/)[0]!;
  const parts = [...terms.matchAll(/(^|[+−]) ?([\d,]+) /g)].map((m) => (m[1] === '−' ? -n(m[2]!) : n(m[2]!)));
  return { total: n(match[1]!), parts, line };
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

describe('replay totals reconcile (real QEMU, shipped recordings)', () => {
  beforeAll(() => {
    requireQemu();
    const dir = tempDir();
    for (const c of CASES) {
      const json = join(dir, `${c.name}.json`);
      const run = runCli(['replay', join('traces', `${c.name}.log`), ...c.args, '--json', json]);
      expect(run.stderr).toBe('');
      expect([0, 1]).toContain(run.status);
      c.text = run.stdout;
      c.result = (JSON.parse(readFileSync(json, 'utf8')) as ReplayReport).results[0]!;
      const parsed = runCli(['parse', join('traces', `${c.name}.log`), '--json']);
      c.recorded = (JSON.parse(parsed.stdout) as { accesses: { total: number } }).accesses.total;
    }
  }, 180_000);

  afterAll(removeTempDirs);

  it.each(CASES.map((c) => [c.name, c] as const))('%s: the text header lines are sums of their parts', (_name, c) => {
    const trace = sumLine(c.text, 'Trace');
    const sent = sumLine(c.text, 'Sent');
    const compared = sumLine(c.text, 'Compared');
    expect(trace.total).toBe(c.recorded);
    expect(sum(trace.parts)).toBe(trace.total);
    expect(sum(sent.parts)).toBe(sent.total);
    expect(sum(compared.parts)).toBe(compared.total);
    // The numbers are the JSON's.
    expect(trace.total).toBe(c.result.counts.recorded);
    expect(sent.total).toBe(c.result.counts.accesses);
    expect(compared.total).toBe(c.result.counts.compared);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: the class table sums to the reads compared', (_name, c) => {
    const table = c.text.split('Reads by class\n')[1]!.split('\n\n')[0]!.split('\n');
    const counts = table.map((row) => n(/^ {2}[a-z-]+ +([\d,]+) /.exec(row)![1]!));
    expect(counts).toHaveLength(8);
    expect(sum(counts)).toBe(sumLine(c.text, 'Compared').total);
    expect(sum(Object.values(c.result.byClass))).toBe(c.result.counts.compared);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: the JSON counts reconcile', (_name, c) => {
    const k = c.result.counts;
    expect(k.recorded).toBe(c.recorded);
    expect(k.oneByOne + k.pollReads + k.skipped + k.notReached).toBe(k.recorded);
    expect(k.notReached).toBe(0);
    expect(k.registerReads + k.writes + k.configWrites + k.configReads).toBe(k.oneByOne);
    expect(k.oneByOne + k.pollReadsSent).toBe(k.accesses);
    expect(k.registerReads + k.pollReads + k.configReads - k.unanswered).toBe(k.compared);
    expect(k.unanswered).toBe(0);
    expect(sum(c.result.phases.map((p) => p.reads))).toBe(k.compared);
    expect(sum(c.result.unknownInTarget.map((u) => u.diverging))).toBe(c.result.byClass['unknown-in-target']);
  });

  it('counts polling loops by their recorded reads (reload), config reads (pcicfg) and unknown-in-target reads (e1000e)', () => {
    const [reload, e1000e, pcicfg] = CASES;
    expect(reload!.result.counts.polls).toBeGreaterThan(0);
    expect(reload!.result.counts.pollReads).toBeGreaterThan(reload!.result.counts.pollReadsSent);
    expect(sumLine(reload!.text, 'Trace').line).toMatch(/ \+ [\d,]+ reads folded into [\d,]+ polling loops \+ /);
    expect(pcicfg!.result.counts.configReads).toBeGreaterThan(0);
    expect(sumLine(pcicfg!.text, 'Compared').line).toContain(`+ ${pcicfg!.result.counts.configReads.toLocaleString('en-US')} config reads`);
    const unknown = e1000e!.result.byClass['unknown-in-target'];
    expect(unknown).toBeGreaterThan(0);
    // The class row and the section below say the same number.
    expect(e1000e!.text).toMatch(new RegExp(`^ {2}unknown-in-target +${unknown.toLocaleString('en-US')} `, 'm'));
    expect(e1000e!.text).toContain(`\n  ${unknown.toLocaleString('en-US')} reads of them diverged as unknown-in-target`);
  });

  it('shows at most 20 phase rows, failing phases first, the rest in --json', () => {
    for (const c of CASES) {
      const section = c.text.split('By phase of the recording\n')[1]!.split('\n\n')[0]!.split('\n');
      const rows = section.filter((row) => /^ {2}[a-z]/.test(row)).slice(1);
      expect(rows.length).toBeLessThanOrEqual(20);
      if (c.result.phases.length > 20) expect(section.at(-1)).toMatch(new RegExp(`^ {2}… ${c.result.phases.length - rows.length} more phases.*, all in --json$`));
      else expect(rows).toHaveLength(c.result.phases.length);
      const failingShown = rows.filter((row) => / [1-9][\d,]* +[\d,]+ +\S+ line [\d,]+ /.test(row)).length;
      const failingPhases = c.result.phases.filter((p) => p.failing > 0).length;
      expect(failingShown).toBe(Math.min(20, failingPhases));
    }
    expect(CASES[0]!.result.phases.length).toBeGreaterThan(20);
  });
});
