// Builds the ReplayResult of a run, window by window: compares every replayed read with the
// recording, classifies differences with the compare policy, and tallies what the target QEMU
// reported as unknown. No I/O.

import type { Access, QemuVerdict, TraceRecord } from '../model/access.js';
import { FAILING_CLASSES, READ_CLASSES, type Divergence, type PhaseTally, type ReadClass, type RegisterRead, type ReplayResult, type TargetDescription,
  type TargetVerdicts } from '../model/replay.js';
import type { EventsResult } from '../model/events.js';
import type { FramesResult } from '../model/frames.js';
import type { Phase } from '../model/phase.js';
import { compareConfigRead } from './config-compare.js';
import { ExtendedCapabilityList } from '../regs/pcie-extended-capabilities.js';
import { phaseOf } from '../analysis/phases.js';
import type { RegisterDatabase } from '../regs/database.js';
import { registerOf } from '../regs/naming.js';
import { classifyDifference, type CompareOptions, fieldDifferences } from './compare-policy.js';
import { CountTally } from './counts.js';
import type { EngineRun, PollOutcome } from './engine.js';
import type { ReplayStep, WindowPlan } from './plan.js';

/** One window of the replay: its records, plan, run, and what the target logged meanwhile. */
export interface ResultWindow {
  readonly records: readonly TraceRecord[];
  readonly plan: WindowPlan;
  readonly run: EngineRun;
  readonly verdicts: TargetVerdicts;
  /** ICR/EICR reads of the window whose difference unreplayed packets explain (the device-event check). */
  readonly explainedReads: ReadonlyMap<number, string>;
  /** The recording's phases so far (they cover every seq of the window). */
  readonly phases: readonly Phase[];
}

export interface ResultEnd {
  readonly trace: string;
  readonly target: TargetDescription;
  /** The run that stopped the replay early, if one did. */
  readonly stoppedRun?: EngineRun;
  /** The recording's phases, all of them. */
  readonly phases: readonly Phase[];
  readonly notices: readonly string[];
  readonly events: EventsResult;
  /** The data-path check's result. */
  readonly frames?: FramesResult;
  readonly durationMs: number;
}

/**
 * Tallies a replay window by window: counters, divergences, per-phase and per-register tallies.
 * Nothing per access is kept beyond its window, so a replay of any length fits in memory.
 */
export class ResultCollector {
  private readonly byClass = Object.fromEntries(READ_CLASSES.map((c) => [c, 0])) as Record<ReadClass, number>;
  private readonly divergences: Divergence[] = [];
  private readonly counts = new CountTally();
  private readonly phaseReads = new Map<string, number>();
  private readonly unknown = new Map<string, { register: string; count: number; firstLine: number }>();
  /** Reads classified unknown-in-target, per register: the unknown list's `diverging` column. */
  private readonly unknownDiverging = new Map<string, number>();
  private readonly read = new Map<string, RegisterRead>();
  private lastLine = 0;
  private readonly facts = { configWrites: false, messageSignalled: false };
  /** Each function's extended capabilities as the recording walked them (key: the VF, -1 for the PF). */
  private readonly capabilities = new Map<number, ExtendedCapabilityList>();

  constructor(private readonly registers: RegisterDatabase, private readonly options: CompareOptions) {}

  add(window: ResultWindow): void {
    const { plan, run } = window;
    this.counts.window(window.records, plan, run);
    this.facts.configWrites ||= plan.steps.some((step) => step.kind === 'config-write');
    this.facts.messageSignalled ||= window.records.some((record) => record.events.some((event) => MESSAGE_NOTIFY.has(event.name)));
    const unknownSeqs = unknownInTargetSeqs(run.sent, window.verdicts.accesses);
    this.planned(plan);
    for (const step of plan.steps) {
      if (step.kind === 'config-read') this.configRead(step.access, window);
      if (step.kind === 'read') this.registerRead(step, window, unknownSeqs);
    }
    this.tallyUnknown(run.sent, window.verdicts);
  }

  /**
   * A window after the replay stopped, planned but not run: its accesses count as not reached,
   * and its registers as read by the recording (the report lists what the recording checks).
   */
  unreached(records: readonly TraceRecord[], plan: WindowPlan): void {
    this.counts.unreached(records);
    this.planned(plan);
  }

  /** What the plan of a window says whether or not it was run: its extent and the registers it reads. */
  private planned(plan: WindowPlan): void {
    for (const step of plan.steps) {
      if ('marker' in step) this.lastLine = Math.max(this.lastLine, step.marker.line);
      else this.lastLine = Math.max(this.lastLine, step.access.line);
      if (step.kind === 'read' || step.kind === 'skip') this.countRegisterRead(step.access);
    }
  }

