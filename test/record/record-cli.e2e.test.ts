// `igb-replay record` end to end with the built CLI, real QEMU and the project's guest (a Debian
// kernel package + busybox, built by scripts/build-guest.sh into ~/.cache/igb-replay the first
// time, which downloads the kernel with apt). Then `igb-replay replay` on the result must agree
// with it: exit 0 and no failing divergence, with the device recreated from the sidecar.
// Each recording boots a guest under TCG (about 6 s here); the first run also builds the guest.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAILING_CLASSES, type ReplayResult } from '../../src/model/replay.js';
import { DEFAULT_KERNEL_PACKAGE } from '../../src/record/defaults.js';
import { guestCacheDir } from '../../src/record/guest.js';
import { readSidecar, type Sidecar } from '../../src/trace/sidecar.js';
import { countPcapFrames } from '../../src/record/pcap.js';
import { linkChangesInTrace } from '../../src/record/host-link.js';
import { MAIN, plainEnv, removeTempDirs, runCli, tempDir, type CliResult } from '../cli/run-cli.js';
import { recordInto } from './record-env.js';
import { processAlive, qemuChildOf, qemuTempDir, waitFor } from '../replay/replay-env.js';
import { requireQemu } from '../target/qemu-env.js';

const fileSha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A first run downloads the kernel package and builds the guest. */
const FIRST_RECORDING_MS = 600_000;
const RECORDING_MS = 240_000;

afterAll(removeTempDirs);

function replayJson(trace: string, ...extra: string[]): { run: CliResult; result: ReplayResult } {
  const run = runCli(['replay', trace, '--json', '-', ...extra]);
  const doc = JSON.parse(run.stdout) as { results: ReplayResult[] };
  return { run, result: doc.results[0]! };
}

function failing(result: ReplayResult): string[] {
  return result.divergences.filter((d) => FAILING_CLASSES.has(d.class)).map((d) => `${d.register} ${d.class} line ${d.line}`);
}

