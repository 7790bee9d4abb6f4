// `npm run bench:datapath`: what the data path costs a replay, in one run. The same recording is
// replayed by the CLI, whole process as a user runs it, with the data path (transmits seeded and
// compared, received frames injected) and with `--no-data-path` (the register replay alone); each
// is the median of RUNS. Target (issue #11): the data path makes replay no slower than the register
// replay is against the raw qtest pipe (bench:replay measures that one), so here the ratio
// data-path / register-only should stay at most TARGET_RATIO.
//
// The data path runs only against a QEMU with the qtest accelerator: QTEST_QEMU_BINARY must be one
// (scripts/build-qemu.sh builds it). The trace is the real traffic-mix recording (241 frames sent,
// 269 received); another recording with a capture can be given:
// `npm run bench:datapath -- traces/linux-6.1-rss.log`.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ReplayResult } from '../src/model/replay.js';
import { hasQtestAccel, resolveQemuBinary } from '../src/target/qemu-binary.js';

const TRACE = process.argv[2] ?? join('traces', 'linux-6.1-traffic-mix.log');
const CLI = join('dist', 'src', 'cli', 'main.js');
const RUNS = 5;
const TARGET_RATIO = 1.1;

interface Run {
  readonly ms: number;
  readonly result: ReplayResult;
}

function replay(extra: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [CLI, 'replay', TRACE, '--json', '-', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      if (code !== 0 && code !== 1) reject(new Error(`igb-replay replay ${extra.join(' ')} exited with ${code}`));
      else resolve({ ms, result: (JSON.parse(stdout) as { results: ReplayResult[] }).results[0]! });
    });
  });
}

function medianRun(runs: readonly Run[]): Run {
  return [...runs].sort((a, b) => a.ms - b.ms)[runs.length >> 1]!;
}

async function main(): Promise<void> {
  const qemu = await resolveQemuBinary({});
  if (!(await hasQtestAccel(qemu))) {
    console.error(`bench:datapath: ${qemu} has no qtest accelerator, so the data path is off; set QTEST_QEMU_BINARY to a build of scripts/build-qemu.sh`);
    process.exit(2);
  }
  const withData: Run[] = [];
  const registersOnly: Run[] = [];
  // Interleaved, so both see the same machine state.
  for (let i = 0; i < RUNS; i++) {
    withData.push(await replay([]));
    registersOnly.push(await replay(['--no-data-path']));
  }
  const data = medianRun(withData);
  const plain = medianRun(registersOnly);
  const frames = data.result.frames;
  if (frames?.status !== 'replayed') throw new Error(`the data path was not replayed: ${frames?.notChecked.join('; ') ?? 'no frames result'}`);
  const ratio = data.ms / plain.ms;
  console.log(`bench:datapath ${TRACE} against ${qemu}, median of ${RUNS} whole-process runs each`);
  console.log(`  data path:     ${data.ms.toFixed(0)} ms  (TX ${frames.tx.framesMatched}/${frames.tx.framesExpected} frames identical, RX ${frames.rx.framesTaken}/${frames.rx.framesRecorded} frames injected and taken)`);
  console.log(`  registers only: ${plain.ms.toFixed(0)} ms  (--no-data-path)`);
  console.log(`  ratio data path / registers only: ${ratio.toFixed(2)} (target ≤ ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'})`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
