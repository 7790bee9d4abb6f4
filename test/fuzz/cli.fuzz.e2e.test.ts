// The commands on fuzzed traces (synthetic: real recordings mutated by fast-check, seeded), run as
// a user runs them, replay against the real QEMU: every run ends with a verdict (0, 1) or an input
// error (2) that names the problem, never an internal error or a target failure; a run that fails
// leaves no --json or -o file behind, and one that ends with a verdict writes it whole.
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDirs, runCli, tempDir } from '../cli/run-cli.js';
import { mutate, textMutation } from './mutations.js';

afterAll(removeTempDirs);

/** Each run spawns the CLI (replay also QEMU): a twentieth of FUZZ_RUNS (8 by default) keeps the suite quick. */
const RUNS = Math.max(1, Math.round(Number(process.env.FUZZ_RUNS ?? 150) / 20));
/** FUZZ_SEED picks other inputs (a failure prints the seed to repeat it with). */
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const dir = tempDir();
const SOURCES = ['linux-6.1-init', 'linux-6.1-e1000e-traffic-mix', 'linux-6.1-sriov'].map((name) => readFileSync(join('traces', `${name}.log`), 'latin1'));
let cases = 0;

function trace(source: number, m: Parameters<typeof mutate>[1]): string {
  const file = join(dir, `${cases++}.log`);
  writeFileSync(file, mutate(SOURCES[source % SOURCES.length]!, m), 'latin1');
  return file;
}

/** What every run must show: exit 0, 1 or 2, and no stack trace or internal error on stderr. */
function expectCleanEnd(result: { status: number | null; stderr: string }, allowed: readonly number[]): void {
  expect(allowed).toContain(result.status);
  expect(result.stderr).not.toMatch(/internal error|TypeError|RangeError|\n\s+at .*\.js:\d+/);
  if (result.status === 2) expect(result.stderr).toMatch(/igb-replay/);
}

describe('fuzzed traces through the CLI', () => {
  it('replay --lenient ends with a verdict or an input error; its JSON report is whole or absent', () => {
    fc.assert(fc.property(fc.nat(), textMutation, (source, m) => {
      const file = trace(source, m);
      const json = `${file}.json-report`;
      const result = runCli(['replay', file, '--lenient', '--time', 'frozen', '--json', json]);
      expectCleanEnd(result, [0, 1, 2]);
      if (result.status === 2) expect(existsSync(json)).toBe(false);
      else expect(() => JSON.parse(readFileSync(json, 'utf8')) as unknown).not.toThrow();
    }), { numRuns: RUNS, seed: SEED });
  });

  it('diff, export and triage end with a result or an input error, leaving no half-written output', () => {
    fc.assert(fc.property(fc.nat(), textMutation, textMutation, fc.boolean(), (source, a, b, lenient) => {
      const first = trace(source, a);
      const second = trace(source + 1, b);
      const flag = lenient ? ['--lenient'] : [];
      expectCleanEnd(runCli(['diff', first, second, ...flag]), [0, 1, 2]);
      const out = `${first}.qtest`;
      const exported = runCli(['export', first, '--qtest', '-o', out, ...flag]);
      expectCleanEnd(exported, [0, 2]);
      expect(existsSync(out)).toBe(exported.status === 0);
      expectCleanEnd(runCli(['triage', first, ...flag]), [0, 1, 2]);
    }), { numRuns: RUNS, seed: SEED });
  });
});
