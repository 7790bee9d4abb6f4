// Triage with replay: "what to implement next". Combines, per register, what the recording QEMU
// said (offline triage verdicts), what a replay against a target QEMU found (failing divergences,
// failing device-event differences (event-evidence.ts), registers the target logged as unknown,
// writes the target ignored, cascades), and how early and how often the driver needed the register. Grouped by functional block and ranked like the
// offline triage; a pure function over the trace summary, the replay result and the records.

import type { TraceRecord } from '../model/access.js';
import { BLOCK_TITLES, FUNCTIONAL_BLOCKS, type FunctionalBlock } from '../model/register.js';
import { FAILING_CLASSES, type Divergence, type ReadClass, type ReplayResult } from '../model/replay.js';
import { FAILING_EVENT_CLASSES, type EventClass } from '../model/events.js';
import { cascades, writeReadbacks, type CascadeAnalysis, type WriteIgnored } from './divergence-analysis.js';
import { eventEvidence } from './event-evidence.js';
import { blockImpact, TRIAGE_SCHEMA, type TriageInput, type TriageRegister, type TriageSource } from './offline-triage.js';
import { registerLabel } from '../regs/naming.js';
import { phaseOf } from './phases.js';
import { groupArrayElements, groupLabel, mergeTallies } from './array-groups.js';
import type { BlockName, RegisterTally, VerdictTally } from './trace-summary.js';

export const REPLAY_TRIAGE_VERSION = 2;

export interface ReplayTriageWeights {
  readonly recording: number;
  readonly replay: number;
  readonly count: number;
  readonly earliness: number;
}

/** The replay's own evidence weighs most: it is what the target lacks, not what the recorder lacked. */
export const REPLAY_WEIGHTS: ReplayTriageWeights = { recording: 0.15, replay: 0.45, count: 0.2, earliness: 0.2 };

export const REPLAY_SCORE_FORMULA = 'score = 100 × m × (wr × R + wp × P + wc × ln(1+n)/ln(1+nMax) + we × (1 − s/S)); '
  + 'R = recording QEMU verdict (unknown/phy-unhandled 1, read-only 0.75, partial 0.5, none 0), '
  + 'P = replay evidence (unknown in target or write ignored 1, failing read divergence or failing device-event difference 0.6, '
  + 'only as a possible consequence of an earlier read divergence 0.3, none 0; a device-event difference counts for the register '
  + 'whose access caused it and for the interrupt register it is about: ICR, EIMS, EITR(n) throttling...), '
  + 'n = driver accesses of the register, nMax = largest n listed, s = seq of its first access, S = accesses in the trace, '
  + 'm = block impact (statistics 0.6, else 1: drivers never branch on counters)';

const RECORDING_WEIGHT: Readonly<Record<VerdictTally['verdict'], number>> = {
  unknown: 1, 'phy-unhandled': 1, 'read-only': 0.75, partial: 0.5,
};

export interface ReplayEvidence {
  /** Failing and volatile divergences of the register's reads, by class. */
  readonly divergences: Partial<Record<Exclude<ReadClass, 'match'>, number>>;
  /** Failing device-event differences its accesses caused or that are about it, by class. */
  readonly events: Partial<Record<EventClass, number>>;
  /** Accesses the target QEMU logged as to an unknown register. */
  readonly unknownInTarget: number;
  /** Read-backs of the driver's own write that the target did not return. */
  readonly writeIgnored: number;
  /** Line of the register's first failing divergence. */
  readonly firstDivergenceLine?: number;
  /** When that first divergence follows one in a decision register (see divergence-analysis.ts). */
  readonly possibleConsequenceOf?: { readonly register: string; readonly line: number };
}

export interface ReplayTriageEntry extends TriageRegister {
  readonly replay: ReplayEvidence;
  /** All accesses of the driver to the register, and its first one. */
  readonly accesses: number;
  readonly firstSeq: number;
  readonly firstLine: number;
  /** The recording's phase of that first access (`nvm-phy-id #2`): when in the driver's life it was needed. */
  readonly firstPhase?: string;
  readonly score: number;
  readonly scoreParts: { readonly recording: number; readonly replay: number; readonly count: number; readonly earliness: number };
}

export interface ReplayTriageGroup {
  readonly block: BlockName;
  readonly title: string;
  readonly score: number;
  readonly entries: readonly ReplayTriageEntry[];
}

export interface ReplayTriageResult {
  readonly schema: typeof TRIAGE_SCHEMA;
  readonly version: typeof REPLAY_TRIAGE_VERSION;
  readonly source: TriageSource;
  readonly totalAccesses: number;
  readonly registers: number;
  readonly groups: readonly ReplayTriageGroup[];
  readonly replay: {
    readonly device: string;
    readonly qemu: string;
    readonly completed: boolean;
    readonly byClass: ReplayResult['byClass'];
    /** Whether the replay compared device events (else `note` says why), and its failing event differences. */
    readonly events: { readonly compared: boolean; readonly note?: string; readonly failing: number };
    readonly writeIgnored: readonly WriteIgnored[];
    readonly cascades: CascadeAnalysis;
  };
  readonly scoring: { readonly weights: ReplayTriageWeights; readonly formula: string };
}

