// Turns a parsed trace into the steps a replay performs: which accesses go to the device and how,
// where virtual time must run, and which reads form polling loops. Pure: no I/O.
//
// What is not replayed, and why:
//  - `phy` accesses: derived from an MDIC write, which replays them.
//  - PCI config accesses to the BARs (0x10-0x27) and the expansion ROM (0x30), of the PF and of
//    its VFs: the tool programs the PF's BARs itself; the recorded guest addresses mean nothing in
//    the replay VM. (The VF BARs in the PF's SR-IOV capability are replayed as recorded: a VF's
//    registers are replayed through the PF's BAR, at the PF offsets QEMU logs them at, so the VF
//    BARs only have to read back as recorded.)
//  - IO-BAR accesses QEMU reported as unknown: their value was not recorded.
//  - Packets (rx-packet markers) and the frames the driver transmits: a register replay sends no
//    frames (see the device-event check for what that explains); with the data path replayed
//    (src/datapath/), a `receive` step injects the recorded frames where the recording received them.
// Host-side link changes (link-change markers: QEMU's backend link went down or up, e.g. QMP
// set_link, or QEMU's own teardown at the end of a recording) are reproduced with QMP set_link.

import { linkStateOf, type Access, type Marker, type TraceRecord } from '../model/access.js';
import type { RegisterDatabase } from '../regs/database.js';
import { PhaseTracker, type Phase } from '../analysis/phases.js';
import { RX_START_EVENT } from '../datapath/rx-path.js';
import { isReceiveReadiness } from '../formats/qemu-log/events.js';
import { accessTimersArmed, type ArmedTimer } from '../devices/throttle-timers.js';

/**
 * The throttling timers an access (or received frame) armed in the recording, where the replay's
 * clock may follow the recording's before it (paced-clock.ts); and whether the access started an
 * autonegotiation, whose timer the paced clock then never reaches (a step past its deadline would
 * complete it early). Only where the recording shows negotiations start (AutonegTracker).
 */
export interface Paced {
  readonly pace?: readonly ArmedTimer[];
  readonly startsNegotiation?: true;
}

export type ReplayStep =
  | ({ readonly kind: 'write'; readonly access: Access } & Paced)
  | ({ readonly kind: 'read'; readonly access: Access; readonly poll: PollRun | undefined } & Paced)
  | { readonly kind: 'config-write'; readonly access: Access; readonly value: number }
  /**
   * A config read of the recording, compared (pci_cfg_read does not print its width: see result.ts).
   * `commandBefore`: COMMAND is first written with this (16 bits): the recording's firmware had not
   * turned decoding on yet where the replay's set-up already had (see CommandTracker).
   */
  | { readonly kind: 'config-read'; readonly access: Access; readonly commandBefore?: number }
  | { readonly kind: 'advance-time'; readonly marker: Marker }
  /** The backend link went down (`up` false) or up where the recording shows it. */
  | { readonly kind: 'set-link'; readonly marker: Marker; readonly up: boolean }
  /** Frames the recording's device received here: injected when the data path is replayed (src/datapath/rx-path.ts). */
  /** `paceable`: the clock may follow the recording's before each frame that armed a timer (its events tell, see Paced). */
  | { readonly kind: 'receive'; readonly marker: Marker; readonly paceable: boolean }
  /**
   * The recording's device reset itself after this config write of the PF (a function-level
   * reset: QEMU logs the device's reset right after it): its BARs read 0 again, and the guest's
   * writes that restore them are not replayed (they name the recorded guest's addresses), so the
   * replay programs its own BARs again here.
   */
  | { readonly kind: 'reprogram-bars'; readonly access: Access }
  | { readonly kind: 'skip'; readonly access: Access; readonly reason: string };

/** A polling loop in the recording: the same register read again and again. */
export interface PollRun {
  /** Index of this run among the recording's polls, in trace order. */
  readonly id: number;
  readonly offset: number;
  readonly firstSeq: number;
  readonly reads: number;
  /** The value the loop ended on: its outcome. */
  readonly outcome: number;
  /** True when the last read differs from the ones before: the loop exited because the value changed. */
  readonly changed: boolean;
}

