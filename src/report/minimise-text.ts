// Text rendering of a minimisation: which divergence (a read's or a device event's), how much of the trace it needs, where the
// minimal trace went and how to replay it, and the original lines it kept.

import type { ChalkInstance } from 'chalk';
import type { MinimiseResult, MinimiseTarget } from '../minimise/minimise-trace.js';
import { eventLine } from './event-description.js';
import { num, plural } from './format.js';

/** Kept lines listed; the rest are in the minimal trace itself. */
const LISTED = 40;

/** What `minimise` reports: the result, where the minimal trace was written, and how long it took. */
export interface MinimiseReport {
  readonly result: MinimiseResult;
  readonly output: string;
  readonly durationMs: number;
}

export function renderMinimise(report: MinimiseReport, c: ChalkInstance): string {
  const { result, output } = report;
  const more = result.keptLines.length > LISTED;
  const lines = [
    `${c.bold('Minimised')}  ${result.trace} → ${output}`,
    `Divergence  ${targetText(result.target)}`,
    `Kept        ${num(result.kept)} of ${plural(result.accesses, 'access', 'accesses')}${placeNote(result.target)}, `
      + `after ${plural(result.replays, 'replay')} in ${(report.durationMs / 1000).toFixed(1)} s; `
      + (result.minimal ? 'removing any one of them loses the divergence' : c.yellow('replay budget spent: a smaller trace may exist (--max-replays)')),
    `Replay it   igb-replay replay ${output} --device ${result.device}`,
    '',
    `Kept accesses (lines of ${result.trace})${more ? `, first ${LISTED}` : ''}:`,
    `  ${result.keptLines.slice(0, LISTED).map((n) => num(n)).join(', ')}${more ? ', …' : ''}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** `line 144: MDIC mismatch (MDIC.DATA: expected 2, got 3)`; `device event MSI-X vector 1: interrupt-missing after the EICS write …`. */
function targetText(target: MinimiseTarget): string {
  if (target.kind === 'event') return `device event ${target.divergence.subject}: ${eventLine(target.divergence)}`;
  const t = target.divergence;
  const fields = t.fields.length === 0 ? '' : ` (${t.fields.map((f) => `${t.register}.${f.field}: expected ${f.expected}, got ${f.actual}`).join('; ')})`;
  return `line ${num(t.line)}: ${t.register} ${t.class}${fields}`;
}

function placeNote(target: MinimiseTarget): string {
  if (target.kind === 'read') return ' (the divergent read included)';
  return target.divergence.place.kind === 'access' ? ' (the access the difference shows at included)' : '';
}
