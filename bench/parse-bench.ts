// `npm run bench:parse`: igb-replay's parse throughput against grep's on the same ≥ 250 MB trace,
// measured in one run (so both see the same machine state). The trace is the real corpus in
// traces/ concatenated until it is large enough, written to a temp dir that is removed after.
// Target: igb-replay parse ≥ 0.5× grep's MB/s with peak RSS ≤ 100 MB.
//
// Both tools are also timed on a trace twice as large: the difference is their streaming
// throughput without start-up. grep starts in about a millisecond; igb-replay pays a fixed
// ~0.2-0.3 s (Node, yargs, the register database, the worker thread), which at 250 MB is a large
// part of the total. Both ratios are printed; the target is checked against throughput.

import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TARGET_BYTES = 250 * 1024 * 1024;
const GREP_PATTERN = 'e1000e_core_(read|write)|wrn_regs_(read|write)_(unknown|ro)';
const RUNS = 3;
const CLI = join('dist', 'src', 'cli', 'main.js');

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

interface Run {
  readonly seconds: number;
  readonly peakRssBytes: number;
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
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}`));
      else resolve({ seconds, peakRssBytes: peak });
    });
  });
}

async function best(command: string, args: string[]): Promise<Run> {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await timed(command, args));
  return { seconds: Math.min(...runs.map((r) => r.seconds)), peakRssBytes: Math.max(...runs.map((r) => r.peakRssBytes)) };
}

interface Measured {
  readonly small: Run;
  readonly large: Run;
}

async function measure(command: string, args: (file: string) => string[], small: string, large: string): Promise<Measured> {
  return { small: await best(command, args(small)), large: await best(command, args(large)) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'igb-replay-bench-'));
  try {
    const small = buildTrace(dir, 'corpus-x1.log', TARGET_BYTES);
    const large = buildTrace(dir, 'corpus-x2.log', 2 * statSync(small).size);
    const smallMb = statSync(small).size / 1e6;
    const largeMb = statSync(large).size / 1e6;
    const lines = spawnSync('grep', ['-c', '', small], { encoding: 'latin1' }).stdout.trim();
    console.log(`trace: ${smallMb.toFixed(1)} MB, ${lines} lines (traces/*.log concatenated), and ${largeMb.toFixed(1)} MB; best of ${RUNS} runs each`);
    const grep = await measure('grep', (file) => ['-cE', GREP_PATTERN, file], small, large);
    // `parse --json` builds every Access and Marker record and aggregates the summary from them.
    const parse = await measure(process.execPath, (file) => [CLI, 'parse', file, '--json'], small, large);
    const rate = (m: Measured): number => (largeMb - smallMb) / (m.large.seconds - m.small.seconds);
    const rssMb = Math.max(parse.small.peakRssBytes, parse.large.peakRssBytes) / (1024 * 1024);
    for (const [name, m] of [['grep -cE', grep], ['igb-replay parse', parse]] as const) {
      console.log(`${name.padEnd(17)} ${m.small.seconds.toFixed(3)} s (${(smallMb / m.small.seconds).toFixed(0)} MB/s total), `
        + `${m.large.seconds.toFixed(3)} s at ${largeMb.toFixed(0)} MB; throughput ${rate(m).toFixed(0)} MB/s`);
    }
    const totalRatio = (smallMb / parse.small.seconds) / (smallMb / grep.small.seconds);
    const throughputRatio = rate(parse) / rate(grep);
    console.log(`ratio at ${smallMb.toFixed(0)} MB, total time including start-up: ${totalRatio.toFixed(2)}x grep`);
    console.log(`ratio of throughput (start-up excluded): ${throughputRatio.toFixed(2)}x grep (target >= 0.50x)`);
    console.log(`peak RSS of igb-replay parse: ${rssMb.toFixed(1)} MB (target <= 100 MB)`);
    console.log(throughputRatio >= 0.5 && rssMb <= 100 ? 'RESULT: targets met' : 'RESULT: targets NOT met');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
