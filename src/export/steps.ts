// The step list every exporter writes: the replay planner's steps (src/replay/plan.ts) reduced to
// what a static script can do, with register names and whether each read is checked. Pure.
//
// What a static script cannot do that `replay` does, and what it does instead:
//  - A folded polling loop reads until the recorded outcome appears. A script cannot wait for an
//    answer, so it reads as often as the engine's first pass would (src/replay/engine.ts: the
//    recorded count for a loop whose value changed, once for a loop that read one value) and only
//    the last read is compared with the outcome. Poll registers have no read side effects
//    (findPolls), so reading more often than the engine would changes nothing.
//  - Time advances (timer markers) stay steps: each writer says what it can do with them.

import type { Access, MarkerKind, TraceRecord } from '../model/access.js';
import type { Phase } from '../model/phase.js';
import type { RegisterDatabase } from '../regs/database.js';
import { accessLabel } from '../regs/naming.js';
import { volatileReason } from '../replay/compare-policy.js';
import type { DeviceOption } from '../replay/device-option.js';
import { planReplay, type PollRun, type ReplayStep } from '../replay/plan.js';
import { configSize, type ConfigSize } from '../target/pci-config.js';
import { ROOT_BUS, type NicPlacement } from '../target/topology.js';
import { accessWidth, type AccessWidth } from '../target/qtest-protocol.js';

export interface PollFold {
  /** Reads the script makes. */
  readonly reads: number;
  /** Reads the recording made. */
  readonly recordedReads: number;
  /** True when the recorded loop exited because the value changed (it waited for time to pass). */
  readonly changed: boolean;
}

export interface RegisterStep {
  readonly kind: 'read' | 'write';
  readonly space: 'mmio' | 'io';
  /** Offset in BAR0 (mmio) or in the IO BAR (0 IOADDR, 4 IODATA). */
  readonly offset: number;
  /** As recorded (accessWidth); accessOp says which op sends it (an 8-byte IO access goes as a dword). */
  readonly width: AccessWidth;
  /** The value written, or the value the recording read (a poll's outcome). */
  readonly value: number;
  /** Register name for comments: `STATUS`, `RDBAL(0)`, `IODATA CTRL`. */
  readonly register: string;
  readonly seq: number;
  readonly line: number;
  /** For reads the compare policy does not check (volatile registers): why. */
  readonly unchecked?: string;
  readonly poll?: PollFold;
}

export interface ConfigWriteStep {
  readonly kind: 'config-write';
  /** The SR-IOV virtual function whose config space it is (absent: the PF's). */
  readonly vf?: number;
  readonly offset: number;
  readonly width: ConfigSize;
  readonly value: number;
  readonly seq: number;
  readonly line: number;
}

export interface TimeStep {
  readonly kind: 'time';
  readonly marker: MarkerKind;
  readonly line: number;
  /** For an idle marker (mmiotrace): the recorded time since the previous one, to step the clock by. */
  readonly elapsedNs?: bigint;
}

/**
 * The recording's device reset itself (a function-level reset) after the config write at `line`:
 * the script programs the NIC's BARs again where its own set-up put them (replay's 'reprogram-bars').
 */
export interface BarsStep {
  readonly kind: 'bars';
  readonly seq: number;
  readonly line: number;
}

export type ExportStep = RegisterStep | ConfigWriteStep | TimeStep | BarsStep;

export interface ExportPlan {
  /** The trace as named on the command line, for comments. */
  readonly trace: string;
  readonly device: DeviceOption;
  /** Where the NIC sits, as in the recording (the sidecar's root port, if any). */
  readonly placement: NicPlacement;
  readonly steps: readonly ExportStep[];
  /** The recording's phases, for grouping (startSeq/endSeq are access seqs). */
  readonly phases: readonly Phase[];
  /** Accesses the planner skips (PHY accesses replayed by MDIC, BAR programming, config reads). */
  readonly skipped: number;
}

