// Integration tests: a real QEMU with the igb (and e1000e) model, driven over qtest and QMP.
import { describe, it, expect, beforeAll, afterEach } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchQemu, type LaunchOptions, type QemuSession } from '../../src/target/qemu-process.js';
import { RECORDED_GUEST_BARS, enableMmconfig, setupNic, configRead } from '../../src/target/pci-setup.js';
import { QtestCommandError, TargetClosedError, TargetError } from '../../src/target/errors.js';
import { liveProcessCount } from '../../src/target/reaper.js';
import { findQemu } from '../../src/target/qemu-binary.js';
import { probeEntryPath } from '../../src/target/probe-cache.js';
import { requireQemu, expectGone, processAlive } from './qemu-env.js';

const STATUS = 0x0008;
const EERD = 0x0014;
const MDIC = 0x0020;
const RDBAL0 = 0xc000;
const NIC = { bus: 0, device: 2, fn: 0 };

const sessions: QemuSession[] = [];

async function launch(options: LaunchOptions = {}): Promise<QemuSession> {
  const session = await launchQemu(options);
  sessions.push(session);
  return session;
}

beforeAll(async () => {
  await requireQemu();
});

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
});

describe('QEMU igb target (paused, -S)', () => {
  it('launches in a private temp dir, sets up PCI and reads STATUS after reset', async () => {
    const session = await launch();
    expect(statSync(session.tempDir).mode & 0o777).toBe(0o700);
    expect(session.args).toContain('-S');
    const bars = await setupNic(session.qtest, { model: 'igb', slot: 2 });
    expect(bars).toEqual(RECORDED_GUEST_BARS);
    expect(await configRead(session.qtest, NIC, 0x04, 2) & 0x7).toBe(0x7);
    expect(await session.qtest.readl(bars.mmio + STATUS)).toBe(0x80080481);
    // The IO BAR reaches the same registers: IOADDR at +0, IODATA at +4.
    await session.qtest.outl(bars.io, STATUS);
    expect(await session.qtest.inl(bars.io + 4)).toBe(0x80080481);
  });

  it('writes and reads back a RW register, and reads EEPROM word 0 through EERD', async () => {
    const session = await launch();
    const { mmio } = await setupNic(session.qtest, { model: 'igb', slot: 2 });
    await session.qtest.writel(mmio + RDBAL0, 0x12345680);
    expect(await session.qtest.readl(mmio + RDBAL0)).toBe(0x12345680);
    await session.qtest.writel(mmio + EERD, 0x1); // word 0, START
    const eerd = await session.qtest.readl(mmio + EERD);
    expect(eerd & 0x2).toBe(0x2); // DONE
    expect(eerd >>> 16).toBe(0x5452); // MAC bytes 52:54, little-endian word
  });

  it('pipelines 10,000 reads and gets every reply in order', async () => {
    const session = await launch();
    const { mmio } = await setupNic(session.qtest, { model: 'igb', slot: 2 });
    // Distinct values to prove the order: RAL(n) registers written with their index.
    const ral = (n: number): number => mmio + 0x5400 + 8 * n;
    await session.qtest.sendBatch(Array.from({ length: 16 }, (_, n) => ({ op: 'writel' as const, addr: ral(n), value: 0x1000 + n })));
    const commands = Array.from({ length: 10_000 }, (_, i) => ({ op: 'readl' as const, addr: ral(i % 16) }));
    const values = await session.qtest.sendBatch(commands);
    expect(values).toHaveLength(10_000);
    expect(values.every((value, i) => value === 0x1000 + (i % 16))).toBe(true);
    const singles = await Promise.all(Array.from({ length: 1000 }, (_, i) => session.qtest.readl(ral(i % 16))));
    expect(singles.every((value, i) => value === 0x1000 + (i % 16))).toBe(true);
  });

  it('answers QMP query-status, and stop/cont change it', async () => {
    const session = await launch();
    expect(await session.qmp?.execute('query-status')).toEqual({ status: 'prelaunch', running: false });
    const resumed = session.qmp?.waitForEvent('RESUME');
    await session.qmp?.execute('cont');
    await resumed;
    expect(await session.qmp?.execute('query-status')).toMatchObject({ running: true });
    await session.qmp?.execute('stop');
    expect(await session.qmp?.execute('query-status')).toEqual({ status: 'paused', running: false });
  });

  it('reports FAIL for clock_step on a QEMU without the qtest accelerator (or steps with it)', async () => {
    const session = await launch();
    const step = session.qtest.clockStep(1000).catch((error: unknown) => error);
    const result = await step;
    if (typeof result === 'bigint') expect(result).toBeGreaterThan(0n);
    else expect(result).toBeInstanceOf(QtestCommandError);
    expect(await session.qtest.endianness()).toBe('little'); // still usable
  });

  it('reaches extended config space through MMCONFIG', async () => {
    const session = await launch();
    const window = await enableMmconfig(session.qtest);
    expect(await window.read(NIC, 0x00, 4)).toBe(0x10c98086);
    expect(await window.read(NIC, 0x100, 2)).toBe(0x0001); // AER capability ID
    expect((await window.read(NIC, 0x160, 4)) & 0xffff).toBe(0x0010); // SR-IOV capability ID
  });

  it('also works over -qtest stdio', async () => {
    const session = await launch({ transport: 'stdio', qmp: false });
    expect(session.qmp).toBeUndefined();
    const { mmio } = await setupNic(session.qtest, { model: 'igb', slot: 2 });
    expect(await session.qtest.readl(mmio + STATUS)).toBe(0x80080481);
  });
});

