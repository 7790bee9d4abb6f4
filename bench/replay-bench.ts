// `npm run bench:replay`: igb-replay's replay speed against the qtest protocol's own limit, in one
// run (both see the same machine state). The limit is a raw qtest script of the same accesses
// piped into `qemu … -qtest stdio`: QEMU started, every command piped at once, every reply read; no
// checking. Target (issue #13): igb-replay's whole process (node start to exit) ≥ 0.5× the raw
// pipe's (spawn to last reply); start-up-excluded rates are printed beside it.
//
// The trace is the real recording traces/linux-6.1-reload.log (issue #13 measured it: driver loaded
// and unloaded several times, 11k accesses). "Without timer markers" is its replay
// with `--time frozen` (no time advances); "with markers" is `--time markers`, the default without
// the qtest accelerator. It is not concatenated into a larger trace: every recording ends with the
// guest putting the NIC in D3hot (PMCSR write), so in a second copy the BARs no longer decode and
// the replay would measure reads of nothing (and, with markers, timeouts). Instead each
// measurement is the median of several runs (the machine may be shared), and start-up is measured in
// the same run and taken out.
//
// Rates are the trace's replayed accesses (reads as recorded, writes, config writes) per second
// for both tools, although igb-replay sends fewer commands: it folds polling loops.
//
// The target is checked start-up excluded on both sides: the raw pipe from spawn to its last
// reply minus a one-line script's time, against igb-replay from QEMU ready (PCI set up) to the
// result known (replay, reading QEMU's verdict log, comparing), measured in a fresh Node process
// each run as a real invocation is. Whole-command wall times are printed too; there Node's own
// start-up and the QEMU binary probes dominate. A second raw pipe runs with the trace events
// igb-replay's QEMU logs for its verdicts, to separate QEMU's share of the checking cost.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReplayResult, TimeMode } from '../src/model/replay.js';
import { igbRegisters } from '../src/regs/database.js';
import { planReplay, type ReplayPlan } from '../src/replay/plan.js';
import { loadTrace, recordsOf } from '../src/trace/load.js';
import { prepareReplay } from '../src/replay/prepare.js';
import { runReplay } from '../src/replay/run.js';
import { findQemu } from '../src/target/qemu-binary.js';
import { configSize, configWriteCommands, type PciFunction } from '../src/target/pci-config.js';
import { mmconfigSetupCommands, nicBarWrites, nicSetupCommands, RECORDED_GUEST_BARS } from '../src/target/pci-setup.js';
import { barAccessCommand } from '../src/target/bar-access.js';
import { encodeCommand, replyKind, type QtestCommand } from '../src/target/qtest-protocol.js';

/** Internal: `--one-replay TIME TRACE` times one library replay in this (fresh) process. */
const ONE_REPLAY = process.argv[2] === '--one-replay';
/** Another real recording can be given: `npm run bench:replay -- traces/linux-6.1-init.log`. */
const TRACE = (ONE_REPLAY ? process.argv[4] : process.argv[2]) ?? join('traces', 'linux-6.1-reload.log');
const SELF = process.argv[1]!;
const CLI = join('dist', 'src', 'cli', 'main.js');
/** The least a Node CLI does for the raw pipe's job (bench/floor-pipe.ts): the ceiling of the whole-process ratio. */
const FLOOR = join('dist', 'bench', 'floor-pipe.js');
/** CLI runs (each most of a second) are the median of RUNS; the raw pipe and the library runs of FAST_RUNS. */
const RUNS = 5;
const FAST_RUNS = 9;
const TARGET_RATIO = 0.5;
const RAW_ARGS = ['-M', 'q35', '-nodefaults', '-display', 'none', '-S', '-qtest', 'stdio', '-qtest-log', 'none',
  '-device', 'igb,addr=2.0,netdev=n0', '-netdev', 'user,id=n0,restrict=on'];
/**
 * The trace events igb-replay's QEMU logs for its verdicts (TARGET_TRACE in
 * src/replay/qemu-target.ts): a second raw pipe with them shows what that logging costs QEMU.
 */
const TARGET_TRACE = ['e1000e_core_*', 'e1000e_wrn_*', 'e1000e_io_*', 'igb_core_mdic*', 'e1000x_link_negotiation_done', 'igb_write_config'];
const NIC: PciFunction = { bus: 0, device: 2, fn: 0 };