interface Draft { tally?: RegisterTally; label: string; block: BlockName; evidence: MutableEvidence; elements?: number }
interface MutableEvidence {
  divergences: Partial<Record<Exclude<ReadClass, 'match'>, number>>;
  events: Partial<Record<EventClass, number>>;
  unknownInTarget: number; writeIgnored: number; failing: number; failingEvents: number;
  firstDivergenceLine?: number; possibleConsequenceOf?: { register: string; line: number };
}

export function replayTriage(summary: TriageInput, source: TriageSource, replay: ReplayResult,
  records: readonly TraceRecord[], weights: ReplayTriageWeights = REPLAY_WEIGHTS): ReplayTriageResult {
  const tallies = new Map<string, RegisterTally>();
  for (const t of Object.values(summary.registers).flat()) tallies.set(registerLabel(t.space, t.offset, t.name), t);
  const drafts = new Map<string, Draft>();
  const draft = (label: string, block: string): Draft => {
    let d = drafts.get(label);
    if (d === undefined) {
      const tally = tallies.get(label);
      d = { label, block: tally?.block ?? blockName(block), evidence: emptyEvidence(), ...(tally === undefined ? {} : { tally }) };
      drafts.set(label, d);
    }
    return d;
  };
  for (const t of tallies.values()) if (t.verdicts.length > 0) draft(registerLabel(t.space, t.offset, t.name), t.block);
  addDivergences(replay.divergences, draft, drafts);
  addEventEvidence(replay, records, tallies, draft);
  for (const u of replay.unknownInTarget) draft(u.register, 'unmapped').evidence.unknownInTarget += u.count;
  const writeIgnored = writeReadbacks(replay, records);
  for (const w of writeIgnored) draft(w.register, w.block).evidence.writeIgnored += w.count;
  const cascade = cascades(replay);
  for (const f of cascade.firstByRegister) {
    const e = drafts.get(f.register)?.evidence;
    if (e === undefined) continue;
    e.firstDivergenceLine = f.line;
    if (f.possibleConsequenceOf !== undefined) e.possibleConsequenceOf = f.possibleConsequenceOf;
  }
  const listed = groupArrayElements([...drafts.values()], (d) => d.label).map(mergeDrafts);
  const maxAccesses = Math.max(1, ...listed.map((d) => accessCount(d.tally)));
  const total = Math.max(1, summary.accesses);
  const ranked = listed.map((d) => scoreEntry(d, maxAccesses, total, weights))
    .sort((a, b) => b.score - a.score || a.firstSeq - b.firstSeq || a.offset - b.offset)
    .map((entry, i) => {
      const phase = entry.accesses > 0 ? phaseOf(replay.phases, entry.firstSeq)?.label : undefined;
      return { ...entry, rank: i + 1, ...(phase === undefined ? {} : { firstPhase: phase }) };
    });
  return {
    schema: TRIAGE_SCHEMA, version: REPLAY_TRIAGE_VERSION, source, totalAccesses: summary.accesses,
    registers: ranked.length, groups: groupByBlock(ranked),
    replay: {
      device: replay.target.device, qemu: replay.target.version, completed: replay.completed, byClass: replay.byClass,
      events: eventsSummary(replay.events), writeIgnored, cascades: cascade,
    },
    scoring: { weights, formula: REPLAY_SCORE_FORMULA },
  };
}

/** Elements of one array with evidence become one entry (see array-groups.ts). */
function mergeDrafts(group: readonly Draft[]): Draft {
  const [only] = group;
  if (group.length === 1 && only !== undefined) return only;
  const label = groupLabel(group.map((d) => d.label));
  const tallies = group.flatMap((d) => (d.tally === undefined ? [] : [d.tally]));
  const evidence = emptyEvidence();
  for (const d of group) {
    const e = d.evidence;
    addCounts(evidence.divergences, e.divergences);
    addCounts(evidence.events, e.events);
    evidence.unknownInTarget += e.unknownInTarget;
    evidence.writeIgnored += e.writeIgnored;
    evidence.failing += e.failing;
    evidence.failingEvents += e.failingEvents;
    if (e.firstDivergenceLine !== undefined && (evidence.firstDivergenceLine === undefined || e.firstDivergenceLine < evidence.firstDivergenceLine)) {
      evidence.firstDivergenceLine = e.firstDivergenceLine;
      if (e.possibleConsequenceOf === undefined) delete evidence.possibleConsequenceOf;
      else evidence.possibleConsequenceOf = e.possibleConsequenceOf;
    }
  }
  return {
    label, block: group[0]!.block, evidence, elements: group.length,
    ...(tallies.length === 0 ? {} : { tally: mergeTallies(tallies, label) }),
  };
}

