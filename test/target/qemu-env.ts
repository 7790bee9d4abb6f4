// Shared set-up of the integration tests, which run against a real QEMU (never a fake target).
// They must fail, not skip, when QEMU is missing: CI installs it, and a silently skipped suite
// would hide a broken target layer.
import { existsSync, readFileSync } from 'node:fs';
import { findQemu, type QemuInfo } from '../../src/target/qemu-binary.js';

export const REQUIREMENT = 'the target integration tests need qemu-system-x86_64 >= 8.0 with igb and e1000e '
  + '(run scripts/install-qemu.sh, or set QTEST_QEMU_BINARY)';

/** Finds the QEMU the tests use, or throws an error that says what to install. */
export async function requireQemu(): Promise<QemuInfo> {
  try {
    return await findQemu({ device: 'igb' });
  } catch (error) {
    throw new Error(`${REQUIREMENT}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** False once the process is gone (ESRCH) or only a zombie awaiting a reaper that is not us. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
  const statPath = `/proc/${pid}/stat`;
  if (!existsSync(statPath)) return true;
  const state = readFileSync(statPath, 'utf8').replace(/^.*\) /s, '').charAt(0);
  return state !== 'Z';
}

export function expectGone(pid: number, tempDir: string): void {
  if (processAlive(pid)) throw new Error(`QEMU pid ${pid} is still running`);
  if (existsSync(tempDir)) throw new Error(`temp dir ${tempDir} still exists`);
}
