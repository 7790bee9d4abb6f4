// Builds the ReplayResult from a run: compares every replayed read with the recording, classifies
// differences with the compare policy, and tallies what the target QEMU reported as unknown.
// Pure function of its inputs.

import type { Access, QemuVerdict, TraceRecord } from '../model/access.js';
import { FAILING_CLASSES, READ_CLASSES, type Divergence, type PhaseTally, type ReadClass, type RegisterRead, type RegisterTally, type ReplayResult, type TargetDescription,
  type TargetObservations, type TargetVerdicts } from '../model/replay.js';
import { compareConfigRead } from './config-compare.js';
import { eventsOutcome } from './events-result.js';
import { phaseOf } from '../analysis/phases.js';
import type { RegisterDatabase } from '../regs/database.js';
import { registerOf } from '../regs/naming.js';
import { classifyDifference, type CompareOptions, fieldDifferences } from './compare-policy.js';
import type { EngineRun, PollOutcome } from './engine.js';
import type { ReplayPlan } from './plan.js';

export interface ResultInputs {
  readonly trace: string;
  readonly target: TargetDescription;
  readonly plan: ReplayPlan;
  readonly run: EngineRun;
  /** The recording, in order: the device-event check walks it. */
  readonly records: readonly TraceRecord[];
  /** What the target QEMU logged about what it was sent (from its own trace log). */
  readonly observations: TargetObservations;
  readonly registers: RegisterDatabase;
  readonly options: CompareOptions;
  readonly durationMs: number;
}

export function buildResult(inputs: ResultInputs): ReplayResult {
  const { plan, run, registers } = inputs;
  const verdicts = inputs.observations.verdicts;
  const unknownSeqs = unknownInTargetSeqs(run.sent, verdicts.accesses);
  const notices = recordingNotices(plan, inputs.records);
  const { events, explainedReads } = eventsOutcome({
    records: inputs.records, run, target: inputs.observations.events, registers, phases: plan.phases,
    ...(notices.length === 0 ? {} : { notComparable: notices.join(' ') }),
  });
  const byClass = Object.fromEntries(READ_CLASSES.map((c) => [c, 0])) as Record<ReadClass, number>;
  const divergences: Divergence[] = [];
  let reads = 0;
  let writes = 0;
  let configWrites = 0;
  let configReads = 0;
  for (const step of plan.steps) {
    if (step.kind === 'write' && wasSent(step.access, run)) writes++;
    if (step.kind === 'config-write' && wasSent(step.access, run)) configWrites++;
    if (step.kind === 'config-read') {
      const dword = run.actual.get(step.access.seq);
      if (dword === undefined) continue;
      configReads++;
      const compared = compareConfigRead(step.access.offset, step.access.value, dword);
      byClass[compared.class]++;
      if (compared.class !== 'match') divergences.push(divergenceOf(step.access, compared.actual, compared.class, compared.reason, registers));
      continue;
    }
    if (step.kind !== 'read') continue;
    const access = step.access;
    if (step.poll !== undefined) {
      const outcome = run.polls.get(access.seq);
      if (outcome === undefined) continue;
      reads += outcome.poll.reads;
      const divergence = pollDivergence(access, outcome, registers);
      if (divergence === undefined) byClass.match += outcome.poll.reads;
      else {
        byClass[divergence.class]++;
        divergences.push(divergence);
      }
      continue;
    }
    const actual = run.actual.get(access.seq);
    if (actual === undefined) continue;
    reads++;
    if (actual === access.value) {
      byClass.match++;
      continue;
    }
    const explained = explainedReads.get(access.seq);
    if (explained !== undefined) {
      byClass['explained-by-traffic']++;
      divergences.push(divergenceOf(access, actual, 'explained-by-traffic', explained, registers));
      continue;
    }
    const ref = access.space === 'mmio' ? registers.lookupOffset(access.offset) : undefined;
    const classification = classifyDifference(ref, unknownSeqs.has(access.seq) && access.verdict !== 'unknown', inputs.options);
    byClass[classification.class]++;
    divergences.push(divergenceOf(access, actual, classification.class, classification.reason, registers));
  }
  return {
    schema: 'igb-replay/replay-result', version: 1, trace: inputs.trace, target: inputs.target,
    completed: run.completed,
    ...(run.completed ? {} : { stopped: stoppedAt(run) }),
    notices,
    counts: {
      accesses: run.sent.length + configWrites + configReads, reads, writes, configWrites, configReads, skipped: plan.skipped,
      markers: plan.markers, timeAdvances: run.timeAdvances, linkChanges: run.linkChanges, polls: run.polls.size,
    },
    byClass, divergences: withPhases(divergences, plan), events,
    phases: tallyPhases(plan, run, divergences),
    unknownInTarget: tallyUnknown(run.sent, verdicts, registers),
    registersRead: registersRead(plan, registers), lastLine: lastLine(plan),
    durationMs: inputs.durationMs,
  };
}

/** QEMU's events of an MSI-X or MSI notification: the driver had put the device in a message-signalled mode. */
const MESSAGE_NOTIFY: ReadonlySet<string> = new Set(['e1000e_irq_msix_notify_vec', 'e1000e_irq_msi_notify']);