function emptyEvidence(): MutableEvidence {
  return { divergences: {}, events: {}, unknownInTarget: 0, writeIgnored: 0, failing: 0, failingEvents: 0 };
}

function addCounts<K extends string>(into: Partial<Record<K, number>>, from: Partial<Record<K, number>>): void {
  for (const [key, n] of Object.entries(from) as [K, number][]) into[key] = (into[key] ?? 0) + n;
}

function eventsSummary(events: ReplayResult['events']): ReplayTriageResult['replay']['events'] {
  const failing = events.divergences.filter((d) => FAILING_EVENT_CLASSES.has(d.class)).length;
  return { compared: events.compared, ...(events.note === undefined ? {} : { note: events.note }), failing };
}

/** Failing device-event differences, as evidence for the registers they involve (only registers the trace uses). */
function addEventEvidence(replay: ReplayResult, records: readonly TraceRecord[], tallies: ReadonlyMap<string, RegisterTally>,
  draft: (label: string, block: string) => Draft): void {
  const labels = new Map<string, string>();
  for (const [label, t] of tallies) labels.set(`${t.space}:${t.offset}`, label);
  const found = eventEvidence(replay.events.divergences, records, {
    labelAt: (space, offset) => labels.get(`${space}:${offset}`),
    known: (label) => tallies.has(label),
  });
  for (const e of found.values()) {
    const evidence = draft(e.register, tallies.get(e.register)!.block).evidence;
    addCounts(evidence.events, e.byClass);
    evidence.failingEvents += e.count;
  }
}

function addDivergences(divergences: readonly Divergence[], draft: (label: string, block: string) => Draft, drafts: Map<string, Draft>): void {
  for (const d of divergences) {
    const failing = FAILING_CLASSES.has(d.class);
    // Volatile differences alone are no gap; they are shown only next to other evidence.
    const e = failing ? draft(d.register, d.block).evidence : drafts.get(d.register)?.evidence;
    if (e === undefined) continue;
    e.divergences[d.class] = (e.divergences[d.class] ?? 0) + 1;
    if (failing) e.failing += 1;
  }
}

function scoreEntry(d: Draft, maxAccesses: number, total: number, w: ReplayTriageWeights): ReplayTriageEntry {
  const t = d.tally;
  const verdicts = t?.verdicts ?? [];
  const recording = Math.max(0, ...verdicts.map((v) => RECORDING_WEIGHT[v.verdict]));
  const e = d.evidence;
  const direct = e.failing > 0 || e.failingEvents > 0;
  const replay = e.unknownInTarget > 0 || e.writeIgnored > 0 ? 1 : !direct ? 0 : e.possibleConsequenceOf === undefined ? 0.6 : 0.3;
  const count = Math.log1p(accessCount(t)) / Math.log1p(maxAccesses);
  const firstSeq = t?.firstSeq ?? total;
  const earliness = 1 - Math.min(firstSeq, total) / total;
  return {
    rank: 0,
    space: t?.space ?? 'mmio', offset: t?.offset ?? 0,
    ...(t?.name === undefined ? {} : { name: t.name }),
    label: d.label, block: d.block,
    ...(t?.description === undefined ? {} : { description: t.description }),
    verdicts,
    ...(d.elements === undefined ? {} : { elements: d.elements }),
    replay: {
      divergences: e.divergences, events: e.events, unknownInTarget: e.unknownInTarget, writeIgnored: e.writeIgnored,
      ...(e.firstDivergenceLine === undefined ? {} : { firstDivergenceLine: e.firstDivergenceLine }),
      ...(e.possibleConsequenceOf === undefined ? {} : { possibleConsequenceOf: e.possibleConsequenceOf }),
    },
    accesses: accessCount(t), firstSeq, firstLine: t?.firstLine ?? 0,
    score: round(100 * blockImpact(d.block) * (w.recording * recording + w.replay * replay + w.count * count + w.earliness * earliness), 10),
    scoreParts: { recording, replay, count: round(count, 1000), earliness: round(earliness, 1000) },
  };
}

function groupByBlock(entries: readonly ReplayTriageEntry[]): ReplayTriageGroup[] {
  const groups = new Map<BlockName, ReplayTriageEntry[]>();
  for (const entry of entries) groups.set(entry.block, [...(groups.get(entry.block) ?? []), entry]);
  return [...groups].map(([block, list]) => ({
    block,
    title: block === 'unmapped' ? 'Unmapped (offset not in the register database)' : BLOCK_TITLES[block],
    score: list[0]?.score ?? 0,
    entries: list,
  }));
}

function blockName(block: string): BlockName {
  return (FUNCTIONAL_BLOCKS as readonly string[]).includes(block) ? block as FunctionalBlock : 'unmapped';
}

function accessCount(t: RegisterTally | undefined): number {
  return t === undefined ? 0 : t.reads + t.writes;
}

function round(x: number, scale: number): number {
  return Math.round(x * scale) / scale;
}
