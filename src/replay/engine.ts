// Executes a replay plan against a target, pipelining commands between sync points: nothing
// waits for a reply unless its answer decides what to send next (a folded polling loop) or virtual
// time must run (a marker). The target is injected, so the engine is tested without QEMU too.

import type { ArmedTimer } from '../devices/throttle-timers.js';
import type { Access, Marker } from '../model/access.js';
import { PCI_COMMAND, type PollRun, type ReplayPlan, type ReplayStep } from './plan.js';
import type { MemoryStretch, MemoryWrite } from '../datapath/memory-write.js';
import type { RxInjection } from '../datapath/rx-path.js';
import type { BarWrite } from '../target/pci-setup.js';

/** One register access of a batch: MMIO (BAR0) or the IO BAR. */
export interface BatchOp {
  readonly kind: 'read' | 'write';
  readonly space: 'mmio' | 'io';
  readonly offset: number;
  /** Access width in bytes as recorded (mmiotrace keeps the driver's 1/2/4/8; QEMU logs always say 4). */
  readonly size: number;
  /** Written value (ignored for reads). */
  readonly value: number;
}

/** What letting time run at a marker did, so a caller can tell a target whose timer never fired. */
export interface TimeAdvance {
  /** The timer event awaited in the target's own log; 'none' when the marker only lets time run. */
  readonly awaited: 'autoneg' | 'none';
  /** Whether the awaited event happened within the target's bound (true when nothing was awaited). */
  readonly happened: boolean;
  /** Wall time the clock was let run (or spent stepping it), ms. */
  readonly waitedMs: number;
}

export interface ReplayTarget {
  /** Sends a batch in one go; resolves with each read's value (0 for writes), in order. */
  runBatch(ops: readonly BatchOp[]): Promise<readonly number[]>;
  readMmio(offset: number): Promise<number>;
  writeMmio(offset: number, value: number): Promise<void>;
  /** IO BAR: offset 0 is IOADDR, 4 is IODATA. */
  readIo(offset: number): Promise<number>;
  writeIo(offset: number, value: number): Promise<void>;
  /** `vf`: the NIC's SR-IOV virtual function whose config space it is (absent: the PF's). */
  writeConfig(offset: number, size: number, value: number, vf?: number): Promise<void>;
  /** Reads the config-space dword at `offset` (a multiple of 4) of the NIC's function (`vf`: one of its VFs). */
  readConfig(offset: number, vf?: number): Promise<number>;
  /**
   * The PF's BAR writes of the target's own PCI set-up, sent again after a function-level reset
   * (see the plan's 'reprogram-bars'); absent: the target programs no BARs (nothing to restore).
   */
  readonly barWrites?: readonly BarWrite[];
  /** Sets the backend link down or up, as QEMU's QMP `set_link` does (a host-side link change). */
  setLink(up: boolean): Promise<void>;
  /**
   * Lets virtual time run where the recording shows a timer firing (or, for a poll, a little).
   * A target that can watch for the timer's event says whether it happened (void: nothing to say).
   */
  advanceTime(cause: Marker | 'poll'): Promise<TimeAdvance | void>;
  /** False when time stays frozen for the whole replay. */
  readonly advancesTime: boolean;
  /** Writes guest memory (data path: descriptor rings, packet buffers); absent: the target cannot. */
  writeMemory?(writes: readonly MemoryWrite[]): Promise<void>;
  /** false when the NIC's frames do not reach the tool (no netdev of its own): the data path is off. */
  readonly framesVisible?: boolean;
  /**
   * The frames the device sent on its netdev since the last call; absent: the target has no
   * netdev the tool sees. QEMU holds a stopped machine's frames back until it runs again (net.c's
   * qemu_can_send_packet), so with `flush` a target that keeps its machine stopped lets it run
   * for an instant first (the end of a replay) and waits for `expected` frames at most briefly.
   */
  takeFrames?(options: { readonly flush: boolean; readonly expected: number }): Promise<Uint8Array[]>;
  /**
   * Hands the NIC the frames the recording received at a packet marker, one by one, each after its
   * receive descriptors are seeded, letting the throttling timers that fired between them fire;
   * resolves with how many frames the device took (a frame it does not take within a bound stays
   * with the backend), with what its device wrote where the recording's did, read back after each.
   * Absent: the target cannot inject frames.
   */
  receiveFrames?(injection: RxInjection, options?: { readonly pace: boolean }): Promise<ReceivedFrames>;
  /** Guest memory, stretch after stretch, joined; absent: the target cannot read guest memory. */
  readMemory?(stretches: readonly MemoryStretch[]): Promise<Uint8Array>;
  /**
   * Steps virtual time before an access the recording made at `recordedUs` that armed throttling
   * `timers`, so the target's clock follows the recording's between accesses (paced-clock.ts);
   * absent, or `pacesClock` false: time moves only at markers.
   */
  paceClock?(recordedUs: number | undefined, timers: readonly ArmedTimer[], startsNegotiation?: boolean): Promise<void>;
  readonly pacesClock?: boolean;
  /** Why this target cannot inject received frames now (undefined: it can, if it has receiveFrames). */
  readonly whyNoInjection?: string;
}