interface RawScript {
  readonly lines: readonly string[];
  /** The recorded value of the read each line is, for the sanity check after the run. */
  readonly recorded: readonly (number | undefined)[];
  /** Accesses of the trace in the script (the PCI set-up before them is not counted). */
  readonly accesses: number;
}

/**
 * The PCI set-up igb-replay runs (src/target/pci-setup.ts, its read-backs unchecked here), then the
 * plan's accesses as the target sends them (barAccessCommand).
 */
function rawScript(plan: ReplayPlan): RawScript {
  const bars = RECORDED_GUEST_BARS;
  const lines: string[] = [];
  const recorded: (number | undefined)[] = [];
  const add = (command: QtestCommand, value?: number): void => {
    lines.push(encodeCommand(command));
    recorded.push(value);
  };
  for (const { command } of [...nicSetupCommands('igb', NIC), ...mmconfigSetupCommands()]) add(command);
  let accesses = 0;
  for (const step of plan.steps) {
    if (step.kind === 'skip' || 'marker' in step || step.kind === 'config-read') continue;
    if (step.kind === 'reprogram-bars') {
      for (const bar of nicBarWrites('igb', bars)) for (const { command } of configWriteCommands(NIC, bar.offset, 4, bar.value, 'BAR')) add(command);
      continue;
    }
    const { access } = step;
    accesses++;
    if (step.kind === 'config-write') {
      for (const { command } of configWriteCommands(NIC, access.offset, configSize(access.size), step.value, 'config')) add(command);
      continue;
    }
    const space = access.space === 'io' ? 'io' : 'mmio';
    add(barAccessCommand(bars, { kind: step.kind, space, offset: access.offset, size: access.size, value: access.value }),
      step.kind === 'read' ? access.value : undefined);
  }
  return { lines, recorded, accesses };
}

interface RawRun {
  /** From spawn until the last reply line arrived. */
  readonly ms: number;
  readonly replies: readonly string[];
}

