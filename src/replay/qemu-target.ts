// The replay target backed by a real QEMU: launches it in the chosen time mode, programs the
// NIC's PCI functions, maps replay operations onto qtest commands, lets virtual time run at
// markers, and afterwards reads the target's own trace log for its verdicts on each access.
//
// Time modes (measured in shared/reference/replay-feasibility.md):
//  - frozen (M1): `-S`, the virtual clock never moves; timers never fire.
//  - markers (M5): `-S`, halt-only firmware, `-icount shift=0,sleep=off`, `pit=off`, QMP. Time is
//    frozen except where the recording shows a timer firing: `cont`, wait for the same event in
//    the target's own trace (not a fixed sleep, which raced under load), `stop`.
//  - clock-step: the qtest accelerator (QEMU built from source); `clock_step` to the next timer
//    deadline at markers, deterministic by construction.

import { PacedClock } from './paced-clock.js';
import { ArmedTimerLog, frameTimersArmed, TIMER_FIRED, type ArmedTimer } from '../devices/throttle-timers.js';
import type { Marker } from '../model/access.js';
import type { TargetDescription, TargetObservations, TimeMode, TimeModeChoice } from '../model/replay.js';
import { TargetLogReader, type LoggedTime } from './target-log.js';
import { enableMmconfig, nicBarWrites, setupNic, type BarWrite, type MmconfigWindow, type NicBars } from '../target/pci-setup.js';
import { configReadCommands, configSize, configWriteCommands, formatFunction, vfFunction, type PciFunction } from '../target/pci-config.js';
import { describePlacement, nicFunction, ROOT_BUS, type NicPlacement } from '../target/topology.js';
import { deviceRow } from '../devices/table.js';
import { NETDEV_ID } from '../target/qemu-args.js';
import { launchQemu, type QemuSession } from '../target/qemu-process.js';
import { findQemu, hasQtestAccel, resolveQemuBinary } from '../target/qemu-binary.js';
import type { BatchOp, ReceivedFrames, ReplayTarget, TimeAdvance } from './engine.js';
import type { QtestCommand } from '../target/qtest-protocol.js';
import { barAccessCommand, type BarAccess } from '../target/bar-access.js';
import { parseDeviceOption, type DeviceOption } from './device-option.js';
import type { MemoryStretch, MemoryWrite } from '../datapath/memory-write.js';
import type { OwnNetdev } from './prepare.js';
import { RX_START_EVENT, type RxInjection } from '../datapath/rx-path.js';
import type { LogCursor } from '../target/log-tail.js';
import { NEGOTIATION_DONE, NEGOTIATION_START } from './plan.js';


export interface QemuTargetOptions {
  readonly qemu?: string;
  /** `-device` string: `igb`, `e1000e`, `igb,mac=52:54:00:12:34:56,x-pcie-flr-init=off`. */
  readonly device: string;
  readonly time: TimeModeChoice;
  /** MAC of the recording, used when the device string gives none. */
  readonly mac?: string;
  /** Where the NIC sits (default: the root bus). */
  readonly placement?: NicPlacement;
  readonly keepTempDir?: boolean;
  /** Guest RAM (MiB): the recording's, for a data path that writes at the recorded addresses. */
  readonly memoryMib?: number;
  /** Give the NIC a netdev the tool holds (frames out are seen, frames in can be injected): always, or only in clock-step time. */
  readonly ownNetdev?: OwnNetdev;
  /** Called once the QEMU process is spawned (before it is connected to and set up). */
  readonly onSpawned?: () => void;
}

/**
 * The slot on bus 0 of the NIC, or of the root port it sits behind: the recordings used slot 2 for
 * both (behind the port, the NIC is 01:00.0, see target/topology.ts).
 */
const NIC_SLOT = 2;
/**
 * Trace events the target logs: the same families a recording has (`igb-replay record`), so its
 * verdicts on each access and every device event it emits can be compared with the recording's.
 */
