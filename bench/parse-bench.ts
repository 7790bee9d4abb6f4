// `npm run bench:parse`: `igb-replay parse --json` against `grep -cE` on the same ~218 MB trace,
// measured in one run, whole process as a user runs it. The trace is the real corpus in traces/
// concatenated until it is large enough (as issue #13 measured it), written to a temp dir that is
// removed after. Targets (issue #13): whole-process time ≥ 0.5× grep's speed, peak RSS ≤ 100 MB.
//
// The runs alternate (grep, parse, grep, parse, ...) so that both see the same machine (a shared
// one: other work comes and goes), and the median of RUNS is reported. Start-up is measured in the
// same rounds, each tool on the trace's first 64 KiB: the big trace's median minus that is each
// tool's time without start-up (grep starts in a millisecond; Node, its modules, the register
// database and the JIT's first compilations take a fixed part of a second).
// It prints numbers and never fails on them: timings belong to benchmarks, not to tests.

import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The size issue #13 measured at: 17 copies of the shipped corpus. */
const TARGET_BYTES = 218e6;
/** The start-up probe: this much of the trace's head, cut at a line end. */
const HEAD_BYTES = 64 * 1024;
const GREP_PATTERN = 'e1000e_core_(read|write)|wrn_regs_(read|write)_(unknown|ro)';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CLI = join('dist', 'src', 'cli', 'main.js');
const FLOOR = join('dist', 'bench', 'floor-count.js');

function buildTrace(dir: string, name: string, targetBytes: number): string {
  const file = join(dir, name);
  const corpus = readdirSync('traces').filter((name) => name.endsWith('.log')).sort()
    .map((name) => readFileSync(join('traces', name)));
  const round = Buffer.concat(corpus);
  let written = 0;
  while (written < targetBytes) {
    appendFileSync(file, round);
    written += round.length;
  }
  return file;
}

/** The first HEAD_BYTES of `file`, whole lines, as a file beside it. */
function headOf(file: string, name: string): string {
  const text = readFileSync(file).subarray(0, HEAD_BYTES);
  const head = join(file, '..', name);
  writeFileSync(head, text.subarray(0, text.lastIndexOf(0x0a) + 1));
  return head;
}

interface Run {
  readonly seconds: number;
  readonly peakRssBytes: number;
}

interface Tool {
  readonly name: string;
  readonly command: string;
  readonly args: (file: string) => string[];
}

/**
 * Runs a command, reading and discarding its stdout through a pipe (not /dev/null: GNU grep
 * notices /dev/null and stops at the first match); samples its peak RSS (VmHWM) while it runs.
 */
function timed(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.resume();
    let peak = 0;
    const sample = (): void => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'latin1');
        const match = /VmHWM:\s+(\d+) kB/.exec(status);
        if (match !== null) peak = Math.max(peak, Number(match[1]) * 1024);
      } catch {
        // The process has just exited.
      }
    };
    const timer = setInterval(sample, 5);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      // grep -c exits 1 when it counted no line (the start-up sample may hold none): a count, not a failure.
      const ok = code === 0 || (command === 'grep' && code === 1);
      if (!ok) reject(new Error(`${command} ${args.join(' ')} exited with ${code}`));
      else resolve({ seconds, peakRssBytes: peak });
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

interface Measured {
  readonly seconds: number;
  readonly peakRssBytes: number;
}

/** Median seconds and peak RSS of each tool on each file, the tools' runs interleaved round by round. */
async function measure(tools: readonly Tool[], files: readonly string[]): Promise<Measured[][]> {
  const runs: Run[][][] = files.map(() => tools.map(() => []));
  for (let i = 0; i < RUNS; i++) {
    for (const [f, file] of files.entries()) {
      for (const [n, tool] of tools.entries()) runs[f]![n]!.push(await timed(tool.command, tool.args(file)));
    }
  }
  return runs.map((byTool) => byTool.map((r) => ({
    seconds: median(r.map((run) => run.seconds)), peakRssBytes: Math.max(...r.map((run) => run.peakRssBytes)),
  })));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'igb-replay-bench-'));
  try {
    const trace = buildTrace(dir, 'corpus.log', TARGET_BYTES);
    const head = headOf(trace, 'head.log');
    const mb = statSync(trace).size / 1e6;
    const lines = spawnSync('grep', ['-c', '', trace], { encoding: 'latin1' }).stdout.trim();
    console.log(`trace: ${mb.toFixed(1)} MB, ${lines} lines (traces/*.log concatenated); start-up measured on its first`
      + ` ${HEAD_BYTES / 1024} KiB; median of ${RUNS} rounds, grep, parse and the Node floor alternating`);
    const tools: Tool[] = [
      { name: 'grep -cE', command: 'grep', args: (file) => ['-cE', GREP_PATTERN, file] },
      // `parse --json` builds every Access and Marker record and aggregates the summary from them.
      { name: 'igb-replay parse', command: process.execPath, args: (file) => [CLI, 'parse', file, '--json'] },
      // The least a Node CLI does for grep's answer (bench/floor-count.ts): the ceiling of parse's ratio.
      { name: 'Node floor', command: process.execPath, args: (file) => [FLOOR, file, GREP_PATTERN] },
    ];
    const [atTrace, atHead] = await measure(tools, [trace, head]) as [Measured[], Measured[]];
    const throughput = (n: number): number => mb / Math.max(atTrace[n]!.seconds - atHead[n]!.seconds, 1e-3);
    for (const [n, tool] of tools.entries()) {
      console.log(`${tool.name.padEnd(17)} ${atTrace[n]!.seconds.toFixed(3)} s (${(mb / atTrace[n]!.seconds).toFixed(0)} MB/s whole process);`
        + ` start-up ${atHead[n]!.seconds.toFixed(3)} s; without it ${throughput(n).toFixed(0)} MB/s`);
    }
    const wholeRatio = atTrace[0]!.seconds / atTrace[1]!.seconds;
    const throughputRatio = throughput(1) / throughput(0);
    const rssMb = atTrace[1]!.peakRssBytes / (1024 * 1024);
    console.log(`whole process at ${mb.toFixed(0)} MB: parse runs at ${wholeRatio.toFixed(2)}x grep's speed (target >= 0.50x)`);
    console.log(`throughput without start-up: ${throughputRatio.toFixed(2)}x grep's`);
    console.log(`the Node floor (node + yargs, counting the lines grep counts): ${(atTrace[0]!.seconds / atTrace[2]!.seconds).toFixed(2)}x grep's speed`
      + ` whole process, ${(throughput(2) / throughput(0)).toFixed(2)}x without start-up: the most any Node CLI reaches here`);
    console.log(`peak RSS of igb-replay parse: ${rssMb.toFixed(1)} MB (target <= 100 MB)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