/** What the target did with the frames of one packet marker. */
export interface ReceivedFrames {
  /** Frames its device took (the first `taken` of the injection's). */
  readonly taken: number;
  /** For each frame taken, the guest memory the recording's device wrote it to, read back from the target. */
  readonly written: readonly Uint8Array[];
  /** For each frame taken, its decoded receive descriptors (RxPacket.writebacks), read back after the device wrote them, joined. */
  readonly writebacks: readonly Uint8Array[];
}

/** What a tail write hands over on the data path: memory to seed before it is sent, and to read back after. */
export interface Handoff {
  readonly writes: readonly MemoryWrite[];
  /** Guest memory the device writes while it handles the write (descriptor write-backs), read back right after it. */
  readonly readBack?: readonly MemoryStretch[];
}

/** What happened to a folded polling loop. */
export interface PollOutcome {
  readonly poll: PollRun;
  /** Reads made until the outcome appeared (or all attempts, when it never did). */
  readonly readsMade: number;
  readonly satisfied: boolean;
  readonly timeAdvances: number;
  /** The last value read. */
  readonly lastValue: number;
}

export interface EngineRun {
  /** Actual value of each replayed read, by access seq (for a config read: the whole dword it lies in). */
  readonly actual: Map<number, number>;
  /** Folded polls by their first read's seq. */
  readonly polls: Map<number, PollOutcome>;
  /** The MMIO/IO accesses sent, in order (folded polls count the reads actually made), for aligning the target's verdicts. */
  readonly sent: Access[];
  /** Every access sent, config accesses included, in order: the places the target's device events are tied to. */
  readonly places: Access[];
  readonly completed: boolean;
  readonly error?: unknown;
  /** The access being replayed when the run stopped early. */
  readonly stoppedAt?: Access;
  readonly timeAdvances: number;
  readonly linkChanges: number;
  /** BAR writes of the target's own set-up, sent again after the recording's function-level resets. */
  readonly barWrites: number;
  /** Guest-memory writes made for handoffs (data path). */
  readonly memoryWrites: number;
  /** Data path: the memory read back after each tail write with a handoff `readBack`, by the write's seq. */
  readonly readBack: Map<number, Uint8Array>;
  /** Data path: what the target did with the frames of each packet marker where frames were injected, by the marker's line. */
  readonly received: Map<number, ReceivedFrames>;
}

export interface EngineOptions {
  /** Replies awaited at most at once; bounds memory for huge traces. */
  readonly maxInFlight?: number;
  /** Extra reads, with time advanced before each, for a poll whose outcome has not appeared. */
  readonly pollRetries?: number;
  /** Called every so many steps with the steps done, for progress. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Data path: tail writes that hand descriptors to the device, by seq (see src/datapath/). */
  readonly handoffs?: ReadonlyMap<number, Handoff>;
  /** Data path: the frames to inject at each packet marker, by the marker's line. */
  readonly injections?: ReadonlyMap<number, RxInjection>;
}

const DEFAULT_MAX_IN_FLIGHT = 4096;
const DEFAULT_POLL_RETRIES = 20;
const PROGRESS_EVERY = 1024;

/** Promises in flight; remembers the first failure so none goes unhandled. */
class Pipeline {
  private pending: Promise<unknown>[] = [];
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  async add(promise: Promise<unknown>): Promise<void> {
    this.pending.push(promise.catch((error: unknown) => {
      this.failure ??= { error };
    }));
    if (this.pending.length >= this.limit) await this.drain(this.limit >> 1);
  }

  /** Waits for all (or the oldest `count`) replies; throws the first failure. */
  async drain(count = this.pending.length): Promise<void> {
    await Promise.all(this.pending.splice(0, count));
    if (this.failure !== undefined) throw this.failure.error;
  }
}

/** Accesses sent per batch: one promise and one socket write for many commands. */
const BATCH_SIZE = 256;