const TARGET_TRACE = ['igb*', 'e1000e*', 'e1000x*', 'pci_cfg_read', 'pci_cfg_write'];
/** Single accesses outside batches (polls, ReplayTarget's readMmio & co.) are dwords. */
const DWORD = 4;
/**
 * Wall time an autoneg marker lets the clock run waiting for the target's own negotiation-done
 * event. Under `-icount shift=0,sleep=off` the idle clock jumps from deadline to deadline, so
 * QEMU's 500 ms of virtual autoneg take little wall time: 2.5-62 ms per marker over every shipped
 * trace, measured on a 2-core machine under a load of 6-8. The bound only matters for a target
 * whose link does not come up; once a marker waited in vain, later ones wait the shorter bound.
 */
const AUTONEG_WAIT_MS = 1_000;
const AUTONEG_WAIT_AFTER_MISS_MS = 250;
/** Markers with no event to wait for let the clock run this long (wall time). */
const SETTLE_MS = 3;
/** Most virtual time an autoneg marker may step through waiting for the negotiation (QEMU needs 500 ms). */
const AUTONEG_STEP_LIMIT_NS = 5_000_000_000n;
/** The target's log line of a completed negotiation (the event name plan.ts follows in the recording). */
const AUTONEG_DONE = new RegExp(NEGOTIATION_DONE);
/** A negotiation starting or completing in the target's log, to know whether one is under way. */
const AUTONEG_EVENT = new RegExp(`${NEGOTIATION_START}|${NEGOTIATION_DONE}`);
/** An interrupt-throttling timer running out (igb's per-vector EITR, e1000e's ITR/EITR and legacy/MSI variants). */
const THROTTLE_FIRED = TIMER_FIRED;
/** A throttling timer armed (QEMU logs it for every timer, igb's and e1000e's alike)... */
const THROTTLE_ARMED = /e1000e_irq_rearm_timer/;
/** ...and either event, to follow how many the target has armed and not yet fired. */
const THROTTLE_EVENT = new RegExp(`${THROTTLE_ARMED.source}|${THROTTLE_FIRED.source}`);
/**
 * Wall time a markers-mode wait gives timers the target has armed and not fired. Under icount with
 * sleep=off they fire as soon as the vCPU thread finds itself idle, which on a loaded machine can
 * take far longer than QEMU's main loop needs to answer QMP; only a timer that never fires (QEMU
 * deletes armed timers at a reset without logging it) costs the whole bound.
 */
const THROTTLE_ARMED_WAIT_MS = 2_000;
/** With no timer armed, the wait still lets QEMU answer this many QMP commands... */
const THROTTLE_QUIET_ROUNDTRIPS = 3;
/** ...and this much wall time pass with nothing firing, in case something arms one meanwhile. */
const THROTTLE_QUIET_MS = 1;
/** Virtual time a throttling-timer marker may step through: EITR intervals are at most a few ms. */
const THROTTLE_STEP_LIMIT_NS = 20_000_000n;
/** QEMU's first event for a frame its NIC gets from the backend (see datapath/rx-path.ts). */
const RX_START = new RegExp(RX_START_EVENT);
/**
 * Wall time an injected frame has to reach the device. QEMU reads the netdev's socket in the same
 * main loop that answers qtest, so it comes within a few round trips; a device that cannot receive
 * (receive disabled, no free descriptors) leaves the frame with the backend, and the bound is spent.
 */
const RX_TAKE_WAIT_MS = 1_000;

export class QemuReplayTarget implements ReplayTarget {
  readonly advancesTime: boolean;
  /** An autoneg marker already waited in vain: the target's link does not come up, wait less. */
  private autonegMissed = false;
  /** How far the target's log has been read for negotiations starting and completing, and whether the last one is under way. */
  private negotiationLogOffset = 0;
  private negotiationUnderWay = false;
  /** Tail writes were seeded since the machine last ran: QEMU may hold frames back. */
  private framesHeld = false;
  /** Throttling timers the target armed and has not fired, as of `throttleLogOffset` in its log. */
  private readonly armedTimers: ArmedTimerLog;
  private throttleLogOffset = 0;
  /** Accesses sent so far (register, IO, config): the places device events are tied to. */
  private places = 0;
  /** Where the log's parts are, recorded as the replay runs (see target-log.ts). */
  /** Stretches of time logged since the last look at the log. */
  private loggedTime: LoggedTime[] = [];
  private logReader: TargetLogReader | undefined;
  /** With clock_step: the clock between accesses follows the recording's (paced-clock.ts). */
  private readonly pacer: PacedClock | undefined;