/** A timer marker at which the replay lets no time run, and why (the device-event check explains what that leaves behind). */
export interface FrozenMarker {
  readonly line: number;
  readonly reason: string;
}

export interface ReplayPlan {
  readonly steps: readonly ReplayStep[];
  /** Timer markers after the first access where time stays frozen, in trace order. */
  readonly frozenTime: readonly FrozenMarker[];
  readonly polls: readonly PollRun[];
  readonly markers: number;
  /** Host-side link changes replayed (set-link steps). */
  readonly linkChanges: number;
  readonly skipped: number;
  /** The recording's phases (probe, reset, ...), for per-phase reporting. */
  readonly phases: readonly Phase[];
}

/**
 * Timer markers at which virtual time may run. Packets (rx-packet) and backend link changes are
 * not reproduced by a register replay, and a machine reset happened before the replay started.
 */
const TIMER_MARKERS: ReadonlySet<string> = new Set(['autoneg', 'itr-timer', 'async', 'idle']);
/** PCI config BARs and the expansion ROM BAR. */
const BAR_FIRST = 0x10;
const BAR_LAST = 0x27;
const ROM_BAR = 0x30;
export const PCI_COMMAND = 0x04;
/** COMMAND's IO and memory decoding bits. */
const IO_DECODE = 0x1;
const MEMORY_DECODE = 0x2;
const DECODE_BITS = IO_DECODE | MEMORY_DECODE;
/** QEMU's event for an autonegotiation starting. */
export const NEGOTIATION_START = 'e1000x_link_negotiation_start';
/** QEMU's autonegotiation timer ran out: the negotiation is done. */
export const NEGOTIATION_DONE = 'e1000x_link_negotiation_done';
/** Fewer reads than this is not a loop. */
const MIN_POLL_READS = 3;

/**
 * Plans a whole trace in one go: one Planner fed the records as a single window. The streaming
 * replay (src/replay/run.ts) feeds the same Planner window by window; the result is the same.
 */
export function planReplay(records: readonly TraceRecord[], registers: RegisterDatabase): ReplayPlan {
  const planner = new Planner(registers, negotiationVisible(records), configWritesRecorded(records));
  const window = planner.window(records);
  return { ...window, phases: planner.phases() };
}

/** Whether the recording logs the PF's config writes (then its COMMAND writes are all there). */
export function configWritesRecorded(records: readonly TraceRecord[]): boolean {
  return records.some((record) => record.type === 'access' && record.space === 'pci-config' && record.kind === 'write' && record.vf === undefined);
}

/** Whether the recording logs autonegotiation starts (then pending autonegs can be followed). */
export function negotiationVisible(records: readonly TraceRecord[]): boolean {
  return records.some((record) => record.events.some((event) => event.name === NEGOTIATION_START));
}

/** The plan of one window of records: its steps and polls; `phases` are the planner's so far. */
export type WindowPlan = Omit<ReplayPlan, 'phases'>;

/**
 * The PF's COMMAND register as the recording had it. The replay's set-up programs the BARs and
 * turns decoding and bus mastering on before the first access, standing in for the firmware (whose
 * BAR writes are not replayed); from there the recording's own COMMAND writes are replayed as
 * written (turning decoding off while the kernel sizes BARs, as the guest did: no access of a
 * recording reached the device while it was off, or QEMU would not have logged it). Only the
 * state before the recording's first COMMAND write differs: where its first read of COMMAND comes
 * before any register access and shows decoding off (the firmware had not turned it on yet), the
 * replay writes that value first, so the read compares exactly; the recording's next COMMAND write
 * turns decoding on before any register access, as it did in the recording. A recording that logs
 * no config writes keeps the set-up's decoding throughout. A trace that reaches the device while
 * its COMMAND says decoding is off was cut or edited (a minimised one, say): decoding is turned on
 * again before that access, or the access would go nowhere.
 */
class CommandTracker {
  private deviceAccessed = false;
  private written = false;
  /** COMMAND as the replay has it after the recording's writes; undefined: the set-up's (decoding on). */
  private command: number | undefined;

  constructor(private readonly configWritesRecorded: boolean) {}

