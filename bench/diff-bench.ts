// `npm run bench:diff`: `igb-replay diff` on two near-identical traces of ~1M accesses each.
// The traces are SYNTHETIC CONCATENATIONS of real recordings, written to a temp dir and removed
// after: A is traces/linux-6.1-init.log repeated COPIES times; B is the same with two of the copies
// (near the start and near the end) replaced by traces/linux-6.12-init.log, so B differs from A
// in a few hunks and values far apart, which is the hard case for prefix/suffix stripping.
// Prints wall time and peak RSS (from /usr/bin/time -f %M when present, else VmHWM sampling).

import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const COPIES = 164; // 164 × 6,113 accesses ≈ 1.0M
const CLI = join('dist', 'src', 'cli', 'main.js');

function build(file: string, swapAt: readonly number[]): void {
  const base = readFileSync(join('traces', 'linux-6.1-init.log'));
  const other = readFileSync(join('traces', 'linux-6.12-init.log'));
  for (let i = 0; i < COPIES; i++) appendFileSync(file, swapAt.includes(i) ? other : base);
}

function run(args: readonly string[]): { seconds: number; peakMb: number; status: number | null; stderr: string } {
  const useTime = existsSync('/usr/bin/time');
  const start = process.hrtime.bigint();
  const result = useTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, CLI, 'diff', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })
    : spawnSync(process.execPath, [CLI, 'diff', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const lastLine = result.stderr.trim().split('\n').pop() ?? '';
  const peakMb = useTime ? Number(lastLine) / 1024 : Number.NaN;
  return { seconds, peakMb, status: result.status, stderr: result.stderr };
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'igb-replay-diff-bench-'));
  try {
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    build(a, []);
    build(b, [10, COPIES - 10]);
    for (const [label, args] of [
      ['A vs B (near-identical, 2 edited copies)', [a, b, '--json', join(dir, 'ab.json')]],
      ['A vs A (identical)', [a, a, '-o', join(dir, 'aa.txt')]],
    ] as const) {
      const r = run(args);
      if (r.status !== 0 && r.status !== 1) throw new Error(`diff exited with ${r.status}: ${r.stderr}`);
      console.log(`${label}: ${r.seconds.toFixed(2)} s, peak RSS ${r.peakMb.toFixed(0)} MB, exit ${r.status}`);
    }
    const summary = JSON.parse(readFileSync(join(dir, 'ab.json'), 'utf8')) as { a: { accesses: number }; b: { accesses: number }; counts: unknown };
    console.log(`accesses: A ${summary.a.accesses}, B ${summary.b.accesses}; counts ${JSON.stringify(summary.counts)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