  finish(end: ResultEnd): ReplayResult {
    const run = end.stoppedRun;
    return {
      schema: 'igb-replay/replay-result', version: 1, trace: end.trace, target: end.target,
      completed: run === undefined,
      ...(run === undefined ? {} : { stopped: stoppedAt(run) }),
      notices: [...end.notices],
      counts: this.counts.finish(),
      byClass: this.byClass, divergences: withPhases(this.divergences, end.phases), events: end.events,
      ...(end.frames === undefined ? {} : { frames: end.frames }),
      phases: this.phaseTallies(end.phases),
      unknownInTarget: [...this.unknown.values()].map((u) => ({ ...u, diverging: this.unknownDiverging.get(u.register) ?? 0 })).sort((a, b) => b.count - a.count || a.firstLine - b.firstLine),
      registersRead: [...this.read.values()], lastLine: this.lastLine,
      durationMs: end.durationMs,
    };
  }

  /**
   * What the recording cannot show, said up front. A QEMU log whose driver sent MSI-X or MSI
   * interrupts but which has no config write to replay (e1000e logs its config writes only through
   * pci_cfg_write; igb logs its own) leaves the device in legacy INTx mode: every interrupt would
   * differ, and the first sign would otherwise be a late ICR read.
   */
  notices(): string[] {
    return !this.facts.configWrites && this.facts.messageSignalled ? [NO_CONFIG_WRITES_NOTICE] : [];
  }

  private configRead(access: Access, window: ResultWindow): void {
    const register = this.capabilityList(access.vf).registerAt(access.offset);
    this.capabilityList(access.vf).see(access.offset, access.value);
    const dword = window.run.actual.get(access.seq);
    if (dword === undefined) return;
    this.countPhaseReads(window.phases, access.seq, 1);
    const compared = compareConfigRead(access.offset, access.value, dword, access.vf, register);
    this.byClass[compared.class]++;
    if (compared.class !== 'match') this.divergences.push(divergenceOf(access, compared.actual, compared.class, compared.reason, this.registers));
  }

  private capabilityList(vf: number | undefined): ExtendedCapabilityList {
    const key = vf ?? -1;
    let list = this.capabilities.get(key);
    if (list === undefined) this.capabilities.set(key, list = new ExtendedCapabilityList());
    return list;
  }

  private registerRead(step: Extract<ReplayStep, { kind: 'read' }>, window: ResultWindow, unknownSeqs: ReadonlySet<number>): void {
    const { run } = window;
    const access = step.access;
    if (step.poll !== undefined) {
      const outcome = run.polls.get(access.seq);
      if (outcome === undefined) return;
      this.countPhaseReads(window.phases, access.seq, outcome.poll.reads);
      // The loop stands for the reads the recording made: all of them take its class.
      const divergence = pollDivergence(access, outcome, this.registers);
      if (divergence === undefined) this.byClass.match += outcome.poll.reads;
      else this.diverged(divergence, outcome.poll.reads);
      return;
    }
    const actual = run.actual.get(access.seq);
    if (actual === undefined) return;
    this.countPhaseReads(window.phases, access.seq, 1);
    if (actual === access.value) {
      this.byClass.match++;
      return;
    }
    const explained = window.explainedReads.get(access.seq);
    if (explained !== undefined) {
      this.diverged(divergenceOf(access, actual, 'explained-by-traffic', explained, this.registers));
      return;
    }
    const ref = access.space === 'mmio' ? this.registers.lookupOffset(access.offset) : undefined;
    const classification = classifyDifference(ref, unknownSeqs.has(access.seq) && access.verdict !== 'unknown', this.options);
    this.diverged(divergenceOf(access, actual, classification.class, classification.reason, this.registers));
  }

  /** `reads`: the reads it stands for (a folded polling loop's recorded reads). */
  private diverged(divergence: Divergence, reads = 1): void {
    this.byClass[divergence.class] += reads;
    this.divergences.push(divergence);
    if (divergence.class === 'unknown-in-target') {
      this.unknownDiverging.set(divergence.register, (this.unknownDiverging.get(divergence.register) ?? 0) + reads);
    }
  }

  private countPhaseReads(phases: readonly Phase[], seq: number, reads: number): void {
    const label = phaseOf(phases, seq)?.label;
    if (label !== undefined) this.phaseReads.set(label, (this.phaseReads.get(label) ?? 0) + reads);
  }