/** Pipes the whole script into a fresh QEMU at once and waits for every reply; then kills QEMU. */
function runRaw(qemu: string, lines: readonly string[], extraArgs: readonly string[]): Promise<RawRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(qemu, [...RAW_ARGS, ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
    const replies: string[] = [];
    let partial = '';
    let stderr = '';
    let ms: number | undefined;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.stdout.setEncoding('latin1').on('data', (chunk: string) => {
      const received = (partial + chunk).split('\n');
      partial = received.pop() ?? '';
      for (const line of received) if (replyKind(line) !== undefined) replies.push(line);
      if (ms === undefined && replies.length >= lines.length) {
        ms = performance.now() - start;
        child.kill('SIGKILL'); // QEMU does not exit at the end of its qtest input.
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (ms !== undefined) resolve({ ms, replies });
      else reject(new Error(`QEMU ended (${code ?? signal}) after ${replies.length} of ${lines.length} replies: ${stderr.trim()}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}

/** The Node floor (FLOOR) piping `scriptFile` into QEMU: node start to exit, median of FAST_RUNS. */
async function medianFloor(qemu: string, scriptFile: string): Promise<number> {
  const once = (): Promise<number> => new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [FLOOR, scriptFile, qemu, ...RAW_ARGS], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - start) : reject(new Error(`${FLOOR} exited with ${code}`))));
  });
  const times: number[] = [];
  for (let i = 0; i < FAST_RUNS; i++) times.push(await once());
  return median(times);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The median run (by time) of FAST_RUNS. */
async function medianRaw(qemu: string, lines: readonly string[], extraArgs: readonly string[] = []): Promise<RawRun> {
  const runs: RawRun[] = [];
  for (let i = 0; i < FAST_RUNS; i++) runs.push(await runRaw(qemu, lines, extraArgs));
  return runs.sort((a, b) => a.ms - b.ms)[runs.length >> 1]!;
}

/** Reads of the raw run that returned the recorded value, checked after the timing. */
function rawMatches(script: RawScript, replies: readonly string[]): { reads: number; matching: number; failed: number } {
  let reads = 0;
  let matching = 0;
  replies.forEach((reply, i) => {
    const value = script.recorded[i];
    if (value === undefined) return;
    reads++;
    if (reply.startsWith('OK ') && Number.parseInt(reply.slice(3), 16) === value) matching++;
  });
  return { reads, matching, failed: replies.filter((reply) => replyKind(reply) === 'fail').length };
}

interface CliRun {
  /** Node start to exit: parse, QEMU start-up, replay, checking, QEMU shutdown. */
  readonly wallMs: number;
  readonly result: ReplayResult;
}

function runCli(time: TimeMode): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [CLI, 'replay', TRACE, '--time', time, '--json', '-'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - start;
      // 1: divergences (frozen time diverges in STATUS.LU, by design); anything else is a failure.
      if (code !== 0 && code !== 1) reject(new Error(`igb-replay replay --time ${time} exited with ${code}`));
      else resolve({ wallMs, result: (JSON.parse(stdout) as { results: ReplayResult[] }).results[0]! });
    });
  });
}

interface LibraryRun {
  /** QEMU ready (PCI set up) until the engine sent the last access and had every reply. */
  readonly engineMs: number;
  /** QEMU ready until the result was known: engine, reading QEMU's verdicts, comparing (not stopping QEMU). */
  readonly checkedMs: number;
}

/**
 * One library replay in a fresh Node process, as the CLI runs it: in-process repeats would run
 * warmed-up (JIT-compiled) code, about a third faster than any real invocation.
 */
function runLibraryCold(time: TimeMode): Promise<LibraryRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SELF, '--one-replay', time, TRACE], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`one-replay run (--time ${time}) exited with ${code}`));
      else resolve(JSON.parse(stdout) as LibraryRun);
    });
  });
}

async function runLibrary(time: TimeMode): Promise<LibraryRun> {
  let ready = 0;
  let engineDone = 0;
  let resultDone = 0;
  const job = prepareReplay(await loadTrace(TRACE), { device: 'igb', time, strict: false });
  await runReplay(job, undefined, {
    onTarget: () => { ready = performance.now(); },
    onProgress: (done, total) => { if (done === total) engineDone = performance.now(); },
    onResult: () => { resultDone = performance.now(); },
  });
  return { engineMs: engineDone - ready, checkedMs: resultDone - ready };
}

interface ReplayTimes {
  readonly wallMs: number;
  readonly durationMs: number;
  /** Library runs, each in a fresh process (as the CLI runs). */
  readonly engineMs: number;
  readonly checkedMs: number;
  /** Library runs repeated in this process, after the cold ones: JIT-compiled, for comparison. */
  readonly warmCheckedMs: number;
  readonly commands: number;
}

async function medianReplay(time: TimeMode): Promise<ReplayTimes> {
  const cli: CliRun[] = [];
  const library: LibraryRun[] = [];
  for (let i = 0; i < RUNS; i++) cli.push(await runCli(time));
  const warm: LibraryRun[] = [];
  for (let i = 0; i < FAST_RUNS; i++) library.push(await runLibraryCold(time));
  for (let i = 0; i < FAST_RUNS; i++) warm.push(await runLibrary(time));
  return {
    wallMs: median(cli.map((r) => r.wallMs)),
    durationMs: median(cli.map((r) => r.result.durationMs)),
    engineMs: median(library.map((r) => r.engineMs)),
    checkedMs: median(library.map((r) => r.checkedMs)),
    warmCheckedMs: median(warm.map((r) => r.checkedMs)),
    commands: cli[0]!.result.counts.accesses,
  };
}

const rate = (accesses: number, ms: number): string => `${Math.round(accesses / (ms / 1000)).toLocaleString('en-US')} acc/s`;
const timed = (accesses: number, ms: number): string => `${ms.toFixed(1).padStart(7)} ms  ${rate(accesses, ms).padStart(13)}`;

interface RawTimes {
  readonly totalMs: number;
  readonly correctedMs: number;
}

interface Ratios {
  readonly whole: number;
  readonly withoutStartUp: number;
}

function printReplay(name: string, accesses: number, t: ReplayTimes, raw: RawTimes): Ratios {
  console.log(`${name} (${t.commands.toLocaleString('en-US')} accesses sent; polling loops folded)`);
  console.log(`  CLI wall (node start to exit)          ${timed(accesses, t.wallMs)}   ratio ${(raw.totalMs / t.wallMs).toFixed(2)}x raw total (whole process)`);
  console.log(`  CLI durationMs (parse+QEMU+replay)     ${timed(accesses, t.durationMs)}   ratio ${(raw.totalMs / t.durationMs).toFixed(2)}x raw total`);
  console.log(`  replay + check (QEMU ready to result)  ${timed(accesses, t.checkedMs)}   ratio ${(raw.correctedMs / t.checkedMs).toFixed(2)}x raw minus start-up`);
  console.log(`  engine only (QEMU ready to last reply) ${timed(accesses, t.engineMs)}   ratio ${(raw.correctedMs / t.engineMs).toFixed(2)}x raw minus start-up`);
  console.log(`  replay + check, warmed-up process      ${timed(accesses, t.warmCheckedMs)}   ratio ${(raw.correctedMs / t.warmCheckedMs).toFixed(2)}x raw minus start-up`);
  return { whole: raw.totalMs / t.wallMs, withoutStartUp: raw.correctedMs / t.checkedMs };
}

/** The raw pipe, and its start-up measured in the same QEMU configuration; prints both. */
async function measureRaw(qemu: string, script: RawScript, name: string, extraArgs: readonly string[]): Promise<RawTimes> {
  const startup = await medianRaw(qemu, ['endianness'], extraArgs);
  const raw = await medianRaw(qemu, script.lines, extraArgs);
  const check = rawMatches(script, raw.replies);
  const correctedMs = raw.ms - startup.ms;
  console.log(`${name} (${script.lines.length.toLocaleString('en-US')} commands, no checking)`);
  console.log(`  QEMU start-up (one-line script)        ${startup.ms.toFixed(1).padStart(7)} ms`);
  console.log(`  total (spawn to last reply)            ${timed(script.accesses, raw.ms)}`);
  console.log(`  minus start-up                         ${timed(script.accesses, correctedMs)}`);
  console.log(`  (afterwards: ${check.matching.toLocaleString('en-US')} of ${check.reads.toLocaleString('en-US')} reads returned the recorded value, `
    + `${check.failed} FAIL replies)`);
  return { totalMs: raw.ms, correctedMs };
}

async function main(): Promise<void> {
  const qemu = await findQemu({ device: 'igb' });
  const plan = planReplay(await recordsOf(await loadTrace(TRACE)), igbRegisters());
  const script = rawScript(plan);
  console.log(`trace: ${TRACE} (real recording), ${script.accesses.toLocaleString('en-US')} accesses replayed; `
    + `${qemu.version.text}; median of ${RUNS} CLI runs, of ${FAST_RUNS} raw-pipe and library runs`);
  const raw = await measureRaw(qemu.path, script, 'raw qtest pipe', []);
  const logDir = mkdtempSync(join(tmpdir(), 'igb-replay-bench-'));
  let traced: RawTimes;
  let floorMs: number;
  try {
    const scriptFile = join(logDir, 'script.qtest');
    writeFileSync(scriptFile, `${script.lines.join('\n')}\n`);
    floorMs = await medianFloor(qemu.path, scriptFile);
    console.log(`Node floor: node + yargs + the same script piped into QEMU (bench/floor-pipe.ts), node start to exit ${floorMs.toFixed(1)} ms: `
      + `ratio ${(raw.totalMs / floorMs).toFixed(2)}x raw total, the most any Node CLI reaches here`);
    const traceArgs = ['-D', join(logDir, 'qemu.log'), ...TARGET_TRACE.flatMap((pattern) => ['-trace', pattern])];
    traced = await measureRaw(qemu.path, script, "raw qtest pipe with igb-replay's QEMU trace events", traceArgs);
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
  const frozenTimes = await medianReplay('frozen');
  const markersTimes = await medianReplay('markers');
  const frozen = printReplay('igb-replay --time frozen (no timer markers)', script.accesses, frozenTimes, raw);
  const markers = printReplay('igb-replay --time markers (time runs at timer markers)', script.accesses, markersTimes, raw);
  console.log(`engine only vs the raw pipe with the same trace events, start-up excluded: frozen ${(traced.correctedMs / frozenTimes.engineMs).toFixed(2)}x, `
    + `markers ${(traced.correctedMs / markersTimes.engineMs).toFixed(2)}x`);
  console.log(`ratio, whole process, igb-replay vs raw pipe: markers (the default) ${markers.whole.toFixed(2)}x, frozen ${frozen.whole.toFixed(2)}x`
    + ` (target >= ${TARGET_RATIO.toFixed(2)}x; the Node floor ${(raw.totalMs / floorMs).toFixed(2)}x)`);
  console.log(`ratio, start-up excluded, replay + check vs raw pipe: markers ${markers.withoutStartUp.toFixed(2)}x, frozen ${frozen.withoutStartUp.toFixed(2)}x`);
  console.log(Math.min(markers.whole, frozen.whole) >= TARGET_RATIO ? 'RESULT: target met' : 'RESULT: target NOT met');
}

if (ONE_REPLAY) console.log(JSON.stringify(await runLibrary(process.argv[3] as TimeMode)));
else await main();
