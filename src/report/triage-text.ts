// Text rendering of the offline triage (TriageResult): one table per functional block, blocks in
// rank order, and a footer that states the scoring formula so the ranking can be checked by hand.

import type { ChalkInstance } from 'chalk';
import type { TriageEntry, TriageGroup, TriageResult } from '../analysis/offline-triage.js';
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
