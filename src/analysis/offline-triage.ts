// Offline triage: which registers the driver used that the recording QEMU itself flagged as
// unknown, partially implemented, read-only (write dropped) or PHY-unhandled, grouped by functional
// block and ranked so that the gaps a device developer should look at first come first.
// A pure function over the per-register tallies of trace-summary.ts: no second pass over the trace.

import { BLOCK_TITLES } from '../model/register.js';
import type { BlockName, RecordSummary, RegisterSpaceName, RegisterTally, VerdictTally } from './trace-summary.js';
import { registerLabel } from '../regs/naming.js';
import { groupArrayElements, groupLabel, mergeTallies } from './array-groups.js';

export const TRIAGE_SCHEMA = 'igb-replay/triage';
export const TRIAGE_VERSION = 1;

export interface TriageWeights {
  /** Weight of how often the driver hit the gap. */
  readonly count: number;
  /** Weight of how early in the trace it first hit it. */
  readonly earliness: number;
}

/**
 * Equal weights: a gap hit once during probe matters as much as one hit all the time, because an
 * early wrong value can send the driver down a different path for the rest of the run.
 */
export const DEFAULT_WEIGHTS: TriageWeights = { count: 0.5, earliness: 0.5 };

export const SCORE_FORMULA = 'score = 100 × m × (wc × ln(1+n)/ln(1+nMax) + we × (1 − s/S)); '
  + 'n = flagged accesses of the register, nMax = largest n in this trace, '
  + 's = seq of its first flagged access, S = accesses in the trace, m = block impact (statistics 0.6, else 1)';

/**
 * How much a gap in a block matters to the driver working at all. Statistics counters only feed
 * `ethtool -S` and /proc counters: drivers read them periodically but never branch on them, so a
 * missing counter is a wrong number, not a driver that fails; it ranks below an interrupt mask or
 * a queue register with the same evidence.
 */
export const BLOCK_IMPACT: Readonly<Partial<Record<BlockName, number>>> = { statistics: 0.6 };

export function blockImpact(block: BlockName): number {
  return BLOCK_IMPACT[block] ?? 1;
}

/** What every triage entry says about its register (offline or with replay evidence). */
export interface TriageRegister {
  /** 1-based rank across all groups. */
  readonly rank: number;
  readonly space: RegisterSpaceName;
  readonly offset: number;
  readonly name?: string;
  readonly label: string;
  readonly block: BlockName;
  readonly description?: string;
  /** What the recording QEMU logged about the register; empty when it had no complaint. */
  readonly verdicts: readonly VerdictTally[];
  /** For an entry that stands for several elements of one array (`UTA(0–127)`): how many. */
  readonly elements?: number;
}

export interface TriageEntry extends TriageRegister {
  /** Accesses QEMU flagged. */
  readonly flagged: number;
  /** All accesses to the register, flagged or not. */
  readonly accesses: number;
  /** seq and line of the first flagged access. */
  readonly firstSeq: number;
  readonly firstLine: number;
  readonly score: number;
  readonly scoreParts: { readonly count: number; readonly earliness: number };
}

export interface TriageGroup {
  readonly block: BlockName;
  readonly title: string;
  /** The best score of its entries: groups are ranked by their most important gap. */
  readonly score: number;
  readonly flagged: number;
  readonly entries: readonly TriageEntry[];
}

/** Which trace was triaged, for the report header. */
export interface TriageSource {
  readonly file: string;
  readonly dialectDescription: string;
}

export interface TriageResult {
  readonly schema: typeof TRIAGE_SCHEMA;
  readonly version: typeof TRIAGE_VERSION;
  readonly source: TriageSource;
  readonly totalAccesses: number;
  readonly registers: number;
  readonly groups: readonly TriageGroup[];
  readonly scoring: { readonly weights: TriageWeights; readonly formula: string };
}

const UNMAPPED_TITLE = 'Unmapped (offset not in the register database)';

/** Triage input: the per-register tallies and the trace's access count (for earliness). */
export type TriageInput = Pick<RecordSummary, 'accesses' | 'registers'>;

export function offlineTriage(records: TriageInput, source: TriageSource,
  weights: TriageWeights = DEFAULT_WEIGHTS): TriageResult {
  const elementsFlagged = Object.values(records.registers).flat().filter((t) => t.verdicts.length > 0);
  // Elements of one array count as one gap (see array-groups.ts).
  const flagged = groupArrayElements(elementsFlagged, tallyLabel)
    .map((group) => ({ tally: mergeTallies(group, groupLabel(group.map(tallyLabel))), elements: group.length }));
  const maxFlagged = Math.max(1, ...flagged.map((f) => flaggedCount(f.tally)));
  const total = Math.max(1, records.accesses);
  const scored = flagged.map((f) => scoreEntry(f.tally, f.elements, maxFlagged, total, weights))
    .sort(byImportance)
    .map((entry, i) => ({ ...entry, rank: i + 1 }));
  return {
    schema: TRIAGE_SCHEMA,
    version: TRIAGE_VERSION,
    source,
    totalAccesses: records.accesses,
    registers: scored.length,
    groups: groupByBlock(scored),
    scoring: { weights, formula: SCORE_FORMULA },
  };
}

function tallyLabel(t: RegisterTally): string {
  return registerLabel(t.space, t.offset, t.name);
}

function scoreEntry(t: RegisterTally, elements: number, maxFlagged: number, total: number, weights: TriageWeights): TriageEntry {
  const n = flaggedCount(t);
  const firstSeq = Math.min(...t.verdicts.map((v) => v.firstSeq));
  const firstLine = Math.min(...t.verdicts.map((v) => v.firstLine));
  // log: a register polled 500 times is not 500 times as important as one read once.
  const count = Math.log1p(n) / Math.log1p(maxFlagged);
  const earliness = 1 - firstSeq / total;
  return {
    rank: 0,
    space: t.space, offset: t.offset,
    ...(t.name === undefined ? {} : { name: t.name }),
    label: registerLabel(t.space, t.offset, t.name),
    block: t.block,
    ...(t.description === undefined ? {} : { description: t.description }),
    verdicts: t.verdicts,
    ...(elements > 1 ? { elements } : {}),
    flagged: n,
    accesses: t.reads + t.writes,
    firstSeq, firstLine,
    score: round1(100 * blockImpact(t.block) * (weights.count * count + weights.earliness * earliness)),
    scoreParts: { count: round3(count), earliness: round3(earliness) },
  };
}

function byImportance(a: TriageEntry, b: TriageEntry): number {
  return b.score - a.score || a.firstSeq - b.firstSeq || a.offset - b.offset;
}

function groupByBlock(entries: readonly TriageEntry[]): TriageGroup[] {
  const groups = new Map<BlockName, TriageEntry[]>();
  for (const entry of entries) {
    const list = groups.get(entry.block) ?? [];
    list.push(entry);
    groups.set(entry.block, list);
  }
  // Entries arrive ranked, so each group's first entry is its best and group order follows it.
  return [...groups].map(([block, list]) => ({
    block,
    title: block === 'unmapped' ? UNMAPPED_TITLE : BLOCK_TITLES[block],
    score: list[0]?.score ?? 0,
    flagged: list.reduce((sum, e) => sum + e.flagged, 0),
    entries: list,
  }));
}

function flaggedCount(t: RegisterTally): number {
  return t.verdicts.reduce((sum, v) => sum + v.count, 0);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