  /** The value to write before this PF COMMAND read, when it must be restored first. */
  restoreBefore(access: Access): number | undefined {
    if (!this.configWritesRecorded || this.deviceAccessed || this.written) return undefined;
    if (access.kind !== 'read' || access.vf !== undefined || access.offset !== PCI_COMMAND) return undefined;
    // A word or a dword read (pci_cfg_read prints no width): COMMAND is the low 16 bits either way.
    const command = access.value & 0xffff;
    // Seen once: after this read the replay's COMMAND is the recording's.
    this.written = true;
    if ((command & DECODE_BITS) === DECODE_BITS) return undefined;
    this.command = command;
    return command;
  }

  /** The COMMAND value to write before this register access when its decoding is off (see above). */
  decodingBefore(access: Access): number | undefined {
    const needed = access.space === 'mmio' ? MEMORY_DECODE : access.space === 'io' ? IO_DECODE : 0;
    if (needed === 0 || this.command === undefined || (this.command & needed) !== 0) return undefined;
    this.command |= needed;
    return this.command;
  }

  see(access: Access): void {
    if (access.space === 'mmio' || access.space === 'io') this.deviceAccessed = true;
    else if (access.space === 'pci-config' && access.kind === 'write' && access.vf === undefined && access.offset <= PCI_COMMAND + 1 && access.offset + access.size > PCI_COMMAND) {
      this.written = true;
      // A byte write of the high half (offset 5) leaves the decoding bits as they were; one of the
      // low half (offset 4) keeps the high half.
      if (access.offset === PCI_COMMAND) {
        const written = access.size === 1 ? 0xff : 0xffff;
        this.command = (access.value & written) | ((this.command ?? DECODE_BITS) & ~written & 0xffff);
      }
    }
  }
}

/**
 * Plans a recording window by window, in trace order, keeping what crosses windows: whether an
 * autonegotiation is pending, whether an access was seen, the phases. Windows must not cut a
 * polling loop (src/replay/record-windows.ts cuts only where no loop can continue).
 */
export class Planner {
  private seenAccess = false;
  /** The last access planned (windows included): a reset marker right after a PF config write is an FLR. */
  private lastAccess: Access | undefined;
  private readonly command: CommandTracker;
  private readonly autoneg: AutonegTracker;
  private readonly phaseTracker: PhaseTracker;
  private nextPollId = 0;

  /**
   * `negotiationVisible`: the recording logs autonegotiation starts (see AutonegTracker);
   * `configWritesRecorded`: it logs the PF's config writes (see CommandTracker).
   */
  constructor(private readonly registers: RegisterDatabase, negotiationVisible: boolean, configWritesRecorded = false) {
    this.command = new CommandTracker(configWritesRecorded);
    this.autoneg = new AutonegTracker(negotiationVisible);
    this.phaseTracker = new PhaseTracker(registers);
  }

