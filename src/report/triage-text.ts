// Text rendering of the offline triage (TriageResult): one table per functional block, blocks in
// rank order, and a footer that states the scoring formula so the ranking can be checked by hand.
// The triage with replay (ReplayTriageResult) is rendered the same way with a replay column.

import type { ChalkInstance } from 'chalk';
import type { TriageEntry, TriageGroup, TriageResult } from '../analysis/offline-triage.js';
import type { ReplayEvidence, ReplayTriageEntry, ReplayTriageGroup, ReplayTriageResult } from '../analysis/replay-triage.js';
import { hexPad, num, plural } from './format.js';
import { renderTable } from './table.js';
import { verdictText } from './verdict-text.js';

/** Descriptions are cut in text tables to keep rows on one line; --json has them in full. */
const DESCRIPTION_WIDTH = 60;

export function renderTriage(t: TriageResult, c: ChalkInstance): string {
  const blocks = t.groups.length;
  const lines = [
    `${c.bold('Offline triage')}  ${t.source.file} (${t.source.dialectDescription})`,
    t.registers === 0
      ? 'The recording QEMU flagged none of the registers the driver used: nothing to triage.'
      : `The recording QEMU flagged ${plural(t.registers, 'register')} in ${plural(blocks, 'block')} `
        + `that the driver used (${plural(t.totalAccesses, 'access', 'accesses')} in the trace).`,
  ];
  t.groups.forEach((group, i) => lines.push('', ...groupLines(group, i + 1, c)));
  if (t.registers > 0) {
    lines.push('', c.dim(`Ranking: ${t.scoring.formula}; wc = ${t.scoring.weights.count}, we = ${t.scoring.weights.earliness}.`),
      c.dim('Verdicts are what the recording QEMU logged: unknown (no handler: read 0 / write dropped), '
        + 'partial ("not fully implemented"), read-only (write dropped), phy-unhandled (MDIC error).'));
  }
  return `${lines.join('\n')}\n`;
}

function groupLines(group: TriageGroup, position: number, c: ChalkInstance): string[] {
  const heading = `${position}. ${c.bold(group.title)} [${group.block}]  best score ${group.score.toFixed(1)}, `
    + `${plural(group.entries.length, 'register')}, ${plural(group.flagged, 'flagged access', 'flagged accesses')}`;
  const rows = [['rank', 'register', 'offset', 'QEMU verdict', 'accesses', 'first line', 'score', 'description']];
  for (const e of group.entries) rows.push(entryRow(e, c));
  return [heading, ...renderTable(rows, { align: ['right', 'left', 'left', 'left', 'right', 'right', 'right', 'left'] })];
}

function entryRow(e: TriageEntry, c: ChalkInstance): string[] {
  const verdicts = e.verdicts.map((v) => `${verdictText(v.verdict, c)} ${v.kind} ×${num(v.count)}`).join(', ');
  const offset = e.space === 'phy' ? `reg ${e.offset}` : hexPad(e.offset, 5);
  return [String(e.rank), e.label, offset, verdicts, num(e.accesses), num(e.firstLine), e.score.toFixed(1),
    clip(e.description ?? '(not in the register database)')];
}

function clip(text: string): string {
  return text.length > DESCRIPTION_WIDTH ? `${text.slice(0, DESCRIPTION_WIDTH - 1)}…` : text;
}

/** Text rendering of the triage with replay: same layout, plus what the replay found per register. */
export function renderReplayTriage(t: ReplayTriageResult, c: ChalkInstance): string {
  const r = t.replay;
  const lines = [
    `${c.bold('Triage with replay')}  ${t.source.file} (${t.source.dialectDescription})`,
    `Target   ${r.qemu}, -device ${r.device}${r.completed ? '' : c.red(' (replay stopped early: evidence is partial)')}`,
    t.registers === 0
      ? 'Neither the recording QEMU nor the replay flagged any register the driver used: nothing to implement.'
      : `What to implement next: ${plural(t.registers, 'register')} in ${plural(t.groups.length, 'block')} `
        + `(${plural(t.totalAccesses, 'access', 'accesses')} in the trace; replay: ${num(r.byClass.mismatch)} mismatches, `
        + `${num(r.byClass['unknown-in-target'])} unknown-in-target reads, ${plural(r.writeIgnored.length, 'register')} ignoring writes, `
        + `${r.events.compared ? plural(r.events.failing, 'failing device-event difference') : 'device events not compared'}).`,
  ];
  if (!r.events.compared) lines.push(c.dim(`Device events not compared: ${r.events.note ?? 'no reason given'}`));
  t.groups.forEach((group, i) => lines.push('', ...replayGroupLines(group, i + 1, c)));
  const triggers = r.cascades.triggers.filter((x) => x.consequences > 0);
  if (triggers.length > 0) {
    lines.push('', `Possible cascades (later first divergences in other registers, after a register the driver decides on): `
      + triggers.map((x) => `${x.register} (line ${num(x.line)}) → ${x.consequences}`).join(', '));
  }
  if (t.registers > 0) {
    const w = t.scoring.weights;
    lines.push('', c.dim(`Ranking: ${t.scoring.formula}; wr = ${w.recording}, wp = ${w.replay}, wc = ${w.count}, we = ${w.earliness}.`),
      c.dim('Recording = what the recording QEMU logged; replay = what the target QEMU did with the same accesses '
        + '(unknown = it logged an unknown register; write ignored = the driver read back its own write and got another value; '
        + '"events: …" = failing device-event differences after its accesses or about it (interrupts sent or not, cause bits); '
        + '"after X" = possibly a consequence of X\'s earlier divergence).'));
  }
  return `${lines.join('\n')}\n`;
}

