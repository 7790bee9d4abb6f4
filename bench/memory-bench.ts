// `npm run bench:memory`: replay's peak memory against the length of the recording, whole process
// as a user runs it (`igb-replay replay TRACE --time frozen`), in one run. The reference is the
// replay of the real init recording (traces/linux-6.1-init.log) measured in the same run. Target:
// on any length, at most 150 MB and at most 1.5× the reference's peak.
//
// Besides the real soak recording (20 driver reloads after the first load, 131k accesses), the
// longer traces are SYNTHETIC: copies of the real reload recording concatenated, each copy
// without its closing PMCSR write (the guest putting the NIC in D3hot at shutdown, after which
// the next copy's BAR accesses would decode nothing). They are written to a temp dir, removed after.
//
// Peak RSS is the child's own (process.resourceUsage().maxRSS at exit, through a tiny preload), so
// no `time` binary is needed. It prints numbers and never fails on them.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve('dist/src/cli/main.js');
const REFERENCE = 'traces/linux-6.1-init.log';
const SOURCE = 'traces/linux-6.1-reload.log';
/** The long real recording (`record --scenario soak`), shipped gzip-compressed. */
const SOAK = 'traces/linux-6.1-soak.log.gz';
const COPIES = [1, 10, 40];
/** The guest's D3hot write at the end of each recording (see the header). */
const D3_WRITE = /^.*CONFIG write 0x44, value: 0x3, len: 2\n/gm;

interface Peak { readonly mb: number; readonly seconds: number }

function peakOf(trace: string, dir: string): Promise<Peak> {
  const preload = join(dir, 'peak.cjs');
  writeFileSync(preload, "process.on('exit', () => process.stderr.write(`PEAK_KB ${process.resourceUsage().maxRSS}\\n`));\n");
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--require', preload, CLI, 'replay', trace, '--time', 'frozen'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', fail);
    child.on('close', () => {
      const match = /PEAK_KB (\d+)/.exec(stderr);
      if (match === null) fail(new Error(`no peak reported for ${trace}: ${stderr.slice(-500)}`));
      else done({ mb: Number(match[1]) / 1024, seconds: (performance.now() - started) / 1000 });
    });
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'igb-replay-memory-bench-'));
  try {
    const copy = readFileSync(SOURCE, 'utf8').replace(D3_WRITE, '');
    const reference = await peakOf(REFERENCE, dir);
    console.log(`reference: ${REFERENCE} (real recording): peak ${reference.mb.toFixed(0)} MB, ${reference.seconds.toFixed(1)} s`);
    const soak = await peakOf(SOAK, dir);
    console.log(`${SOAK} (real recording, 21 driver life cycles, 13 MB of text gzipped): peak ${soak.mb.toFixed(0)} MB = ${(soak.mb / reference.mb).toFixed(2)}× the reference, ${soak.seconds.toFixed(1)} s`);
    for (const copies of COPIES) {
      const path = join(dir, `reload-x${copies}.log`);
      writeFileSync(path, copy.repeat(copies));
      const mb = Buffer.byteLength(copy) * copies / 1e6;
      const peak = await peakOf(path, dir);
      console.log(`${copies}× reload (synthetic, ${mb.toFixed(1)} MB): peak ${peak.mb.toFixed(0)} MB = ${(peak.mb / reference.mb).toFixed(2)}× the reference, ${peak.seconds.toFixed(1)} s`);
    }
    console.log('target: at most 150 MB and at most 1.5× the reference, on any length');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
