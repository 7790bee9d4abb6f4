// A wrapper script given as the QEMU binary (--qemu / QTEST_QEMU_BINARY), as QEMU developers run
// QEMU under valgrind, rr or strace. Such wrappers change the order in which QEMU's connections
// reach igb-replay; the real QEMU is still the device under test.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchQemu } from '../../src/target/qemu-process.js';
import { setupNic } from '../../src/target/pci-setup.js';
import type { QemuInfo } from '../../src/target/qemu-binary.js';
import { requireQemu, expectGone } from './qemu-env.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const STATUS = 0x0008;
/** Long enough that QMP is connected and greets well before qtest arrives. */
const QTEST_DELAY_MS = 300;

const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

let qemu: QemuInfo;
let dir: string;

beforeAll(async () => {
  qemu = await requireQemu();
  dir = mkdtempSync(join(tmpdir(), 'qemu-wrapper-test-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A wrapper with the fixed arguments baked in, as a user's own wrapper script would be. */
function writeWrapper(name: string, fixture: string, ...args: string[]): string {
  const path = join(dir, name);
  const call = [`${FIXTURES}${fixture}`, ...args].map(shellQuote).join(' ');
  writeFileSync(path, `#!/bin/sh\nexec /bin/sh ${call} "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('a wrapper as the QEMU binary', () => {
  it('starts when QMP connects and greets before qtest connects (issue #13)', async () => {
    const wrapper = writeWrapper('delay-qtest', 'delay-qtest-connect.sh', process.execPath, qemu.path, String(QTEST_DELAY_MS));
    const session = await launchQemu({ qemu: wrapper });
    try {
      expect(session.binary.path).toBe(wrapper);
      expect(session.qmp?.greeting?.version.qemu).toEqual({
        major: qemu.version.major, minor: qemu.version.minor, micro: qemu.version.micro,
      });
      expect(await session.qmp?.execute('query-status')).toEqual({ status: 'prelaunch', running: false });
      const { mmio } = await setupNic(session.qtest, { model: 'igb', slot: 2 });
      expect(await session.qtest.readl(mmio + STATUS)).toBe(0x80080481);
    } finally {
      await session.close();
    }
    expectGone(session.pid, session.tempDir);
  });
});