  private constructor(
    readonly session: QemuSession,
    readonly timeMode: TimeMode,
    readonly device: DeviceOption,
    private readonly placement: NicPlacement,
    private readonly bars: NicBars,
    private readonly nic: PciFunction,
    private readonly mmconfig: MmconfigWindow,
    private readonly keepsTempDir = false,
  ) {
    this.advancesTime = timeMode !== 'frozen';
    const { itr, eitr0 } = deviceRow(device.model).msix;
    const silent = itr === undefined ? [] : [itr];
    this.pacer = timeMode === 'clock-step' ? new PacedClock(silent) : undefined;
    this.armedTimers = new ArmedTimerLog(eitr0, silent);
  }

  get pacesClock(): boolean {
    return this.pacer !== undefined;
  }

  /**
   * Before an access or frame the recording made at `recordedUs` that armed throttling `timers`:
   * steps the clock to where the recording's was (paced-clock.ts). Sent at once, in order with the
   * accesses on the one qtest connection; the reply is not needed.
   */
  paceClock(recordedUs: number | undefined, timers: readonly ArmedTimer[], startsNegotiation = false): Promise<void> {
    const ns = this.pacer?.stepBefore(recordedUs, timers, startsNegotiation) ?? 0n;
    return ns === 0n ? Promise.resolve() : this.session.qtest.clockStep(ns).then(() => undefined);
  }

  /** One clock_step (to the next deadline, or by `ns`), telling the pacer where the clock is now. */
  private async stepTo(ns?: bigint): Promise<bigint> {
    const now = await this.session.qtest.clockStep(ns);
    this.pacer?.ranTo(now);
    return now;
  }