describe('record igb init, then replay it', () => {
  let dir: string;
  let trace: string;
  let recorded: CliResult;
  let sidecar: Sidecar;

  beforeAll(async () => {
    await requireQemu();
    const recording = await recordInto('igb-init', [], 'record igb init');
    ({ dir, trace, run: recorded } = recording);
    if (recording.sidecar !== undefined) sidecar = recording.sidecar;
  }, FIRST_RECORDING_MS);

  it('exits 0 and writes the trace, its sidecar and the console, and nothing else', () => {
    expect(recorded.status).toBe(0);
    // Only the guest build's progress, the first time (the status line is for terminals only).
    expect(recorded.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('igb-replay: build-guest: '))).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['igb-init.console.log', 'igb-init.json', 'igb-init.log', 'igb-init.pcap']);
    expect(recorded.stdout).toContain(`Recorded  ${trace}: `);
    expect(recorded.stdout).toContain(`Frames    ${join(dir, 'igb-init.pcap')}: `);
    expect(recorded.stdout).toContain(`Replay:   igb-replay replay ${trace}`);
  });

  it('the sidecar describes the trace and how it was made', async () => {
    const text = readFileSync(trace, 'latin1');
    expect(sidecar).toMatchObject({
      trace: 'igb-init.log', scenario: 'init', guest_scenario: 'init', accel: 'tcg', timeout_s: 180,
      device: 'igb,netdev=n0,mac=52:54:00:12:34:56', device_model: 'igb', device_properties: {}, mac: '52:54:00:12:34:56',
      kernel_package: DEFAULT_KERNEL_PACKAGE, guest_modules: ['dca.ko', 'i2c-algo-bit.ko', 'igb.ko'],
    });
    expect(sidecar.sha256).toBe(fileSha256(trace));
    expect(sidecar.bytes).toBe(Buffer.byteLength(text, 'latin1'));
    expect(sidecar.lines).toBe(text.split('\n').length - 1);
    expect(sidecar.qemu_version).toMatch(/^QEMU emulator version \d+\.\d+\.\d+/);
    expect(sidecar.qemu_command?.filter((arg) => arg.startsWith('/'))).toEqual([]);
    expect(sidecar.guest_console_markers).toContain('IGBREC: done init');
    expect(sidecar.guest_init).toBe(readFileSync('scripts/guest/init', 'utf8'));
    expect(sidecar).toMatchObject({ memory_mib: 512, smp: 1 });
    expect(sidecar.kernel_append).toBe('console=ttyS0 quiet panic=-1 pci=noearly,lastbus=0 igbrec=init');
  });

  it('the frame capture beside it holds the DHCP exchange, as its sidecar says', async () => {
    const pcap = join(dir, 'igb-init.pcap');
    expect(sidecar.pcap).toMatchObject({ file: 'igb-init.pcap', sha256: fileSha256(pcap), bytes: readFileSync(pcap).length });
    expect(countPcapFrames(readFileSync(pcap))).toEqual({ frames: sidecar.pcap?.frames });
    // DISCOVER, OFFER, REQUEST, ACK at least.
    expect(sidecar.pcap?.frames).toBeGreaterThanOrEqual(4);
  });

  it('the trace is a real recording of the igb driver, with thread ids', () => {
    const text = readFileSync(trace, 'latin1');
    expect(text).toMatch(/^\d+@\d+\.\d{6}:e1000e_core_read Read from register 0x8, 4 byte\(s\), value: 0x8008048[13]$/m);
    expect(text).toMatch(/:igb_write_config CONFIG write 0x4, /);
    expect(text).toMatch(/:pci_cfg_read igb 00:0[0-9a-f]\.0 @0x0 -> 0x8086$/m);
    // pci=noearly,lastbus=0 keeps the kernel's scans of absent functions down to a few hundred.
    expect(text.match(/:pci_cfg_read empty /g)?.length ?? 0).toBeLessThan(1000);
    expect(readFileSync(join(dir, 'igb-init.console.log'), 'utf8')).toContain('IGBREC: done init');
  });

  it('replays with exit 0 and no unexplained divergence', () => {
    const { run, result } = replayJson(trace);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(result.completed).toBe(true);
    expect(result.target.device).toBe('igb');
    expect(result.counts.reads).toBeGreaterThan(2500);
    expect(failing(result)).toEqual([]);
  }, RECORDING_MS);
});

describe('record e1000e: the sidecar makes replay use e1000e', () => {
  let dir: string;
  let trace: string;
  let recorded: CliResult;

  beforeAll(() => {
    dir = tempDir();
    trace = join(dir, 'e1000e.log');
    recorded = runCli(['record', '--device', 'e1000e', '-o', trace]);
  }, FIRST_RECORDING_MS);

  it('records the e1000e driver', async () => {
    expect(recorded.status).toBe(0);
    const sidecar = await readSidecar(join(dir, 'e1000e.json'));
    expect(sidecar).toMatchObject({ device_model: 'e1000e', guest_modules: ['e1000e.ko'] });
  });

  it('replays against e1000e without --device: exit 0, no unexplained divergence', () => {
    const { run, result } = replayJson(trace);
    expect(run.status).toBe(0);
    expect(result.target.device).toBe('e1000e');
    expect(failing(result)).toEqual([]);
  }, RECORDING_MS);

  it('--device still wins over the sidecar', () => {
    const { result } = replayJson(trace, '--device', 'igb');
    expect(result.target.device).toBe('igb');
    // The e1000e driver's accesses on igb do not all match: the user's choice really took effect.
    expect(failing(result).length).toBeGreaterThan(0);
  }, RECORDING_MS);
});

