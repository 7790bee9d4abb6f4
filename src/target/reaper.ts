// Guarantees that no QEMU outlives us and no temp dir is left behind, however we end:
//  - normal exit: the process 'exit' handler SIGKILLs and removes synchronously (it cannot wait);
//  - SIGINT / SIGTERM / SIGHUP: every live QEMU is shut down (SIGTERM, SIGKILL after a grace
//    period, temp dir removed), then the signal is re-raised with its default action so our exit
//    status is the conventional 128+n; a second signal during that forces an immediate exit.
// Handlers are installed only while at least one QEMU is live, so a process without QEMU keeps
// Node's default signal behaviour. If someone else (e.g. the CLI) also listens for the signal,
// we clean up but leave the decision to exit to them.
// A process registered while a signal shutdown runs (a parallel replay was starting its QEMU) is
// stopped at once: it would otherwise outlive us. Worker threads receive no signals; the thread
// that owns them tells each to `reapAll()`, after which the worker's reaper stops whatever starts.
// Not coverable: SIGKILL of our own process (QEMU 10.0 has no exit-with-parent option).

import { constants as osConstants } from 'node:os';
import type { Disposable } from './events.js';

export interface Reapable {
  /** Ends the process and removes its files, politely. */
  shutdown(): Promise<void>;
  /** The same, synchronously and forcefully. */
  shutdownSync(): void;
  /**
   * Files only (a work directory a process writes into): shut down after every process is down,
   * so that no process still creates files in it while it is removed.
   */
  readonly afterProcesses?: boolean;
}

/** The entries in shutdown order: processes, then what they wrote into. */
function inOrder(entries: Iterable<Reapable>): [Reapable[], Reapable[]] {
  const all = [...entries];
  return [all.filter((entry) => entry.afterProcesses !== true), all.filter((entry) => entry.afterProcesses === true)];
}

/** Shuts every entry down politely, processes first. */
async function shutdownAll(entries: Iterable<Reapable>): Promise<void> {
  const [processes, files] = inOrder(entries);
  await Promise.allSettled(processes.map((entry) => entry.shutdown()));
  await Promise.allSettled(files.map((entry) => entry.shutdown()));
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type HandledSignal = (typeof SIGNALS)[number];

const live = new Set<Reapable>();
let installed = false;
let shuttingDown = false;
/** Set by reapAll(): this thread is being stopped, nothing may start any more. */
let closed = false;

function onExit(): void {
  for (const entry of inOrder(live).flat()) entry.shutdownSync();
  live.clear();
}

function onSignal(signal: HandledSignal): void {
  if (shuttingDown) {
    onExit();
    process.exit(128 + osConstants.signals[signal]);
  }
  shuttingDown = true;
  void shutdownAll(live).then(() => {
    shuttingDown = false;
    live.clear();
    uninstall();
    reraise(signal);
  });
}

const signalHandlers = new Map<HandledSignal, () => void>(SIGNALS.map((signal) => [signal, () => onSignal(signal)]));

function reraise(signal: HandledSignal): void {
  if (process.listenerCount(signal) > 0) return; // another handler owns the decision to exit
  process.kill(process.pid, signal);
  // If the signal is ignored (e.g. SIGHUP under nohup), still end the way the user asked.
  setTimeout(() => process.exit(128 + osConstants.signals[signal]), 1000);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  for (const [signal, handler] of signalHandlers) process.on(signal, handler);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', onExit);
  for (const [signal, handler] of signalHandlers) process.off(signal, handler);
}

/** Puts a live process under the reaper's care until the returned Disposable is disposed. */
export function registerForReaping(entry: Reapable): Disposable {
  if (shuttingDown || closed) {
    entry.shutdownSync();
    return { dispose: () => undefined };
  }
  live.add(entry);
  install();
  return {
    dispose: () => {
      live.delete(entry);
      // While a signal shutdown is running, keep the handlers: it re-raises when done.
      if (live.size === 0 && !shuttingDown) uninstall();
    },
  };
}

/**
 * Stops every registered process now and anything registered from here on: for a worker thread
 * told to stop by the thread that received the signal (signals reach only the main thread).
 */
export async function reapAll(): Promise<void> {
  closed = true;
  await shutdownAll(live);
  live.clear();
  uninstall();
}

/** True while a signal shutdown runs, or after reapAll(): start nothing new. */
export function reaping(): boolean {
  return shuttingDown || closed;
}

/** Number of processes currently registered (for tests and diagnostics). */
export function liveProcessCount(): number {
  return live.size;
}
