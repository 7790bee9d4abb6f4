// `igb-replay record --arch aarch64` end to end: Debian's arm64 kernel and busybox on QEMU's virt
// machine (qemu-system-aarch64, TCG), the project's guest built for arm64 the first time (apt
// downloads the arm64 packages). The recording then replays on the x86 replay machine like any
// other: the device model is the same code whatever the machine, and the replay's RAM reaches up
// to where the arm64 guest's RAM ended (it starts at 1 GiB on virt), so its rings and buffers
// lie at the recorded addresses.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAILING_CLASSES, type ReplayResult } from '../../src/model/replay.js';
import type { Sidecar } from '../../src/trace/sidecar.js';
import { removeTempDirs, runCli, type CliResult } from '../cli/run-cli.js';
import { recordInto } from './record-env.js';
import { requireQemu } from '../target/qemu-env.js';

/** A first run downloads the arm64 kernel package and builds the guest. */
const FIRST_RECORDING_MS = 600_000;
const REPLAY_MS = 120_000;

afterAll(removeTempDirs);

describe('record an arm64 guest\'s igb init on virt, then replay it on x86', () => {
  let dir: string;
  let trace: string;
  let recorded: CliResult;
  let sidecar: Sidecar;

  beforeAll(async () => {
    await requireQemu();
    const recording = await recordInto('arm-init', ['--arch', 'aarch64'], 'record aarch64 init');
    ({ dir, trace, run: recorded } = recording);
    if (recording.sidecar !== undefined) sidecar = recording.sidecar;
  }, FIRST_RECORDING_MS);

  it('exits 0, and the sidecar says how: virt, the arm64 kernel, its console', () => {
    expect(recorded.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('igb-replay: build-guest: '))).toEqual([]);
    expect(recorded.status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['arm-init.console.log', 'arm-init.json', 'arm-init.log', 'arm-init.pcap']);
    expect(sidecar).toMatchObject({ guest_arch: 'aarch64', kernel_package: 'linux-image-6.1.0-56-arm64', memory_mib: 512 });
    expect(sidecar.qemu_command?.slice(0, 5)).toEqual(['qemu-system-aarch64', '-M', 'virt', '-cpu', 'max']);
    expect(sidecar.kernel_append).toMatch(/^console=ttyAMA0 /);
    expect(sidecar.recorded_by).toContain('--arch aarch64');
    expect(readFileSync(join(dir, 'arm-init.console.log'), 'utf8')).toContain('IGBREC: done init');
  });

  it('is a real arm64 recording: the kernel put the NIC\'s BAR0 in virt\'s PCI window, not q35\'s', () => {
    const text = readFileSync(trace, 'latin1');
    // The kernel enumerates virt's generic PCIe host bridge (gpex) itself.
    expect(text).toMatch(/:pci_cfg_read gpex-root /);
    // BAR0 sized (all ones), then placed: virt's 32-bit PCI window is 0x10000000-0x3effffff, q35's above 2 GiB.
    const placed = [...text.matchAll(/:pci_cfg_write igb [0-9a-f:.]+ @0x10 <- (0x[0-9a-f]+)/g)].map((m) => Number(m[1])).filter((v) => v !== 0 && v !== 0xffff_ffff);
    expect(placed.length).toBeGreaterThan(0);
    expect(placed.every((address) => address >= 0x1000_0000 && address < 0x3f00_0000)).toBe(true);
  });

  it('replays on x86 with exit 0, no unexplained divergence, every recorded read compared', () => {
    const run = runCli(['replay', trace, '--json', '-']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = (JSON.parse(run.stdout) as { results: ReplayResult[] }).results[0]!;
    expect(result.completed).toBe(true);
    expect(result.counts.reads).toBeGreaterThan(2500);
    expect(result.divergences.filter((d) => FAILING_CLASSES.has(d.class))).toEqual([]);
  }, REPLAY_MS);
});