  static async start(options: QemuTargetOptions): Promise<QemuReplayTarget> {
    const device = parseDeviceOption(options.device, options.mac);
    // Both probes at once: on a first run (nothing cached yet) each starts QEMU.
    const path = await resolveQemuBinary({ explicit: options.qemu });
    const [binary, accelerator] = await Promise.all([
      findQemu({ explicit: path, device: device.model, requireQtestAccel: options.time === 'clock-step' }),
      options.time === 'auto' ? hasQtestAccel(path) : Promise.resolve(options.time === 'clock-step'),
    ]);
    const timeMode = resolveTimeMode(options.time, accelerator);
    const ownNetdev = options.ownNetdev === 'always' || (options.ownNetdev === 'with-clock-step' && timeMode === 'clock-step');
    const placement = options.placement ?? ROOT_BUS;
    const session = await launchQemu({
      qemu: binary.path, model: device.model, slot: NIC_SLOT, placement, mac: device.mac, deviceProperties: device.properties,
      paused: timeMode !== 'clock-step', icount: timeMode === 'markers', pit: timeMode !== 'markers',
      haltFirmware: timeMode === 'markers', accel: timeMode === 'clock-step' ? 'qtest' : undefined,
      trace: TARGET_TRACE, keepTempDir: options.keepTempDir,
      memoryMib: options.memoryMib, netdev: ownNetdev ? 'socket' : 'user', onSpawned: options.onSpawned,
    });
    try {
      const nic = nicFunction(placement, NIC_SLOT);
      const bars = await setupNic(session.qtest, { model: device.model, slot: NIC_SLOT, placement });
      const mmconfig = await enableMmconfig(session.qtest);
      const target = new QemuReplayTarget(session, timeMode, device, placement, bars, nic, mmconfig, options.keepTempDir === true);
      // Its log is read in segments: the NIC's address tells its VFs' config lines apart in each.
      target.logReader = new TargetLogReader(session.log, await session.logSize(), formatFunction(nic));
      return target;
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  private async send(commands: readonly QtestCommand[]): Promise<readonly number[]> {
    const replies = await this.session.qtest.sendBatch(commands);
    return replies.map((reply) => (typeof reply === 'number' ? reply : typeof reply === 'bigint' ? Number(reply) : 0));
  }

  /** The driver's own width is replayed (mmiotrace records it; QEMU logs say 4), as `export` writes it. */
  runBatch(ops: readonly BatchOp[]): Promise<readonly number[]> {
    this.places += ops.length;
    return this.send(ops.map((op) => barAccessCommand(this.bars, op)));
  }

  private single(access: Omit<BarAccess, 'size'>): Promise<readonly number[]> {
    this.places++;
    return this.send([barAccessCommand(this.bars, { ...access, size: DWORD })]);
  }

  async readMmio(offset: number): Promise<number> {
    const [value] = await this.single({ kind: 'read', space: 'mmio', offset, value: 0 });
    return value!;
  }

  async writeMmio(offset: number, value: number): Promise<void> {
    await this.single({ kind: 'write', space: 'mmio', offset, value });
  }

  async readIo(offset: number): Promise<number> {
    const [value] = await this.single({ kind: 'read', space: 'io', offset, value: 0 });
    return value!;
  }

  async writeIo(offset: number, value: number): Promise<void> {
    await this.single({ kind: 'write', space: 'io', offset, value });
  }

  /** Whether the NIC's frames reach the tool (it was given the tool's netdev). */
  get framesVisible(): boolean {
    return this.session.frames !== undefined;
  }

  /**
   * QEMU hands a frame to the NIC only while the machine runs (net.c queues it otherwise), so
   * without the qtest accelerator, whose machine runs with its clock still, injecting one means
   * running the clock where the recording shows none: the throttling timers the target has armed
   * would fire inside the frame's receipt.
   */
  get whyNoInjection(): string | undefined {
    if (this.session.frames === undefined) return 'the target has no netdev the tool holds';
    return this.timeMode === 'clock-step' ? undefined
      : 'QEMU hands a frame to the NIC only while the machine runs, and without the qtest accelerator running it lets its clock run where the recording shows none (armed throttling timers would fire inside the receipt)';
  }

  /** Guest memory over qtest `write`, in one batch (ordered before what is sent after it). */
  async writeMemory(writes: readonly MemoryWrite[]): Promise<void> {
    if (writes.length === 0) return;
    this.framesHeld = true;
    await this.session.qtest.sendBatch(writes.map((w) => ({ op: 'write' as const, addr: w.address, data: w.data })));
  }

  /**
   * Frames the NIC sent on the tool's netdev since the last call (none without one). QEMU queues
   * a stopped machine's frames and sends them when it runs (`cont` at a time advance); a flush
   * runs it for an instant (`cont`, `stop`): only at the end of a replay, where timers that fire
   * meanwhile no longer matter.
   */
  async takeFrames(options: { readonly flush: boolean; readonly expected: number }): Promise<Uint8Array[]> {
    const channel = this.session.frames;
    if (channel === undefined) return [];
    if (options.flush && this.timeMode !== 'clock-step' && this.session.alive) await this.runInstant();
    return channel.take(options.flush ? options.expected : 0);
  }

  get barWrites(): readonly BarWrite[] {
    return nicBarWrites(this.device.model, this.bars);
  }

  /** Legacy config below 0x100, MMCONFIG above, as pci-config.ts decides for `export` too. */
  async writeConfig(offset: number, size: number, value: number, vf?: number): Promise<void> {
    this.places++;
    const commands = configWriteCommands(this.function(vf), offset, configSize(size), value, `config 0x${offset.toString(16)}`, this.mmconfig.base);
    await this.send(commands.map((c) => c.command));
  }

  async readConfig(offset: number, vf?: number): Promise<number> {
    this.places++;
    const replies = await this.send(configReadCommands(this.function(vf), offset, 4, this.mmconfig.base));
    return replies[replies.length - 1]!;
  }

  /**
   * The PF, or its VF `vf` where the device's SR-IOV capability puts it (QEMU creates a PF's VFs
   * with the PF; NumVFs and VF Enable, replayed config writes, turn them on).
   */
  private function(vf: number | undefined): PciFunction {
    if (vf === undefined) return this.nic;
    const layout = deviceRow(this.device.model).sriov;
    if (layout === undefined) throw new TypeError(`a config access to VF ${vf}, but ${this.device.model} has no SR-IOV`);
    return vfFunction(this.nic, layout, vf);
  }

  /** The NIC's backend is the netdev the target was given (qemu-args.ts names it); QMP works in every time mode. */
  async setLink(up: boolean): Promise<void> {
    // Taking the link down purges the frames QEMU holds back for a stopped machine (net.c): let
    // them out first, where tail writes since the machine last ran left some.
    if (!up && this.framesHeld && this.timeMode !== 'clock-step') await this.logged('frames', () => this.runInstant());
    await this.logged('marker', () => this.session.qmp!.execute('set_link', { name: NETDEV_ID, up }));
  }

  /** Lets the stopped machine run for an instant: QEMU sends the frames it held back. */
  private async runInstant(): Promise<void> {
    await this.session.qmp!.execute('cont');
    await this.session.qmp!.execute('stop');
    this.framesHeld = false;
  }

  /**
   * Runs `action` and remembers the stretch of the log it wrote as time (or a link change, or
   * received frames: then `markerLine` is the recording's packet marker), after the places sent so far.
   */
  private async logged<T>(cause: LoggedTime['cause'], action: () => Promise<T>, markerLine?: number): Promise<T> {
    const from = await this.session.logSize();
    const afterPlace = this.places;
    try {
      return await action();
    } finally {
      if (this.session.alive) {
        this.loggedTime.push({ from, to: await this.session.logSize(), afterPlace, cause, ...(markerLine === undefined ? {} : { markerLine }) });
      }
    }
  }

  /**
   * The recording's received frames of one packet marker, one by one: its receive descriptors
   * seeded, the frame sent on the tool's netdev, then a wait until the device has handled it; the
   * throttling timers the recording fired before its next frame are let fire (clock_step).
   */
  async receiveFrames(injection: RxInjection, options: { readonly pace: boolean } = { pace: false }): Promise<ReceivedFrames> {
    const channel = this.session.frames;
    if (channel === undefined || this.whyNoInjection !== undefined) return { taken: 0, written: [], writebacks: [] };
    return this.logged('packet', async () => {
      const log = this.session.logCursor(await this.session.logSize());
      const written: Uint8Array[] = [];
      const writebacks: Uint8Array[] = [];
      try {
        for (const packet of injection.packets) {
          if (packet.writes.length > 0) await this.writeMemory(packet.writes);
          const armed = frameTimersArmed(packet.events);
          if (options.pace && armed.length > 0) await this.paceClock(injection.timeUs, armed);
          channel.send(packet.frame);
          if (!(await this.waitForReceipt(log))) break;
          // The frame's bytes and its descriptors in one batch (one round trip), split after.
          const descriptors = packet.writebacks.decoded.map((w) => ({ address: w.address, length: w.format.bytes }));
          const bytes = await this.readMemory([...packet.buffers, ...descriptors]);
          const frameBytes = packet.buffers.reduce((n, b) => n + b.length, 0);
          written.push(bytes.subarray(0, frameBytes));
          writebacks.push(bytes.subarray(frameBytes));
          const timers = packet.events.filter((e) => THROTTLE_FIRED.test(e.name)).length;
          if (timers > 0) {
            await this.stepUntilThrottleTimers(timers, performance.now());
            this.pacer?.ranFor(injection.timeUs, []);
          }
        }
      } finally {
        await log.close();
      }
      return { taken: written.length, written, writebacks };
    }, injection.line);
  }

  /** Guest memory over qtest `read`, stretch after stretch, joined. */
  async readMemory(stretches: readonly MemoryStretch[]): Promise<Uint8Array> {
    if (stretches.length === 0) return new Uint8Array(0);
    const replies = await this.session.qtest.sendBatch(stretches.map((s) => ({ op: 'read' as const, addr: s.address, size: s.length })));
    return Buffer.concat(replies.filter((reply): reply is Uint8Array => reply instanceof Uint8Array));
  }

  /**
   * Whether the device started on the frame just sent within RX_TAKE_WAIT_MS. QEMU logs the
   * receipt as the device starts on it and finishes the frame before it answers the next qtest
   * command (one main loop), so after the line appeared one more round trip means it is handled.
   */
  private async waitForReceipt(log: LogCursor): Promise<boolean> {
    const started = performance.now();
    const roundTrip = (): Promise<unknown> => this.session.qtest.endianness();
    for (;;) {
      await roundTrip();
      if ((await log.find(RX_START)) !== undefined) {
        await roundTrip();
        return true;
      }
      if (!this.session.alive || performance.now() - started > RX_TAKE_WAIT_MS) return false;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  advanceTime(cause: Marker | 'poll'): Promise<TimeAdvance> {
    return this.logged(cause === 'poll' ? 'poll' : 'marker', async () => {
      const advance = await this.letTimeRun(cause);
      if (cause !== 'poll') this.pacer?.ranFor(cause.timeUs, cause.events);
      return advance;
    });
  }

  /**
   * Lets virtual time run where the recording shows a timer firing. In markers mode: `cont`, then
   * for an autoneg marker wait (bounded) for the target's own negotiation-done event and stop as
   * soon as it appears; for a marker where throttling timers fired, wait (bounded) until as many
   * fired in the target; otherwise let the clock run SETTLE_MS; then `stop`.
   */
  private async letTimeRun(cause: Marker | 'poll'): Promise<TimeAdvance> {
    if (this.timeMode === 'clock-step') return this.stepClock(cause);
    // An idle gap of a recording without QEMU's events (mmiotrace) waits like an autoneg marker for
    // a negotiation the target has under way: time that runs completes it at once when the target's
    // vCPU thread runs, which on a loaded machine may be later than SETTLE_MS (measured: the flow
    // control bits and LSC of CTRL and ICR missing at the next reads, once in a full test run).
    const awaited = cause !== 'poll' && (cause.kind === 'autoneg' || (cause.kind === 'idle' && (await this.negotiationPending())))
      ? 'autoneg' : 'none';
    const throttled = cause === 'poll' ? 0 : cause.events.filter((e) => THROTTLE_FIRED.test(e.name)).length;
    const qmp = this.session.qmp!;
    const from = await this.session.logSize();
    const started = performance.now();
    // Where the recording shows no timer firing, time that runs would fire the throttling timers
    // the target has armed at once (the idle clock jumps to their deadline), earlier than the
    // recording shows them: they wait for the marker where the recording fires them.
    if (cause !== 'poll' && awaited === 'none' && throttled === 0 && (await this.armedThrottleTimersAt(from)) > 0) {
      return { awaited, happened: true, waitedMs: performance.now() - started };
    }
    await qmp.execute('cont');
    this.framesHeld = false;
    let happened = true;
    try {
      if (awaited === 'autoneg') {
        happened = await this.waitForAutoneg(from);
        // The link-status interrupt of the negotiation may arm a throttling timer a few
        // microseconds before the wait ends; whether it fires before `stop` would be a race.
        if (happened) await this.settleArmedTimers();
      }
      else if (throttled > 0) happened = await this.waitForThrottleTimers(from, throttled);
      else await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    } finally {
      if (this.session.alive) await qmp.execute('stop');
    }
    return { awaited, happened, waitedMs: performance.now() - started };
  }

  /** Lets the throttling timers the target has armed fire (bounded by THROTTLE_ARMED_WAIT_MS): the machine is running. */
  private async settleArmedTimers(): Promise<void> {
    const started = performance.now();
    while ((await this.armedThrottleTimersAt(await this.session.logSize())) > 0) {
      if (!this.session.alive) return;
      if (performance.now() - started > THROTTLE_ARMED_WAIT_MS) {
        this.armedTimers.clear(); // deleted unlogged (a reset): do not wait for them again
        return;
      }
      await this.session.qmp!.execute('query-status');
    }
  }

  /** Follows a throttling timer armed or fired from its log line; true when it fired. */
  private followThrottleEvent(line: string): boolean {
    return this.armedTimers.follow(line);
  }

  /** Throttling timers the target has armed and not fired, having read its log up to `toOffset`. */
  private async armedThrottleTimersAt(toOffset: number): Promise<number> {
    const log = this.session.logCursor(this.throttleLogOffset);
    try {
      for (let found = await log.find(THROTTLE_EVENT); found !== undefined && found.lineOffset < toOffset; found = await log.find(THROTTLE_EVENT)) {
        this.followThrottleEvent(found.line);
        this.throttleLogOffset = found.endOffset;
      }
      this.throttleLogOffset = Math.max(this.throttleLogOffset, Math.min(toOffset, log.resumeOffset));
    } finally {
      await log.close();
    }
    return this.armedTimers.count;
  }

  /**
   * Whether the target fired `expected` throttling timers after `fromOffset` in its log. The idle
   * clock jumps to each deadline at once (icount, sleep=off), so armed timers fire as soon as QEMU's
   * vCPU thread runs after `cont`; how soon that is in wall time depends on the machine's load, so
   * the wait follows what the target logged, not the clock: while it has timers armed and not
   * fired, it waits for them (bounded by THROTTLE_ARMED_WAIT_MS); with none armed, nothing can
   * fire (a timer only the recording had armed, e.g. by a packet), so it ends once QEMU answered
   * THROTTLE_QUIET_ROUNDTRIPS QMP commands with nothing new in the log.
   */
  private async waitForThrottleTimers(fromOffset: number, expected: number): Promise<boolean> {
    // Read on from where the last wait stopped, so timers armed between markers are counted too.
    const log = this.session.logCursor(Math.min(this.throttleLogOffset, fromOffset));
    const qmp = this.session.qmp!;
    const started = performance.now();
    try {
      let fired = 0;
      let lastProgress = started;
      let quietRoundTrips = 0;
      // A tight look at the log's tail (a stat and a read, tens of microseconds) rather than a
      // file-change event: the answer comes within a fraction of a millisecond, hundreds of times a replay.
      for (;;) {
        let progressed = false;
        for (let found = await log.find(THROTTLE_EVENT); found !== undefined; found = await log.find(THROTTLE_EVENT)) {
          if (this.followThrottleEvent(found.line) && found.lineOffset >= fromOffset) fired++;
          progressed = true;
        }
        if (progressed) {
          lastProgress = performance.now();
          quietRoundTrips = 0;
        }
        if (fired >= expected || !this.session.alive) return fired >= expected;
        const now = performance.now();
        if (this.armedTimers.count > 0) {
          if (now - started > THROTTLE_ARMED_WAIT_MS) {
            this.armedTimers.clear(); // deleted unlogged (a reset): do not wait for them again
            return false;
          }
        } else if (quietRoundTrips >= THROTTLE_QUIET_ROUNDTRIPS && now - lastProgress > THROTTLE_QUIET_MS) {
          return false;
        }
        await qmp.execute('query-status');
        quietRoundTrips++;
      }
    } finally {
      this.throttleLogOffset = log.resumeOffset;
      await log.close();
    }
  }

  /** Whether the target's log shows a negotiation started and not completed (read on from where the last look stopped). */
  private async negotiationPending(): Promise<boolean> {
    const log = this.session.logCursor(this.negotiationLogOffset);
    try {
      for (let found = await log.find(AUTONEG_EVENT); found !== undefined; found = await log.find(AUTONEG_EVENT)) {
        this.negotiationUnderWay = !AUTONEG_DONE.test(found.line);
      }
      this.negotiationLogOffset = log.resumeOffset;
    } finally {
      await log.close();
    }
    return this.negotiationUnderWay;
  }

  /** Whether the target logged the negotiation done within the bound (rethrows if QEMU died). */
  private async waitForAutoneg(fromOffset: number): Promise<boolean> {
    const timeoutMs = this.autonegMissed ? AUTONEG_WAIT_AFTER_MISS_MS : AUTONEG_WAIT_MS;
    try {
      await this.session.waitForLog(AUTONEG_DONE, { fromOffset, timeoutMs });
      return true;
    } catch (error) {
      if (!this.session.alive) throw error;
      this.autonegMissed = true;
      return false;
    }
  }

  /**
   * With the qtest accelerator time moves only by clock_step, to the next timer deadline (or by a
   * given amount). The next deadline is often not the one the marker stands for (interrupt
   * throttling, the PIT, the RTC come first), so: an autoneg marker steps deadline by deadline
   * until the target logs the negotiation done (at most AUTONEG_STEP_LIMIT_NS of virtual time);
   * an idle gap (mmiotrace) steps by the recorded time since the previous one; anything else
   * steps to the next deadline.
   */
  private async stepClock(cause: Marker | 'poll'): Promise<TimeAdvance> {
    const started = performance.now();
    const waited = (): number => performance.now() - started;
    if (cause !== 'poll' && cause.kind === 'idle' && cause.elapsedUs !== undefined) {
      await this.stepTo(BigInt(Math.round(cause.elapsedUs)) * 1000n);
      return { awaited: 'none', happened: true, waitedMs: waited() };
    }
    const throttled = cause === 'poll' ? 0 : cause.events.filter((e) => THROTTLE_FIRED.test(e.name)).length;
    if (throttled > 0) return this.stepUntilThrottleTimers(throttled, started);
    if (cause === 'poll' || cause.kind !== 'autoneg') {
      await this.stepTo();
      return { awaited: 'none', happened: true, waitedMs: waited() };
    }
    const log = this.session.logCursor(await this.session.logSize());
    try {
      let start: bigint | undefined;
      for (;;) {
        const now = await this.stepTo();
        start ??= now;
        // QEMU has written the line by the time it answers clock_step: no need to wait for it.
        const happened = (await log.find(AUTONEG_DONE)) !== undefined;
        if (happened || !this.session.alive || now - start >= AUTONEG_STEP_LIMIT_NS) {
          return { awaited: 'autoneg', happened, waitedMs: waited() };
        }
      }
    } finally {
      await log.close();
    }
  }

  /**
   * A marker where the recording's interrupt-throttling timers fired: one clock_step reaches only
   * the next deadline (one timer, or the PIT), so step deadline by deadline until the target has
   * fired as many throttling timers as the recording did there, within THROTTLE_STEP_LIMIT_NS of
   * virtual time (a timer only the recording had armed, e.g. by a packet, never fires here).
   */
  private async stepUntilThrottleTimers(expected: number, started: number): Promise<TimeAdvance> {
    const log = this.session.logCursor(await this.session.logSize());
    try {
      let fired = 0;
      let start: bigint | undefined;
      for (;;) {
        const now = await this.stepTo();
        start ??= now;
        while ((await log.find(THROTTLE_FIRED)) !== undefined) fired++;
        if (fired >= expected || !this.session.alive || now - start >= THROTTLE_STEP_LIMIT_NS) {
          return { awaited: 'none', happened: fired >= expected, waitedMs: performance.now() - started };
        }
      }
    } finally {
      await log.close();
    }
  }

  /**
   * What the target QEMU said and did since the last call, read from its own trace log with the
   * same parser as recordings (target-log.ts): its verdict on each MMIO/IO access, the PHY
   * registers it reported unhandled, and its device events by place, at the start and while time ran.
   */
  async observations(): Promise<TargetObservations> {
    if (this.logReader === undefined) throw new Error('the target was never started');
    const time = this.loggedTime;
    this.loggedTime = [];
    return this.logReader.read(time, await this.session.logSize());
  }

  get alive(): boolean {
    return this.session.alive;
  }

  describe(): TargetDescription {
    return {
      binary: this.session.binary.path, version: this.session.binary.version.text, device: this.device.text,
      ...(this.placement.kind === 'root-bus' ? {} : { placement: describePlacement(this.placement) }),
      qtestAccelerator: this.timeMode === 'clock-step', timeMode: this.timeMode,
      ...(this.keepsTempDir ? { keptTempDir: this.session.tempDir } : {}),
    };
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

function resolveTimeMode(choice: TimeModeChoice, qtestAccelerator: boolean): TimeMode {
  if (choice === 'auto') return qtestAccelerator ? 'clock-step' : 'markers';
  return choice;
}