describe('record linkflap: host-side link changes over QMP', () => {
  let dir: string;
  let trace: string;
  let recorded: CliResult;

  beforeAll(() => {
    dir = tempDir();
    trace = join(dir, 'flap.log');
    recorded = runCli(['record', '--scenario', 'linkflap', '-o', trace]);
  }, FIRST_RECORDING_MS);

  it('records the guest seeing its carrier go down and up', () => {
    expect(recorded.status).toBe(0);
    const consoleText = readFileSync(join(dir, 'flap.console.log'), 'utf8');
    expect(consoleText).toMatch(/IGBREC: host set_link down\n(.*\n)*IGBREC: carrier down\n(.*\n)*IGBREC: host set_link up\n(.*\n)*IGBREC: carrier up/);
  });

  it('the sidecar pairs each set_link with the trace line where QEMU applied it', async () => {
    const sidecar = await readSidecar(join(dir, 'flap.json'));
    const lines = readFileSync(trace, 'latin1').split('\n');
    expect(sidecar.host_events?.map((event) => [event.command, event.netdev, event.up])).toEqual([['set_link', 'n0', false], ['set_link', 'n0', true]]);
    for (const event of sidecar.host_events ?? []) {
      expect(lines[event.trace_line - 1]).toMatch(new RegExp(`:e1000e_link_status_changed New link status: ${event.up ? 1 : 0}$`));
    }
    expect(linkChangesInTrace(lines.join('\n')).map((change) => change.line)).toEqual(sidecar.host_events?.map((event) => event.trace_line));
  });
});

describe('failures', () => {
  /** The project's guest from the cache, booted as if it were the user's own. */
  const guest = (): string[] => {
    const cache = guestCacheDir(process.env, DEFAULT_KERNEL_PACKAGE, 'igb');
    return ['--kernel', join(cache, 'vmlinuz'), '--initrd', join(cache, 'initrd.gz')];
  };

  it('a missing kernel file: exit 2, naming it', () => {
    const dir = tempDir();
    const run = runCli(['record', '--kernel', join(dir, 'nope'), '--initrd', join(dir, 'nope2'), '-o', join(dir, 'x.log')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`kernel ${join(dir, 'nope')} does not exist`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a scenario the project\'s guest does not have: exit 2', () => {
    const run = runCli(['record', '--scenario', 'bogus', '-o', join(tempDir(), 'x.log')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('use one of init, traffic, reload');
  });

  it('no such QEMU: exit 3', () => {
    const dir = tempDir();
    const run = runCli(['record', '--qemu', join(dir, 'qemu-system-x86_64'), '-o', join(dir, 'x.log')]);
    expect(run.status).toBe(3);
    expect(run.stderr).toMatch(/QEMU not found: .* is not an executable file/);
  });

  it('the guest reports FAIL: exit 3 with the console tail, no trace written', () => {
    const dir = tempDir();
    const out = join(dir, 'x.log');
    const run = runCli(['record', ...guest(), '--append', 'console=ttyS0 quiet panic=-1 igbrec=bogus', '--scenario', 'bogus', '-o', out]);
    expect(run.status).toBe(3);
    expect(run.stderr).toContain("recording failed: the guest reported FAIL unknown scenario 'bogus'");
    expect(run.stderr).toContain('guest console (last lines');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual(['x.console.log']);
  }, RECORDING_MS);

  it('the guest does not finish in time: exit 3, no trace written', () => {
    const dir = tempDir();
    const out = join(dir, 'x.log');
    const run = runCli(['record', ...guest(), '--timeout', '1', '-o', out]);
    expect(run.status).toBe(3);
    expect(run.stderr).toContain('the guest did not power off within 1 s');
    expect(run.stderr).toContain('hint: the guest may just be slow under TCG: raise --timeout');
    expect(existsSync(out)).toBe(false);
  }, RECORDING_MS);

  it('Ctrl-C while the guest runs: killed by SIGINT, QEMU and the work directory gone, nothing written', async () => {
    const dir = tempDir();
    const out = join(dir, 'x.log');
    const child = spawn(process.execPath, [MAIN, 'record', ...guest(), '-o', out], { env: plainEnv(), stdio: 'ignore' });
    const exited = new Promise<string>((resolve) => child.on('close', (code, signal) => resolve(signal ?? String(code))));
    const qemu = await waitFor('the recording QEMU', 20_000, () => qemuChildOf(child.pid!));
    const work = qemuTempDir(qemu).cwd;
    child.kill('SIGINT');
    // The reaper re-raises the signal after cleaning up: the shell would show 130.
    expect(await exited).toBe('SIGINT');
    await waitFor('QEMU to be gone', 5_000, () => (processAlive(qemu) ? undefined : true));
    expect(existsSync(work)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  }, RECORDING_MS);
});
