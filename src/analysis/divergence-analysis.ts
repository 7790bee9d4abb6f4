// What a replay's divergences say beyond "this read differed": reads of a value the driver had
// written itself that the target did not keep (a write the target ignored: typically an
// unimplemented register), and which divergences are probably only consequences of an earlier one
// in a register the driver bases decisions on. Pure functions over a ReplayResult and the trace's
// records; nothing here talks to QEMU.

import type { Access, TraceRecord } from '../model/access.js';
import { FAILING_CLASSES, type Divergence, type ReplayResult } from '../model/replay.js';

/** A register whose recorded read-back of the driver's own write came back different in the replay. */
export interface WriteIgnored {
  readonly register: string;
  readonly block: string;
  /** Read-backs that differed. */
  readonly count: number;
  readonly firstSeq: number;
  readonly firstLine: number;
}

/**
 * Registers whose value steers the driver's control flow (link state, interrupt cause, NVM/PHY
 * handshakes, semaphores): a wrong value here changes what the driver does next, so divergences
 * after it in other registers may be its consequences rather than gaps of their own.
 */
export const DECISION_REGISTERS: ReadonlySet<string> = new Set([
  'STATUS', 'ICR', 'EICR', 'MDIC', 'EECD', 'EERD', 'SWSM', 'SW_FW_SYNC', 'CTRL', 'CTRL_EXT',
]);

/** The first failing divergence of one register, and what may have caused it. */
export interface FirstDivergence {
  readonly register: string;
  readonly block: string;
  readonly seq: number;
  readonly line: number;
  readonly class: Divergence['class'];
  /** Failing divergences of this register in the whole replay. */
  readonly count: number;
  /** The register is one the driver decides on (DECISION_REGISTERS). */
  readonly decision: boolean;
  /** The nearest earlier first divergence of another decision register, when there is one. */
  readonly possibleConsequenceOf?: { readonly register: string; readonly line: number };
}

export interface CascadeAnalysis {
  /** One per register with a failing divergence, in trace order. */
  readonly firstByRegister: readonly FirstDivergence[];
  /** The decision registers whose first divergence precedes others, with how many follow it. */
  readonly triggers: readonly { readonly register: string; readonly line: number; readonly consequences: number }[];
}

/** Where a write or read lands, so a read can be matched with the last write to the same register. */
function accessKey(a: Access): string | undefined {
  if (a.space === 'mmio') return `mmio:${a.offset}`;
  if (a.space === 'io' && a.register !== undefined) return `mmio:${a.register}`;
  return undefined;
}

/**
 * Reads whose recorded value equals the driver's last recorded write to that register, but whose
 * replayed value differs (a failing divergence): the target ignored the write.
 */
export function writeReadbacks(result: Pick<ReplayResult, 'divergences'>, records: readonly TraceRecord[]): WriteIgnored[] {
  const bySeq = new Map<number, Divergence>();
  for (const d of result.divergences) if (FAILING_CLASSES.has(d.class)) bySeq.set(d.seq, d);
  const lastWrite = new Map<string, number>();
  const found = new Map<string, { register: string; block: string; count: number; firstSeq: number; firstLine: number }>();
  for (const record of records) {
    if (record.type !== 'access') continue;
    const key = accessKey(record);
    if (key === undefined) continue;
    if (record.kind === 'write') {
      lastWrite.set(key, record.value);
      continue;
    }
    const divergence = bySeq.get(record.seq);
    if (divergence === undefined || lastWrite.get(key) !== record.value || divergence.actual === record.value) continue;
    const entry = found.get(divergence.register);
    if (entry === undefined) {
      found.set(divergence.register, { register: divergence.register, block: divergence.block, count: 1, firstSeq: record.seq, firstLine: record.line });
    } else entry.count += 1;
  }
  return [...found.values()].sort((a, b) => a.firstSeq - b.firstSeq);
}

/**
 * The first failing divergence of each register; each one after the first divergence of a
 * decision register (other than itself) is marked as its possible consequence, attributed to the
 * nearest such trigger before it; except `unknown-in-target` ones, which are direct evidence.
 */
export function cascades(result: Pick<ReplayResult, 'divergences'>, decision: ReadonlySet<string> = DECISION_REGISTERS): CascadeAnalysis {
  const firsts = new Map<string, { d: Divergence; count: number }>();
  for (const d of result.divergences) {
    if (!FAILING_CLASSES.has(d.class)) continue;
    const seen = firsts.get(d.register);
    if (seen === undefined) firsts.set(d.register, { d, count: 1 });
    else seen.count += 1;
  }
  const ordered = [...firsts.values()].sort((a, b) => a.d.seq - b.d.seq);
  const triggerCounts = new Map<string, { register: string; line: number; consequences: number }>();
  let trigger: Divergence | undefined;
  const firstByRegister = ordered.map(({ d, count }): FirstDivergence => {
    const isDecision = decision.has(d.register);
    // An unknown register in the target is a gap of its own whatever came before it.
    const cause = trigger !== undefined && trigger.register !== d.register && d.class !== 'unknown-in-target' ? trigger : undefined;
    if (cause !== undefined) {
      const t = triggerCounts.get(cause.register) ?? { register: cause.register, line: cause.line, consequences: 0 };
      t.consequences += 1;
      triggerCounts.set(cause.register, t);
    }
    if (isDecision) trigger = d;
    return {
      register: d.register, block: d.block, seq: d.seq, line: d.line, class: d.class, count, decision: isDecision,
      ...(cause === undefined ? {} : { possibleConsequenceOf: { register: cause.register, line: cause.line } }),
    };
  });
  return { firstByRegister, triggers: [...triggerCounts.values()].sort((a, b) => a.line - b.line) };
}