/**
 * Collects consecutive register accesses into batches and sends them through the pipeline; guest
 * memory to read after them goes out right behind the batch they are in (same connection, so in
 * order), whenever that batch is sent: a write that could change that memory (a seed) flushes first.
 */
class Batcher {
  private ops: BatchOp[] = [];
  private accesses: Access[] = [];
  private reads: { readonly stretches: readonly MemoryStretch[]; readonly done: (bytes: Uint8Array) => void }[] = [];

  constructor(private readonly target: ReplayTarget, private readonly pipeline: Pipeline,
    private readonly actual: Map<number, number>) {}

  /** Returns a promise only when the batch was sent: awaiting every access would cost a microtask each. */
  add(access: Access): Promise<void> | undefined {
    const space = access.space === 'io' ? 'io' : 'mmio';
    this.ops.push({ kind: access.kind, space, offset: access.offset, size: access.size, value: access.value });
    this.accesses.push(access);
    return this.ops.length >= BATCH_SIZE ? this.flush() : undefined;
  }

  /** Reads `stretches` of guest memory after the accesses added so far; `done` gets their bytes, joined. */
  readAfter(stretches: readonly MemoryStretch[], done: (bytes: Uint8Array) => void): void {
    this.reads.push({ stretches, done });
  }

  async flush(): Promise<void> {
    if (this.ops.length > 0) {
      const accesses = this.accesses;
      const reply = this.target.runBatch(this.ops).then((values) => {
        accesses.forEach((access, i) => {
          if (access.kind === 'read') this.actual.set(access.seq, values[i]!);
        });
      });
      this.ops = [];
      this.accesses = [];
      await this.pipeline.add(reply);
    }
    const reads = this.reads;
    this.reads = [];
    if (reads.length > 0 && this.target.readMemory !== undefined) {
      await this.pipeline.add(this.target.readMemory(reads.flatMap((r) => r.stretches)).then((bytes) => {
        let at = 0;
        for (const read of reads) {
          const length = read.stretches.reduce((n, s) => n + s.length, 0);
          read.done(bytes.subarray(at, at + length));
          at += length;
        }
      }));
    }
  }
}

