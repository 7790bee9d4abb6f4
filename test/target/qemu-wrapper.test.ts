// A wrapper script given as the QEMU binary (--qemu / QTEST_QEMU_BINARY), as QEMU developers run
// QEMU under valgrind, rr or strace. Such wrappers change the order in which QEMU's connections
// reach igb-replay; the real QEMU is still the device under test.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** The pids whose parent is `parent` (from /proc: the wrapper's QEMU). */
function childrenOf(parent: number): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((name) => {
    try {
      // The fields after the command name (in parentheses, which may hold spaces): state, ppid.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return ppid === parent ? [Number(name)] : [];
    } catch {
      return []; // ended meanwhile
    }
  });
}

describe('a wrapper as the QEMU binary', () => {
  it('is stopped with the QEMU it forked (a wrapper without exec, like time or strace -f)', async () => {
    const wrapper = join(dir, 'forking-wrapper');
    // The shell stays QEMU's parent: a SIGTERM to its pid alone would end it and leave QEMU running.
    writeFileSync(wrapper, `#!/bin/sh\n${shellQuote(qemu.path)} "$@"\nstatus=$?\nexit $status\n`);
    chmodSync(wrapper, 0o755);
    const session = await launchQemu({ qemu: wrapper });
    let forked: number[];
    try {
      const { mmio } = await setupNic(session.qtest, { model: 'igb', slot: 2 });
      expect(await session.qtest.readl(mmio + STATUS)).toBe(0x80080481);
      forked = childrenOf(session.pid);
      expect(forked).toHaveLength(1);
    } finally {
      await session.close();
    }
    expectGone(session.pid, session.tempDir);
    expectGone(forked[0]!, session.tempDir);
  });


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
