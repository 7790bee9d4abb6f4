import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from '@jest/globals';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  clearQemuProbeCache, findQemu, forgetQemuProbe, hasQtestAccel, parseDeviceList, parseQemuVersion, probeQemu, resolveQemuBinary,
} from '../../src/target/qemu-binary.js';
import { cacheDirectory, probeEntryPath } from '../../src/target/probe-cache.js';
import { TargetError } from '../../src/target/errors.js';
import { requireQemu } from './qemu-env.js';

let realQemu: string;
let dir: string;

/** A stand-in binary for the discovery checks only (never used as a replay target). */
function fakeQemu(name: string, version: string, devices: string[], accel: boolean): string {
  const path = join(dir, name);
  const deviceLines = devices.map((d) => `echo 'name "${d}", bus PCI, desc "x"'`).join('\n');
  writeFileSync(path, `#!/bin/sh
case "$1" in
  --version) echo 'QEMU emulator version ${version}'; exit 0 ;;
  -device) ${deviceLines === '' ? 'true' : deviceLines}; exit 0 ;;
esac
${accel ? 'read line; echo "OK 1"; exec sleep 30' : "echo 'qemu: -accel qtest: invalid accelerator qtest' >&2; exit 1"}
`);
  chmodSync(path, 0o755);
  return path;
}