  window(records: readonly TraceRecord[]): WindowPlan {
    const accesses = records.filter((r): r is Access => r.type === 'access');
    // A loop that spans a timer marker is two loops: the time advance must happen between them.
    const afterMarker = new Set(records.filter((r): r is Marker => r.type === 'marker').map((m) => m.afterSeq + 1));
    const polls = findPolls(accesses, this.registers, afterMarker).map((poll) => ({ ...poll, id: this.nextPollId++ }));
    const pollAt = new Map<number, PollRun>();
    for (const poll of polls) {
      for (let seq = poll.firstSeq; seq < poll.firstSeq + poll.reads; seq++) pollAt.set(seq, poll);
    }
    const steps: ReplayStep[] = [];
    const frozenTime: FrozenMarker[] = [];
    let markers = 0;
    let linkChanges = 0;
    let skipped = 0;
    /** The last access's step, while frames it received may follow (their markers come after it). */
    let lastAccess: { readonly index: number; readonly step: ReplayStep; readonly access: Access; readonly paceable: boolean; readonly receipts: number[] } | undefined;
    for (const record of records) {
      const paceable = this.autoneg.followed;
      this.autoneg.see(record);
      this.phaseTracker.observe(record);
      if (record.type === 'marker') {
        const up = this.seenAccess && record.kind === 'link-change' ? linkStateOf(record) : undefined;
        if (up !== undefined) {
          steps.push({ kind: 'set-link', marker: record, up });
          linkChanges++;
          continue;
        }
        if (this.seenAccess && record.kind === 'rx-packet' && record.events.some((e) => e.name === RX_START_EVENT)) {
          steps.push({ kind: 'receive', marker: record, paceable });
          // A frame received during the access: the timers it armed are its own step's, not the access's.
          if (lastAccess !== undefined && record.afterSeq === lastAccess.access.seq) {
            lastAccess.receipts.push(record.line);
            steps[lastAccess.index] = { ...lastAccess.step, ...paceOf(lastAccess.access, lastAccess.paceable, lastAccess.receipts) };
          }
          continue;
        }
        const reset = this.functionResetBy(record);
        if (reset !== undefined) {
          steps.push({ kind: 'reprogram-bars', access: reset });
          continue;
        }
        // The backend asking whether the NIC can take a frame, from its own thread: a packet follows, no timer fired.
        if (record.kind === 'async' && record.events.every((e) => isReceiveReadiness(e.name))) continue;
        // An idle gap comes from a dialect without timer events, where no autoneg can be seen pending.
        if (this.seenAccess && TIMER_MARKERS.has(record.kind) && (record.kind === 'autoneg' || record.kind === 'idle' || this.autoneg.quiet)) {
          steps.push({ kind: 'advance-time', marker: record });
          markers++;
        } else if (this.seenAccess && TIMER_MARKERS.has(record.kind)) {
          frozenTime.push({ line: record.line, reason: this.autoneg.whyFrozen() });
        }
        continue;
      }
      this.seenAccess = true;
      this.lastAccess = record;
      const decoding = this.command.decodingBefore(record);
      if (decoding !== undefined) {
        // Stands for the recording's missing write: a config write of COMMAND, placed with this access.
        steps.push({ kind: 'config-write', access: { ...record, kind: 'write', space: 'pci-config', offset: PCI_COMMAND, size: 2, value: decoding, events: [] }, value: decoding });
      }
      const commandBefore = this.command.restoreBefore(record);
      this.command.see(record);
      const planned = stepFor(record, pollAt.get(record.seq));
      const step = commandBefore !== undefined && planned.kind === 'config-read' ? { ...planned, commandBefore } : planned;
      if (step.kind === 'skip') skipped++;
      const paced = step.kind === 'write' || (step.kind === 'read' && step.poll === undefined);
      lastAccess = paced ? { index: steps.length, step, access: record, paceable, receipts: [] } : undefined;
      steps.push(paced ? { ...step, ...paceOf(record, paceable) } : step);
    }
    return { steps, frozenTime, polls, markers, linkChanges, skipped };
  }

  /** The PF config write whose function-level reset `marker` is, if it is one. */
  private functionResetBy(marker: Marker): Access | undefined {
    const last = this.lastAccess;
    if (marker.kind !== 'reset' || last === undefined || marker.afterSeq !== last.seq) return undefined;
    return last.space === 'pci-config' && last.kind === 'write' && last.vf === undefined ? last : undefined;
  }

  /** The recording's phases seen so far (all of them once the last window is planned). */
  phases(): Phase[] {
    return this.phaseTracker.phases();
  }
}

/** `receiptLines`: frames received during the access (their timers are theirs). */
function paceOf(record: TraceRecord, paceable: boolean, receiptLines: readonly number[] = []): Paced {
  if (!paceable) return {};
  const armed = accessTimersArmed(record.events, receiptLines);
  const negotiation = record.events.some((event) => event.name === NEGOTIATION_START);
  if (armed.length === 0 && !negotiation) return {};
  return { pace: armed, ...(negotiation ? { startsNegotiation: true as const } : {}) };
}

/**
 * Whether an autonegotiation timer is pending at this point of the recording. Letting time run
 * fires every pending timer (QEMU warps the idle clock to each deadline in turn), so a drain for a
 * short timer while autoneg is pending would complete autoneg earlier than the recording did.
 * Without e1000x_* events in the trace pending autonegs cannot be seen: then only autoneg
 * markers let time run.
 */