export async function runPlan(plan: Pick<ReplayPlan, 'steps'>, target: ReplayTarget, options: EngineOptions = {}): Promise<EngineRun> {
  // maxInFlight counts accesses; the pipeline holds batches.
  const pipeline = new Pipeline(Math.max(2, Math.ceil((options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT) / BATCH_SIZE)));
  const state = {
    actual: new Map<number, number>(), polls: new Map<number, PollOutcome>(), sent: [] as Access[], places: [] as Access[],
    timeAdvances: 0, linkChanges: 0, barWrites: 0, memoryWrites: 0, received: new Map<number, ReceivedFrames>(), readBack: new Map<number, Uint8Array>(),
  };
  const batcher = new Batcher(target, pipeline, state.actual);
  const send = (access: Access): Promise<void> | undefined => {
    state.sent.push(access);
    state.places.push(access);
    return batcher.add(access);
  };
  const sync = async (): Promise<void> => {
    await batcher.flush();
    await pipeline.drain();
  };
  const retries = options.pollRetries ?? DEFAULT_POLL_RETRIES;

  // Before an access that armed a throttling timer in the recording, the clock goes where the
  // recording's was; the step is pipelined with the accesses (one connection keeps the order).
  const paces = target.pacesClock === true && target.paceClock !== undefined;
  const pace = async (step: { readonly access: Access; readonly pace?: readonly ArmedTimer[]; readonly startsNegotiation?: true }): Promise<void> => {
    if (!paces || step.pace === undefined) return;
    await batcher.flush();
    await pipeline.add(target.paceClock!(step.access.timeUs, step.pace, step.startsNegotiation === true));
  };
  const receive = async (step: ReplayStep & { kind: 'receive' }): Promise<void> => {
    const injection = options.injections?.get(step.marker.line);
    if (injection === undefined || target.receiveFrames === undefined) return;
    await sync();
    state.received.set(step.marker.line, await target.receiveFrames(injection, { pace: paces && step.paceable }));
  };
  let current: Access | undefined;
  let flushed: Promise<void> | undefined;
  try {
    for (let i = 0; i < plan.steps.length; i++) {
      const step = plan.steps[i]!;
      if (i % PROGRESS_EVERY === 0) options.onProgress?.(i, plan.steps.length);
      current = 'marker' in step ? current : step.access;
      switch (step.kind) {
        case 'skip':
          break;
        case 'config-write':
          await batcher.flush();
          state.places.push(step.access);
          await pipeline.add(target.writeConfig(step.access.offset, step.access.size, step.value, step.access.vf));
          break;
        case 'reprogram-bars':
          await batcher.flush();
          for (const bar of target.barWrites ?? []) {
            // Logged by the target as a config access: a place of the reset's write, as COMMAND's is for a config read.
            state.places.push(step.access);
            await pipeline.add(target.writeConfig(bar.offset, 4, bar.value, undefined));
            state.barWrites++;
          }
          break;
        case 'config-read': {
          await batcher.flush();
          const seq = step.access.seq;
          if (step.commandBefore !== undefined) {
            // The target logs this write as a config access: a place of the read's record, whose
            // events (config accesses only, not compared) it joins.
            state.places.push(step.access);
            await pipeline.add(target.writeConfig(PCI_COMMAND, 2, step.commandBefore, undefined));
          }
          state.places.push(step.access);
          await pipeline.add(target.readConfig(step.access.offset & ~3, step.access.vf).then((dword) => { state.actual.set(seq, dword); }));
          break;
        }
        case 'set-link':
          await sync();
          await target.setLink(step.up);
          state.linkChanges++;
          break;
        case 'receive':
          if (!state.received.has(step.marker.line)) await receive(step);
          break;
        case 'advance-time':
          await sync();
          if (target.advancesTime) {
            await target.advanceTime(step.marker);
            state.timeAdvances++;
          }
          break;
        case 'read':
          if (step.poll !== undefined) {
            if (step.access.seq !== step.poll.firstSeq) break;
            await sync();
            const outcome = await foldPoll(step.access, step.poll, target, (access) => { state.sent.push(access); state.places.push(access); }, retries);
            state.polls.set(step.access.seq, outcome);
            state.timeAdvances += outcome.timeAdvances;
            break;
          }
          await pace(step);
          flushed = send(step.access);
          if (flushed !== undefined) await flushed;
          break;
        case 'write': {
          // Frames the recording received inside this transmit tail write go in first (rx-path.ts injectedBeforeWrite).
          const next = plan.steps[i + 1];
          if (next?.kind === 'receive' && options.injections?.get(next.marker.line)?.beforeWrite === true) await receive(next);
          await pace(step);
          const handoff = options.handoffs?.get(step.access.seq);
          if (handoff !== undefined && target.writeMemory !== undefined) {
            // Ordered on the one qtest connection: the memory is seeded before the tail write; nothing waits.
            await batcher.flush();
            await pipeline.add(target.writeMemory(handoff.writes));
            state.memoryWrites += handoff.writes.length;
          }
          flushed = send(step.access);
          if (flushed !== undefined) await flushed;
          if (handoff?.readBack !== undefined && handoff.readBack.length > 0) {
            // What the device wrote while handling the write, read behind the batch the write is in.
            const seq = step.access.seq;
            batcher.readAfter(handoff.readBack, (bytes) => { state.readBack.set(seq, bytes); });
          }
          break;
        }
      }
    }
    await sync();
    options.onProgress?.(plan.steps.length, plan.steps.length);
    return { ...state, completed: true };
  } catch (error) {
    return { ...state, completed: false, error, stoppedAt: current };
  }
}

/**
 * Replays a polling loop by its outcome: read until the recorded final value appears (at most as
 * many reads as recorded), then, if the device is behind, re-read with time advanced.
 * A loop that only ever read one value (it timed out, or was satisfied at once) needs one read.
 */
async function foldPoll(first: Access, poll: PollRun, target: ReplayTarget, sent: (access: Access) => void, retries: number): Promise<PollOutcome> {
  const budget = poll.changed ? poll.reads : 1;
  let readsMade = 0;
  let timeAdvances = 0;
  let lastValue = 0;
  const attempt = async (): Promise<boolean> => {
    sent(first);
    lastValue = await target.readMmio(poll.offset);
    readsMade++;
    return lastValue === poll.outcome;
  };
  for (let i = 0; i < budget; i++) {
    if (await attempt()) return { poll, readsMade, satisfied: true, timeAdvances, lastValue };
  }
  // Only a loop that saw its value change in the recording was waiting for time to pass; for a
  // loop that read one value throughout, letting time run would only fire unrelated timers early.
  for (let i = 0; i < retries && target.advancesTime && poll.changed; i++) {
    await target.advanceTime('poll');
    timeAdvances++;
    if (await attempt()) return { poll, readsMade, satisfied: true, timeAdvances, lastValue };
  }
  return { poll, readsMade, satisfied: false, timeAdvances, lastValue };
}