beforeAll(async () => {
  realQemu = (await requireQemu()).path;
  dir = mkdtempSync(join(tmpdir(), 'qemu-binary-test-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parsers', () => {
  it('reads the version from the first line of --version', () => {
    expect(parseQemuVersion('QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2)\nCopyright ...')).toEqual({
      major: 10, minor: 0, micro: 2, text: 'QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2)',
    });
    expect(parseQemuVersion('not qemu')).toBeUndefined();
  });

  it('reads device names from -device help', () => {
    const devices = parseDeviceList('Network devices:\nname "e1000e", bus PCI, desc "Intel 82574L GbE Controller"\nname "igb", bus PCI\n');
    expect([...devices]).toEqual(['e1000e', 'igb']);
  });
});

describe('real QEMU', () => {
  it('has igb and e1000e and a version >= 8.0', async () => {
    const info = await findQemu({ explicit: realQemu, device: 'igb' });
    expect(info.version.major).toBeGreaterThanOrEqual(8);
    expect(info.devices.has('igb')).toBe(true);
    expect(info.devices.has('e1000e')).toBe(true);
    // Cached: the same promise result for the same unchanged binary.
    expect(await probeQemu(realQemu)).toBe(info);
  });

  it('fails with device-missing and a hint for a device the binary lacks', async () => {
    const error = await findQemu({ explicit: realQemu, device: 'no-such-nic' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect(error).toMatchObject({ code: 'device-missing' });
    expect((error as TargetError).message).toContain('"no-such-nic"');
    expect((error as TargetError).hint).toMatch(/install-qemu\.sh/);
  });

  it('answers the qtest-accelerator probe consistently with requireQtestAccel', async () => {
    const accel = await hasQtestAccel(realQemu);
    const found = findQemu({ explicit: realQemu, device: 'igb', requireQtestAccel: true });
    if (accel) await expect(found).resolves.toBeDefined();
    else await expect(found).rejects.toMatchObject({ code: 'qtest-accel-missing' });
  });
});

describe('lookup order and failures', () => {
  it('uses the explicit path, then QTEST_QEMU_BINARY, then PATH', async () => {
    const fromEnv = fakeQemu('env-qemu', '9.2.0', ['igb'], false);
    const onPath = fakeQemu('qemu-system-x86_64', '9.1.0', ['igb'], false);
    expect(await resolveQemuBinary({ explicit: realQemu, env: { QTEST_QEMU_BINARY: fromEnv, PATH: dir } })).toBe(realQemu);
    expect(await resolveQemuBinary({ env: { QTEST_QEMU_BINARY: fromEnv, PATH: dir } })).toBe(fromEnv);
    expect(await resolveQemuBinary({ env: { PATH: `/nonexistent:${dir}` } })).toBe(onPath);
    expect(await resolveQemuBinary({ env: { QTEST_QEMU_BINARY: '', PATH: dir } })).toBe(onPath);
  });

  it('fails with qemu-not-found and a hint when nothing is on PATH', async () => {
    const error = await resolveQemuBinary({ env: { PATH: join(dir, 'empty') } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect(error).toMatchObject({ code: 'qemu-not-found' });
    expect((error as TargetError).hint).toMatch(/scripts\/install-qemu\.sh.*--qemu PATH.*QTEST_QEMU_BINARY/);
  });

  it('fails with qemu-not-executable for a bad QTEST_QEMU_BINARY or --qemu', async () => {
    await expect(resolveQemuBinary({ env: { QTEST_QEMU_BINARY: '/nonexistent/qemu' } }))
      .rejects.toMatchObject({ code: 'qemu-not-executable', message: expect.stringContaining('QTEST_QEMU_BINARY') });
    await expect(resolveQemuBinary({ explicit: dir })).rejects.toMatchObject({ code: 'qemu-not-executable' });
  });

  it('rejects a QEMU older than 8.0', async () => {
    const old = fakeQemu('qemu-7.2', '7.2.0', ['e1000e'], false);
    const error = await findQemu({ explicit: old, device: 'igb' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'qemu-too-old' });
    expect((error as TargetError).message).toMatch(/7\.2\.0 .* needs QEMU >= 8\.0/);
  });

  it('fails probing a binary that is not QEMU', async () => {
    const notQemu = join(dir, 'not-qemu');
    writeFileSync(notQemu, '#!/bin/sh\necho hello\n');
    chmodSync(notQemu, 0o755);
    await expect(findQemu({ explicit: notQemu })).rejects.toMatchObject({ code: 'qemu-probe-failed' });
  });

  it('detects the qtest accelerator by a clock_step answer', async () => {
    expect(await hasQtestAccel(fakeQemu('with-accel', '10.0.0', ['igb'], true))).toBe(true);
    expect(await hasQtestAccel(fakeQemu('without-accel', '10.0.0', ['igb'], false))).toBe(false);
  });
});

describe('the probe cache on disk', () => {
  let cache: string;
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'probe-cache-test-'));
    clearQemuProbeCache();
  });
  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  /** Rewrites the stored entry of the real binary, as an older run (or an older QEMU) would have left it. */
  async function plant(change: (record: Record<string, unknown>) => Record<string, unknown>): Promise<string> {
    const entry = await probeEntryPath(cache, realQemu) as string;
    const stored = JSON.parse(readFileSync(entry, 'utf8')) as { format: number; record: Record<string, unknown> };
    writeFileSync(entry, JSON.stringify({ ...stored, record: change(stored.record) }));
    clearQemuProbeCache(); // a new run: nothing in memory
    return entry;
  }

  it('lives where the scripts keep their cache', () => {
    expect(cacheDirectory({ IGB_REPLAY_CACHE: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/c');
    expect(cacheDirectory({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/igb-replay');
    expect(cacheDirectory({ XDG_CACHE_HOME: 'relative', HOME: '/h' })).toBe('/h/.cache/igb-replay');
  });

  it('keys an entry by the binary file, and never caches a script', async () => {
    const binary = join(dir, 'not-a-script');
    writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1]));
    const first = await probeEntryPath(cache, binary);
    expect(first).toMatch(/qemu-probes\/[0-9a-f]{32}\.json$/);
    expect(await probeEntryPath(cache, binary)).toBe(first);
    writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 2]));
    expect(await probeEntryPath(cache, binary)).not.toBe(first);
    expect(await probeEntryPath(cache, fakeQemu('wrapper', '10.0.0', ['igb'], false))).toBeUndefined();
    await findQemu({ explicit: join(dir, 'wrapper'), device: 'igb', probeCache: cache });
    expect(existsSync(join(cache, 'qemu-probes'))).toBe(false);
  });

  it('answers a later run from the stored entry without probing', async () => {
    await findQemu({ explicit: realQemu, device: 'igb', probeCache: cache });
    expect(await hasQtestAccel(realQemu, cache)).toBe(await hasQtestAccel(realQemu, false));
    expect(readdirSync(join(cache, 'qemu-probes'))).toHaveLength(1);
    // Only an answer read from the entry can know about this device.
    await plant((record) => ({ ...record, info: { ...record.info as object, devices: ['igb', 'planted-nic'] } }));
    const info = await findQemu({ explicit: realQemu, device: 'planted-nic', probeCache: cache });
    expect([...info.devices]).toEqual(['igb', 'planted-nic']);
  });

  it('probes again before failing on a stored answer, and stores the new one', async () => {
    await findQemu({ explicit: realQemu, device: 'igb', probeCache: cache });
    const entry = await plant((record) => ({ ...record, info: { ...record.info as object, devices: ['e1000e'] } }));
    const info = await findQemu({ explicit: realQemu, device: 'igb', probeCache: cache });
    expect(info.devices.has('igb')).toBe(true);
    expect(readFileSync(entry, 'utf8')).toContain('"igb"');
  });

  it('ignores a malformed entry, and forgets an entry on request', async () => {
    await findQemu({ explicit: realQemu, device: 'igb', probeCache: cache });
    const entry = await plant(() => ({ info: { version: 'ten' } }));
    expect((await findQemu({ explicit: realQemu, device: 'igb', probeCache: cache })).devices.has('igb')).toBe(true);
    await forgetQemuProbe(realQemu, cache);
    expect(existsSync(entry)).toBe(false);
  });
});
