// One running QEMU and the private directory that belongs to it, as a single unit of cleanup.
// Whoever ends it (session close, QEMU dying on its own, our process exiting or being signalled)
// goes through shutdown()/shutdownSync(), which are idempotent, so the reaper and the session
// never race each other into a half-cleaned state.

import { rmSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Disposable } from './events.js';
import type { ManagedChild } from './managed-child.js';
import { registerForReaping, type Reapable } from './reaper.js';

/** Creates a fresh directory only we can enter (sockets and logs must not be reachable by others). */
export async function makePrivateTempDir(root = tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(root, 'igb-replay-'));
  await chmod(dir, 0o700); // mkdtemp already uses 0700; say it explicitly rather than rely on it
  return dir;
}

export class QemuInstance implements Reapable {
  private registration: Disposable | undefined;
  private shutdownPromise: Promise<void> | undefined;

  constructor(
    readonly child: ManagedChild,
    readonly tempDir: string,
    private readonly killGraceMs: number,
    private readonly keepTempDir: boolean,
  ) {
    this.registration = registerForReaping(this);
    // QEMU may also end on its own; its directory goes with it.
    void child.exited.then(() => this.shutdown());
  }

  get isShutDown(): boolean {
    return this.shutdownPromise !== undefined;
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  shutdownSync(): void {
    this.child.killNow();
    if (!this.keepTempDir) rmSync(this.tempDir, { recursive: true, force: true });
    this.unregister();
  }

  private async doShutdown(): Promise<void> {
    try {
      await this.child.terminate(this.killGraceMs);
      if (!this.keepTempDir) await rm(this.tempDir, { recursive: true, force: true });
    } finally {
      this.unregister();
    }
  }

  private unregister(): void {
    this.registration?.dispose();
    this.registration = undefined;
  }
}