  /** Reads compared and divergences per phase of the recording (phases after a stop have 0 reads). */
  private phaseTallies(phases: readonly Phase[]): PhaseTally[] {
    const byPhase = new Map<string, { byClass: PhaseTally['byClass']; failing: number }>();
    for (const d of this.divergences) {
      const label = phaseOf(phases, d.seq)?.label;
      if (label === undefined) continue;
      const tally = byPhase.get(label) ?? { byClass: {}, failing: 0 };
      tally.byClass = { ...tally.byClass, [d.class]: (tally.byClass[d.class] ?? 0) + 1 };
      if (FAILING_CLASSES.has(d.class)) tally.failing++;
      byPhase.set(label, tally);
    }
    return phases.map((phase) => ({
      ...phase, reads: this.phaseReads.get(phase.label) ?? 0,
      byClass: byPhase.get(phase.label)?.byClass ?? {}, failing: byPhase.get(phase.label)?.failing ?? 0,
    }));
  }

  /** The registers the recording reads over MMIO and IO, in order of first read (skipped reads too: the plan has every access). */
  private countRegisterRead(access: Access): void {
    if (access.kind !== 'read' || (access.space !== 'mmio' && access.space !== 'io')) return;
    const { name, block } = registerOf(this.registers, access);
    const entry = this.read.get(name);
    this.read.set(name, entry === undefined ? { register: name, block, reads: 1 } : { ...entry, reads: entry.reads + 1 });
  }

  /** Registers the target reported unknown, and PHY registers it reported unhandled (via MDIC). */
  private tallyUnknown(sent: readonly Access[], target: TargetVerdicts): void {
    const count = (name: string, line: number): void => {
      const tally = this.unknown.get(name);
      if (tally === undefined) this.unknown.set(name, { register: name, count: 1, firstLine: line });
      else tally.count++;
    };
    sent.forEach((access, i) => {
      if (target.accesses[i] === 'unknown') count(registerOf(this.registers, access).name, access.line);
    });
    for (const phy of target.phyUnhandled) {
      const mdicWrite = sent[phy.sentIndex];
      if (mdicWrite !== undefined) count(registerOf(this.registers, { space: 'phy', offset: phy.register }).name, mdicWrite.line);
    }
  }
}

/** QEMU's events of an MSI-X or MSI notification: the driver had put the device in a message-signalled mode. */
const MESSAGE_NOTIFY: ReadonlySet<string> = new Set(['e1000e_irq_msix_notify_vec', 'e1000e_irq_msi_notify']);

export const NO_CONFIG_WRITES_NOTICE = 'this recording has no PCI config writes (QEMU\'s e1000e logs none unless -trace pci_cfg_write): '
  + 'the replay cannot enable MSI-X or MSI as the driver did (the device signals legacy INTx instead), so interrupts cannot be compared; '
  + 'record with -trace pci_cfg_write (igb-replay record does)';

function withPhases(divergences: readonly Divergence[], phases: readonly Phase[]): Divergence[] {
  return divergences.map((d) => {
    const phase = phaseOf(phases, d.seq);
    return phase === undefined ? d : { ...d, phase: phase.label };
  });
}

function stoppedAt(run: EngineRun): { seq: number; line: number; reason: string } {
  const reason = run.error instanceof Error ? run.error.message : String(run.error);
  return { seq: run.stoppedAt?.seq ?? -1, line: run.stoppedAt?.line ?? 0, reason };
}

function divergenceOf(access: Access, actual: number, cls: Divergence['class'], reason: string, registers: RegisterDatabase): Divergence {
  const { name, block } = registerOf(registers, access);
  const ref = access.space === 'mmio' ? registers.lookupOffset(access.offset) : undefined;
  return {
    seq: access.seq, line: access.line, space: access.space === 'io' ? 'io' : access.space === 'pci-config' ? 'pci-config' : 'mmio',
    offset: access.offset, register: name, block, expected: access.value, actual, class: cls, reason,
    fields: fieldDifferences(registers, ref, access.value, actual),
  };
}

function pollDivergence(first: Access, outcome: PollOutcome, registers: RegisterDatabase): Divergence | undefined {
  const { poll } = outcome;
  const recorded = `recorded: ${poll.reads} reads ending on 0x${poll.outcome.toString(16)}`;
  const advanced = outcome.timeAdvances > 0 ? ` (time advanced ${outcome.timeAdvances} times)` : '';
  if (outcome.satisfied) {
    if (!poll.changed || outcome.readsMade === poll.reads) return undefined;
    return divergenceOf(first, outcome.lastValue, 'poll-satisfied',
      `poll satisfied after ${outcome.readsMade} reads${advanced}; ${recorded}`, registers);
  }
  const base = divergenceOf(first, outcome.lastValue, 'poll-never-satisfied',
    `poll never satisfied in ${outcome.readsMade} reads${advanced}; ${recorded}`, registers);
  return { ...base, expected: poll.outcome };
}

function unknownInTargetSeqs(sent: readonly Access[], verdicts: readonly (QemuVerdict | undefined)[]): Set<number> {
  const seqs = new Set<number>();
  sent.forEach((access, i) => {
    if (verdicts[i] === 'unknown') seqs.add(access.seq);
  });
  return seqs;
}