export function exportPlan(trace: string, records: readonly TraceRecord[], registers: RegisterDatabase, device: DeviceOption,
  placement: NicPlacement = ROOT_BUS): ExportPlan {
  const plan = planReplay(records, registers);
  const steps: ExportStep[] = [];
  for (const step of plan.steps) {
    const converted = convert(step, registers);
    if (converted !== undefined) steps.push(converted);
  }
  // Config reads are compared by replay only (a script cannot tell which width the recording read).
  const configReads = plan.steps.filter((step) => step.kind === 'config-read').length;
  return { trace, device, placement, steps, phases: plan.phases, skipped: plan.skipped + configReads };
}

function convert(step: ReplayStep, registers: RegisterDatabase): ExportStep | undefined {
  switch (step.kind) {
    case 'reprogram-bars':
      return { kind: 'bars', seq: step.access.seq, line: step.access.line };
    case 'skip':
    case 'config-read':
      return undefined;
    case 'set-link':
      // A script has no QMP connection: the companion and the C test say link changes are left out.
      return undefined;
    case 'receive':
      // A qtest script cannot hand the NIC a frame (that needs the netdev's other end).
      return undefined;
    case 'advance-time':
      return {
        kind: 'time', marker: step.marker.kind, line: step.marker.line,
        ...(step.marker.elapsedUs === undefined ? {} : { elapsedNs: BigInt(Math.round(step.marker.elapsedUs)) * 1000n }),
      };
    case 'config-write':
      return {
        kind: 'config-write', ...(step.access.vf === undefined ? {} : { vf: step.access.vf }), offset: step.access.offset,
        width: configSize(step.access.size), value: step.value, seq: step.access.seq, line: step.access.line,
      };
    case 'write':
      return registerStep(step.access, registers, undefined);
    case 'read':
      // Every read of a folded loop after the first is covered by the first one's fold.
      if (step.poll !== undefined && step.access.seq !== step.poll.firstSeq) return undefined;
      return registerStep(step.access, registers, step.poll);
  }
}

function registerStep(access: Access, registers: RegisterDatabase, poll: PollRun | undefined): RegisterStep {
  const space = access.space === 'io' ? 'io' : 'mmio';
  const base = {
    kind: access.kind, space, offset: access.offset, width: accessWidth(access.size),
    value: poll === undefined ? access.value : poll.outcome,
    register: accessLabel(registers, access), seq: access.seq, line: access.line,
  } as const;
  if (access.kind === 'write') return base;
  // IODATA reads reach the register IOADDR selected: that register decides volatility.
  const offset = space === 'io' ? access.register : access.offset;
  const reason = offset === undefined ? undefined : volatileReason(registers.lookupOffset(offset));
  const fold = poll === undefined ? undefined : { reads: poll.changed ? poll.reads : 1, recordedReads: poll.reads, changed: poll.changed };
  return { ...base, ...(reason === undefined ? {} : { unchecked: reason }), ...(fold === undefined ? {} : { poll: fold }) };
}

/** Steps of one phase of the recording (by the seq of their access; time steps go with the access before them). */
export function groupByPhase(plan: ExportPlan): { phase: Phase | undefined; steps: ExportStep[] }[] {
  const groups: { phase: Phase | undefined; steps: ExportStep[] }[] = [];
  let current: { phase: Phase | undefined; steps: ExportStep[] } | undefined;
  let phaseIndex = -1;
  for (const step of plan.steps) {
    if (step.kind !== 'time') {
      while (phaseIndex + 1 < plan.phases.length && plan.phases[phaseIndex + 1]!.startSeq <= step.seq) phaseIndex++;
    }
    const phase = phaseIndex >= 0 ? plan.phases[phaseIndex] : undefined;
    if (current === undefined || current.phase !== phase) {
      current = { phase, steps: [] };
      groups.push(current);
    }
    current.steps.push(step);
  }
  return groups;
}