function replayGroupLines(group: ReplayTriageGroup, position: number, c: ChalkInstance): string[] {
  const heading = `${position}. ${c.bold(group.title)} [${group.block}]  best score ${group.score.toFixed(1)}, `
    + `${plural(group.entries.length, 'register')}`;
  const rows = [['rank', 'register', 'recording QEMU', 'replay', 'accesses', 'first line', 'phase', 'score', 'description']];
  for (const item of collapseArrays(group.entries)) {
    if ('more' in item) {
      rows.push(['', `… ${item.base}: ${item.more} more`, '', '', '', '', '', '', `ranks ${item.ranks}, in --json`]);
      continue;
    }
    const e = item;
    const verdicts = e.verdicts.map((v) => `${verdictText(v.verdict, c)} ${v.kind} ×${num(v.count)}`).join(', ');
    rows.push([String(e.rank), e.label, verdicts === '' ? '-' : verdicts, replayText(e.replay), num(e.accesses),
      e.accesses === 0 ? '-' : num(e.firstLine), e.firstPhase ?? '-', e.score.toFixed(1), clip(e.description ?? '(not in the register database)')]);
  }
  return [heading, ...renderTable(rows, { align: ['right', 'left', 'left', 'left', 'right', 'right', 'left', 'right', 'left'] })];
}

function replayText(e: ReplayEvidence): string {
  const parts: string[] = [];
  if (e.unknownInTarget > 0) parts.push(`unknown ×${num(e.unknownInTarget)}`);
  if (e.writeIgnored > 0) parts.push(`write ignored ×${num(e.writeIgnored)}`);
  for (const [cls, n] of Object.entries(e.divergences)) {
    if (cls !== 'unknown-in-target') parts.push(`${cls} ×${num(n)}`);
  }
  const events = Object.entries(e.events).map(([cls, n]) => `${cls} ×${num(n)}`);
  if (events.length > 0) parts.push(`events: ${events.join(', ')}`);
  if (e.possibleConsequenceOf !== undefined) parts.push(`after ${e.possibleConsequenceOf.register}:${num(e.possibleConsequenceOf.line)}`);
  return parts.length === 0 ? '-' : parts.join(', ');
}

/** Arrays with many elements listed (UTA, VFTA, MTA, …) show this many, then one summary row. */
const ARRAY_ROWS = 3;

type Row = ReplayTriageEntry | { readonly base: string; readonly more: number; readonly ranks: string };

function collapseArrays(entries: readonly ReplayTriageEntry[]): Row[] {
  const bases = new Map<string, ReplayTriageEntry[]>();
  for (const e of entries) {
    const base = /^(.*)\(\d+\)$/.exec(e.label)?.[1];
    if (base !== undefined) bases.set(base, [...(bases.get(base) ?? []), e]);
  }
  const rows: Row[] = [];
  for (const e of entries) {
    const base = /^(.*)\(\d+\)$/.exec(e.label)?.[1];
    const list = base === undefined ? undefined : bases.get(base);
    if (base === undefined || list === undefined || list.length <= ARRAY_ROWS + 1) {
      rows.push(e);
      continue;
    }
    const position = list.indexOf(e);
    if (position < ARRAY_ROWS) rows.push(e);
    else if (position === ARRAY_ROWS) {
      const rest = list.slice(ARRAY_ROWS);
      rows.push({ base, more: rest.length, ranks: `${rest[0]!.rank}–${rest[rest.length - 1]!.rank}` });
    }
  }
  return rows;
}