class AutonegTracker {
  private pending = false;
  /** The pending negotiation was started by an access (so its paced step tells the clock, see Paced). */
  private startedByAccess = false;

  constructor(private readonly visible: boolean) {}

  /**
   * The paced clock can keep below the pending negotiation's deadline, or none is pending: the
   * recording shows where each starts, and this one started at an access (a paced step).
   */
  get followed(): boolean {
    return this.visible && (!this.pending || this.startedByAccess);
  }

  /** Time can run without completing an autoneg early. */
  get quiet(): boolean {
    return this.visible && !this.pending;
  }

  /** Why time may not run here (when not quiet). */
  whyFrozen(): string {
    return this.visible ? 'an autonegotiation was pending, which letting the clock run would complete early'
      : 'the recording does not show when autonegotiations start (no e1000x_* events), so time runs only where one completes';
  }

  see(record: TraceRecord): void {
    for (const event of record.events) {
      if (event.name === NEGOTIATION_START) {
        this.pending = true;
        this.startedByAccess = record.type === 'access';
      } else if (event.name === NEGOTIATION_DONE) this.pending = false;
    }
  }
}

function stepFor(access: Access, poll: PollRun | undefined): ReplayStep {
  if (access.space === 'phy') return { kind: 'skip', access, reason: 'PHY access replayed by its MDIC write' };
  if (access.space === 'pci-config') {
    if ((access.offset >= BAR_FIRST && access.offset <= BAR_LAST) || (access.offset >= ROM_BAR && access.offset < ROM_BAR + 4)) {
      return { kind: 'skip', access, reason: 'BARs are programmed by the replay' };
    }
    if (access.kind === 'read') return { kind: 'config-read', access };
    // COMMAND too, as recorded (see CommandTracker).
    return { kind: 'config-write', access, value: access.value };
  }
  if (access.space === 'io' && access.verdict === 'unknown') {
    return { kind: 'skip', access, reason: 'IO access to an unknown address (value not recorded)' };
  }
  return access.kind === 'write' ? { kind: 'write', access } : { kind: 'read', access, poll };
}

/**
 * Maximal runs of back-to-back reads of one register, at least MIN_POLL_READS long. Registers
 * whose reads have side effects (ICR, statistics, SWSM...) are never polls: re-reading them would
 * change the device.
 */
export function findPolls(accesses: readonly Access[], registers: RegisterDatabase,
  breaks: ReadonlySet<number> = new Set()): PollRun[] {
  const polls: PollRun[] = [];
  let start = 0;
  const guest = accesses.filter((a) => a.space !== 'phy');
  for (let i = 1; i <= guest.length; i++) {
    const first = guest[start]!;
    const current = guest[i];
    const continues = current !== undefined && current.kind === 'read' && first.kind === 'read'
      && current.space === first.space && current.offset === first.offset && !breaks.has(current.seq);
    if (continues) continue;
    if (i - start >= MIN_POLL_READS && first.space === 'mmio' && !hasReadSideEffect(first.offset, registers)) {
      const last = guest[i - 1]!;
      const previous = guest[i - 2]!;
      polls.push({
        id: polls.length, offset: first.offset, firstSeq: first.seq, reads: i - start,
        outcome: last.value, changed: last.value !== previous.value,
      });
    }
    start = i;
  }
  return polls.filter((poll) => contiguous(poll, accesses));
}

function hasReadSideEffect(offset: number, registers: RegisterDatabase): boolean {
  return registers.lookupOffset(offset)?.def.readSideEffect ?? true;
}

/**
 * Poll reads must be consecutive seqs (no derived PHY access in between), so seq ranges work.
 * `accesses` are consecutive seqs from the first one's (a window of the recording).
 */
function contiguous(poll: PollRun, accesses: readonly Access[]): boolean {
  const base = accesses[0]?.seq ?? 0;
  for (let seq = poll.firstSeq; seq < poll.firstSeq + poll.reads; seq++) {
    const access = accesses[seq - base];
    if (access === undefined || access.kind !== 'read' || access.offset !== poll.offset || access.space !== 'mmio') return false;
  }
  return true;
}
