// `npm run bench:parallel`: `igb-replay replay` of 12 traces with -j 1 and with -j 2, the whole
// command as a user runs it (Node start-up, binary probes, every QEMU), in one run so both see the
// same machine. The traces are the shipped recordings in traces/ (sorted; repeated, as copies with
// their sidecars in a temp dir, if there are fewer than 12). The two settings alternate, ROUNDS
// times, and the ratio is taken of the best time of each (and, for a loaded machine, of the
// medians too). Target: -j 2 at most 0.65× the time of -j 1 on a 2-core machine.
// `QTEST_QEMU_BINARY` picks the QEMU as for any replay.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const TRACES = 12;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGET = 0.65;
const CLI = join('dist', 'src', 'cli', 'main.js');

function shippedTraces(): string[] {
  return readdirSync('traces').filter((name) => name.endsWith('.log') || name.endsWith('.txt')).sort().map((name) => join('traces', name));
}

/** `count` traces: the shipped ones, copied under new names (sidecar and capture along) when repeats are needed. */
function corpus(count: number, dir: string): string[] {
  const shipped = shippedTraces();
  return Array.from({ length: count }, (_, i) => {
    const source = shipped[i % shipped.length]!;
    if (i < shipped.length) return source;
    const stem = basename(source).replace(/\.(log|txt)$/, '');
    const copy = join(dir, `${i}-${basename(source)}`);
    copyFileSync(source, copy);
    for (const ext of ['.json', '.pcap']) {
      if (existsSync(join('traces', stem + ext))) copyFileSync(join('traces', stem + ext), join(dir, `${i}-${stem}${ext}`));
    }
    return copy;
  });
}

function timeReplay(traces: readonly string[], jobs: number): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [CLI, 'replay', ...traces, '-j', String(jobs), '--json', '-'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0 && result.status !== 1) throw new Error(`replay -j ${jobs} exited ${result.status}: ${result.stderr}`);
  const report = JSON.parse(result.stdout) as { results: { trace: string }[] };
  if (report.results.length !== traces.length) throw new Error(`replay -j ${jobs} reported ${report.results.length} of ${traces.length} traces`);
  // Timed all the same, but a replay that fails on a QEMU that is not broken is worth knowing of.
  if (result.status === 1) console.log(`  note: replay -j ${jobs} exited 1: a replay found failing divergences (run it by hand to see which)`);
  return seconds;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'igb-replay-parallel-bench-'));
  try {
    const traces = corpus(TRACES, dir);
    console.log(`replay of ${traces.length} traces, -j 1 against -j 2, ${ROUNDS} rounds alternating; ${availableParallelism()} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    // A first run fills the binary-probe cache, which every later run then finds.
    timeReplay(traces.slice(0, 1), 1);
    const times: Record<1 | 2, number[]> = { 1: [], 2: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const jobs of round % 2 === 1 ? [1, 2] as const : [2, 1] as const) {
        const seconds = timeReplay(traces, jobs);
        times[jobs].push(seconds);
        console.log(`  round ${round}  -j ${jobs}  ${seconds.toFixed(2)} s`);
      }
    }
    const best = Math.min(...times[2]) / Math.min(...times[1]);
    const mid = median(times[2]) / median(times[1]);
    console.log(`-j 1: best ${Math.min(...times[1]).toFixed(2)} s, median ${median(times[1]).toFixed(2)} s`);
    console.log(`-j 2: best ${Math.min(...times[2]).toFixed(2)} s, median ${median(times[2]).toFixed(2)} s`);
    console.log(`ratio -j 2 / -j 1: ${best.toFixed(2)} (best), ${mid.toFixed(2)} (median); target <= ${TARGET}: ${best <= TARGET ? 'met' : 'NOT met'}`);
    console.log(`load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
