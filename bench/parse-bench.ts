// `npm run bench:parse`: igb-replay's parse throughput against grep's on the same ≥ 250 MB trace,
// measured in one run (so both see the same machine state). The trace is the real corpus in
// traces/ concatenated until it is large enough, written to a temp dir that is removed after.
// Target: igb-replay parse ≥ 0.5× grep's MB/s with peak RSS ≤ 100 MB.

import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TARGET_BYTES = 250 * 1024 * 1024;
const GREP_PATTERN = 'e1000e_core_(read|write)|wrn_regs_(read|write)_(unknown|ro)';
const RUNS = 3;
const CLI = join('dist', 'src', 'cli', 'main.js');

function buildTrace(dir: string): string {
  const file = join(dir, 'corpus-x.log');
  const corpus = readdirSync('traces').filter((name) => name.endsWith('.log')).sort()
    .map((name) => readFileSync(join('traces', name)));
  const round = Buffer.concat(corpus);
  let written = 0;
  while (written < TARGET_BYTES) {
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

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'igb-replay-bench-'));
  try {
    const file = buildTrace(dir);
    const megabytes = statSync(file).size / 1e6;
    const lines = spawnSync('grep', ['-c', '', file], { encoding: 'latin1' }).stdout.trim();
    console.log(`trace: ${megabytes.toFixed(1)} MB, ${lines} lines (traces/*.log concatenated); best of ${RUNS} runs each`);
    const grep = await best('grep', ['-cE', GREP_PATTERN, file]);
    // `parse --json` builds every Access and Marker record and aggregates the summary from them.
    const parse = await best(process.execPath, [CLI, 'parse', file, '--json']);
    const grepRate = megabytes / grep.seconds;
    const parseRate = megabytes / parse.seconds;
    const ratio = parseRate / grepRate;
    const rssMb = parse.peakRssBytes / (1024 * 1024);
    console.log(`grep -cE:           ${grep.seconds.toFixed(3)} s  ${grepRate.toFixed(0)} MB/s`);
    console.log(`igb-replay parse:   ${parse.seconds.toFixed(3)} s  ${parseRate.toFixed(0)} MB/s  peak RSS ${rssMb.toFixed(1)} MB`);
    console.log(`ratio: ${ratio.toFixed(2)}x grep (target >= 0.50x); peak RSS ${rssMb.toFixed(1)} MB (target <= 100 MB)`);
    console.log(ratio >= 0.5 && rssMb <= 100 ? 'RESULT: targets met' : 'RESULT: targets NOT met');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