export const NO_CONFIG_WRITES_NOTICE = 'this recording has no PCI config writes (QEMU\'s e1000e logs none unless -trace pci_cfg_write): '
  + 'the replay cannot enable MSI-X or MSI as the driver did (the device signals legacy INTx instead), so interrupts cannot be compared; '
  + 'record with -trace pci_cfg_write (igb-replay record does)';

/**
 * What the recording cannot show, said up front. A QEMU log whose driver sent MSI-X or MSI
 * interrupts but which has no config write to replay (e1000e logs its config writes only through
 * pci_cfg_write; igb logs its own) leaves the device in legacy INTx mode: every interrupt would
 * differ, and the first sign would otherwise be a late ICR read.
 */
export function recordingNotices(plan: ReplayPlan, records: readonly TraceRecord[]): string[] {
  if (plan.steps.some((step) => step.kind === 'config-write')) return [];
  const messageSignalled = records.some((record) => record.events.some((event) => MESSAGE_NOTIFY.has(event.name)));
  return messageSignalled ? [NO_CONFIG_WRITES_NOTICE] : [];
}

function withPhases(divergences: readonly Divergence[], plan: ReplayPlan): Divergence[] {
  return divergences.map((d) => {
    const phase = phaseOf(plan.phases, d.seq);
    return phase === undefined ? d : { ...d, phase: phase.label };
  });
}

/** Reads replayed and divergences per phase of the recording (phases after a stop have 0 reads). */
function tallyPhases(plan: ReplayPlan, run: EngineRun, divergences: readonly Divergence[]): PhaseTally[] {
  const reads = new Map<string, number>();
  for (const step of plan.steps) {
    if (step.kind !== 'read') continue;
    // A folded poll counts the reads the target needed; a plain read counts once if it was sent.
    const sent = step.poll === undefined ? (run.actual.has(step.access.seq) ? 1 : 0) : run.polls.get(step.access.seq)?.poll.reads ?? 0;
    const label = phaseOf(plan.phases, step.access.seq)?.label;
    if (label !== undefined && sent > 0) reads.set(label, (reads.get(label) ?? 0) + sent);
  }
  const byPhase = new Map<string, { byClass: PhaseTally['byClass']; failing: number }>();
  for (const d of divergences) {
    const label = phaseOf(plan.phases, d.seq)?.label;
    if (label === undefined) continue;
    const tally = byPhase.get(label) ?? { byClass: {}, failing: 0 };
    tally.byClass = { ...tally.byClass, [d.class]: (tally.byClass[d.class] ?? 0) + 1 };
    if (FAILING_CLASSES.has(d.class)) tally.failing++;
    byPhase.set(label, tally);
  }
  return plan.phases.map((phase) => ({
    ...phase, reads: reads.get(phase.label) ?? 0,
    byClass: byPhase.get(phase.label)?.byClass ?? {}, failing: byPhase.get(phase.label)?.failing ?? 0,
  }));
}

/** The registers the recording reads over MMIO and IO, in order of first read (skipped reads too: the plan has every access). */
function registersRead(plan: ReplayPlan, registers: RegisterDatabase): RegisterRead[] {
  const byName = new Map<string, { register: string; block: string; reads: number }>();
  for (const step of plan.steps) {
    if (step.kind !== 'read' && step.kind !== 'skip') continue;
    const access = step.access;
    if (access.kind !== 'read' || (access.space !== 'mmio' && access.space !== 'io')) continue;
    const { name, block } = registerOf(registers, access);
    const entry = byName.get(name);
    if (entry === undefined) byName.set(name, { register: name, block, reads: 1 });
    else entry.reads++;
  }
  return [...byName.values()];
}

function lastLine(plan: ReplayPlan): number {
  return plan.steps.reduce((max, step) => Math.max(max, step.kind === 'advance-time' || step.kind === 'set-link' ? step.marker.line : step.access.line), 0);
}

/** A run that stopped early sent the steps before the access it stopped at (seqs follow the plan). */
function wasSent(access: Access, run: EngineRun): boolean {
  if (run.completed) return true;
  return run.stoppedAt !== undefined && access.seq < run.stoppedAt.seq;
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

/** Registers the target reported unknown, and PHY registers it reported unhandled (via MDIC). */
function tallyUnknown(sent: readonly Access[], target: TargetVerdicts, registers: RegisterDatabase): RegisterTally[] {
  const tallies = new Map<string, { register: string; count: number; firstLine: number }>();
  const count = (name: string, line: number): void => {
    const tally = tallies.get(name);
    if (tally === undefined) tallies.set(name, { register: name, count: 1, firstLine: line });
    else tally.count++;
  };
  sent.forEach((access, i) => {
    if (target.accesses[i] === 'unknown') count(registerOf(registers, access).name, access.line);
  });
  for (const phy of target.phyUnhandled) {
    const mdicWrite = sent[phy.sentIndex];
    if (mdicWrite !== undefined) count(registerOf(registers, { space: 'phy', offset: phy.register }).name, mdicWrite.line);
  }
  return [...tallies.values()].sort((a, b) => b.count - a.count || a.firstLine - b.firstLine);
}