describe('QEMU e1000e target', () => {
  it('launches and identifies as 8086:10d3 with a 32-bit MSI-X BAR', async () => {
    const session = await launch({ model: 'e1000e', slot: 3 });
    const bars = await setupNic(session.qtest, { model: 'e1000e', slot: 3 });
    expect(await configRead(session.qtest, { bus: 0, device: 3, fn: 0 }, 0x1c, 4)).toBe(bars.msix);
    // Unlike igb, e1000e reports link up at reset (libqos/e1000e.c asserts it without a clock step).
    expect(await session.qtest.readl(bars.mmio + STATUS) & 0x3).toBe(0x3); // FD | LU
  });

  it('fails PCI setup when the model at the slot is not the one asked for', async () => {
    const session = await launch({ model: 'e1000e' });
    await expect(setupNic(session.qtest, { model: 'igb', slot: 2 })).rejects.toMatchObject({ code: 'pci-setup' });
  });
});

describe('virtual time with the halt firmware and icount (drain mode)', () => {
  it('lets the autoneg timer fire only while running, seen in the trace log', async () => {
    const session = await launch({ haltFirmware: true, icount: true, pit: false, trace: ['e1000e_link*'] });
    const { mmio } = await setupNic(session.qtest, { model: 'igb', slot: 2 });
    const from = await session.logSize();
    await session.qtest.writel(mmio + MDIC, 0x04201340); // PHY BMCR: restart autonegotiation
    expect(await session.qtest.readl(mmio + STATUS)).toBe(0x80080481); // paused: time is frozen
    await session.qmp?.execute('cont');
    const line = await session.waitForLog(/e1000e_link_autoneg_flowctl/, { fromOffset: from, timeoutMs: 5000 });
    await session.qmp?.execute('stop');
    expect(line.lineOffset).toBeGreaterThanOrEqual(from);
    expect(await session.qtest.readl(mmio + STATUS)).toBe(0x80080483); // link up
  });
});

describe('QEMU dying mid-session', () => {
  it('rejects every pending request and leaves no process and no temp dir', async () => {
    const session = await launch();
    const { mmio } = await setupNic(session.qtest, { model: 'igb', slot: 2 });
    const { pid, tempDir } = session;
    const batch = session.qtest.sendBatch(Array.from({ length: 200_000 }, () => ({ op: 'readl' as const, addr: mmio + STATUS })));
    const single = session.qtest.readl(mmio + STATUS);
    const qmp = session.qmp?.execute('query-status');
    process.kill(pid, 'SIGKILL');
    const error = await batch.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetClosedError);
    expect(error).toMatchObject({ code: 'closed', exit: { signal: 'SIGKILL' } });
    expect(String((error as Error).message)).toMatch(/killed by SIGKILL/);
    await expect(single).rejects.toBeInstanceOf(TargetClosedError);
    await qmp?.catch(() => undefined); // may have been answered before the kill
    await expect(session.qtest.readl(mmio)).rejects.toBeInstanceOf(TargetClosedError);
    await expect(session.waitForLog(/never/, { timeoutMs: 1000 })).rejects.toBeInstanceOf(TargetClosedError);
    expectGone(pid, tempDir);
    await session.close(); // still fine afterwards
  });

  it('close() stops QEMU and removes the temp dir', async () => {
    const session = await launch({ keepTempDir: false });
    const { pid, tempDir } = session;
    expect(processAlive(pid)).toBe(true);
    await session.close();
    expect(session.alive).toBe(false);
    expectGone(pid, tempDir);
    expect(liveProcessCount()).toBe(0);
  });
});

describe('launch failures', () => {
  it('reports QEMU exiting during start-up with its stderr, and cleans up', async () => {
    const error = await launchQemu({ extraArgs: ['-no-such-option'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect(error).toMatchObject({ code: 'launch-failed' });
    expect((error as Error).message).toMatch(/exited with code 1 during start-up/);
    expect((error as Error).message).toMatch(/invalid option/);
    expect(liveProcessCount()).toBe(0);
  });

  it('forgets the cached probes of a binary that failed to start', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'probe-cache-test-'));
    try {
      const { path } = await findQemu({ device: 'igb', probeCache: cache });
      const entry = await probeEntryPath(cache, path) as string;
      expect(existsSync(entry)).toBe(true);
      await expect(launchQemu({ extraArgs: ['-no-such-option'], env: { ...process.env, IGB_REPLAY_CACHE: cache } }))
        .rejects.toMatchObject({ code: 'launch-failed' });
      expect(existsSync(entry)).toBe(false);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('fails with a hint when the binary is missing', async () => {
    const error = await launchQemu({ qemu: '/nonexistent/qemu-system-x86_64' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect(error).toMatchObject({ code: 'qemu-not-executable' });
    expect((error as TargetError).hint).toMatch(/install-qemu\.sh.*QTEST_QEMU_BINARY/);
    expect(existsSync('/nonexistent')).toBe(false);
  });
});
