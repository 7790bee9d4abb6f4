// Text rendering of a replay report, one section per trace: what was replayed against which QEMU,
// the reads by class, the first divergence in full (fields decoded), the registers with most
// divergences, what the target QEMU said it does not implement, and the trace's share of the
// baseline comparison.

import type { ChalkInstance } from 'chalk';
import { READ_CLASSES, isFailing, type Divergence, type ReadClass, type ReplayResult } from '../model/replay.js';
import { acceptedCount, eventFailsRun, failingDivergences, failingEvents, failingFrames, failsRun, frameFailsRun, type BaselineSummary, type ReplayReport } from '../model/replay-report.js';
import { countLines } from './counts-text.js';
import { eventLines } from './events-text.js';
import { frameLines } from './frames-text.js';
import { hex, num, plural } from './format.js';
import { renderTable } from './table.js';

const TOP_REGISTERS = 10;
const TOP_UNKNOWN = 15;
const MAX_PHASE_ROWS = 20;

/** What a trace's section needs of its report besides the result. */
interface ReportContext {
  /** Volatile registers count as failures (--strict). */
  readonly strict: boolean;
  readonly baseline?: BaselineSummary;
}

export function renderReplayReport(report: ReplayReport, c: ChalkInstance): string {
  const context: ReportContext = { strict: report.options.strict, ...(report.baseline === undefined ? {} : { baseline: report.baseline }) };
  return report.results.map((r) => renderReplay(r, c, context)).join('\n');
}

function renderReplay(r: ReplayResult, c: ChalkInstance, options: ReportContext): string {
  const counts = countLines(r.counts);
  const lines = [
    `${c.bold('Replay')}  ${r.trace}`,
    `Target   ${r.target.binary} (${r.target.version}), -device ${r.target.device}${r.target.placement === undefined ? '' : ` ${r.target.placement}`}, time: ${timeText(r)}`,
    ...(r.target.keptTempDir === undefined ? [] : [`Kept     ${r.target.keptTempDir} (--keep-temp: QEMU's trace log qemu.log and its sockets)`]),
    `Trace    ${counts.trace}`,
    `Sent     ${counts.sent}, in ${num(r.durationMs)} ms; ${plural(r.counts.timeAdvances, 'time advance')}`
      + `${r.counts.linkChanges > 0 ? `, ${plural(r.counts.linkChanges, 'host link change')}` : ''}`,
    `Compared ${counts.compared}`,
    // Limits of the recording come first: they decide how to read everything below.
    ...r.notices.map((notice) => c.yellow(`Notice   ${notice}`)),
  ];
  if (!r.completed && r.stopped !== undefined) {
    lines.push(c.red(`Stopped early at trace line ${num(r.stopped.line)} (access #${r.stopped.seq}): ${r.stopped.reason}`));
  }
  lines.push('', c.bold('Reads by class'), ...classLines(r, c, options));
  lines.push('', c.bold('Device events (interrupts, EIxx, mailbox, link) against the recording'),
    ...eventLines(r.events, c, { strict: options.strict, fails: (d) => eventFailsRun(d, options) }));
  if (r.frames !== undefined) lines.push('', c.bold('Data path (frames sent for the recorded descriptors, frames received injected) against the capture'), ...frameLines(r.frames, c, frameFailsRun));
  if (r.phases.length > 0) lines.push('', c.bold('By phase of the recording'), ...phaseLines(r, c, options));
  const first = failingDivergences(r, options)[0];
  lines.push('', first === undefined ? c.green('No unexplained divergence.') : `${c.bold('First divergence')}\n${divergenceLines(first, c).join('\n')}`);
  if (r.divergences.length > 0) lines.push('', c.bold('Registers with most divergences'), ...topRegisters(r.divergences, c, options));
  if (r.unknownInTarget.length > 0) lines.push('', ...unknownLines(r, c));
  if (options.baseline !== undefined) lines.push('', ...baselineLines(r, c, options.baseline));
  lines.push('', verdictLine(r, c, options));
  return `${lines.join('\n')}\n`;
}

/** This trace's share of the baseline comparison (keys start with the trace's basename). */
function baselineLines(r: ReplayResult, c: ChalkInstance, baseline: BaselineSummary): string[] {
  const name = r.trace.split('/').pop() ?? r.trace;
  const mine = (keys: readonly string[]): string[] => keys.filter((k) => k.startsWith(`${name}|`));
  const fresh = mine(baseline.new);
  const fixed = mine(baseline.fixed);
  const lines = [`${c.bold('Baseline')} ${baseline.file}: ${plural(acceptedCount(r), 'divergence')} accepted (baseline), `
    + `${num(fresh.length)} new, ${num(fixed.length)} fixed since the baseline`];
  for (const key of fresh) lines.push(`  ${c.red('new')}    ${key}`);
  for (const key of fixed) lines.push(`  ${c.green('fixed')}  ${key}`);
  return lines;
}

function timeText(r: ReplayResult): string {
  const modes = {
    frozen: 'frozen (virtual clock stopped; timers never fire)',
    markers: 'markers (clock frozen; let run where the recording shows a timer firing)',
    'clock-step': 'clock-step (qtest accelerator)',
  };
  return modes[r.target.timeMode];
}

function classLines(r: ReplayResult, c: ChalkInstance, options: ReportContext): string[] {
  const explain: Record<ReadClass, string> = {
    match: 'same value as recorded',
    mismatch: 'different value, unexplained',
    volatile: `different, in registers that move on their own${options.strict ? ' (counted: --strict)' : ' (not counted; --strict counts them)'}`,
    'unknown-in-target': 'the target QEMU has no such register (read 0), the recording read a value; per register below',
    'poll-satisfied': 'polling loop reached its recorded outcome after a different number of reads',
    'poll-never-satisfied': 'polling loop never reached its recorded outcome',
    'explained-by-traffic': `ICR/EICR bits or counters set by packets the recording moved (not replayed or not rebuilt, or their interrupt timing)${options.strict ? ' (counted: --strict)' : '; --strict counts them'}`,
    'set-up': `config bits the replay's own PCI set-up decides (decoding, bus master)${options.strict ? ' (counted: --strict)' : '; --strict counts them'}`,
  };
  const rows = READ_CLASSES.map((cls) => {
    const count = r.byClass[cls];
    const label = count > 0 && isFailing(cls, options) ? c.red(cls) : cls;
    return [label, num(count), c.dim(explain[cls])];
  });
  return renderTable(rows, { align: ['left', 'right', 'left'] });
}

/**
 * Registers the target logged as unknown, with how many of their reads diverged for it: that column
 * sums to the class table's unknown-in-target (a read the recording's QEMU did not know either
 * read 0 in both, so it matched).
 */
function unknownLines(r: ReplayResult, c: ChalkInstance): string[] {
  const accesses = r.unknownInTarget.reduce((n, u) => n + u.count, 0);
  const diverging = r.byClass['unknown-in-target'];
  const lines = [
    c.bold(`Unknown to the target QEMU: ${plural(r.unknownInTarget.length, 'register')}, ${plural(accesses, 'access', 'accesses')} it logged as unknown`),
    c.dim(`  ${plural(diverging, 'read')} of them diverged as unknown-in-target (the recording read a value, the target 0); `
      + 'the other accesses are writes, and reads the recording\'s QEMU did not know either (0 in both)'),
  ];
  // Registers whose reads diverged first: they are what the class table counts.
  const sorted = [...r.unknownInTarget].sort((a, b) => b.diverging - a.diverging || b.count - a.count || a.firstLine - b.firstLine);
  const rows = [['register', 'accesses', 'unknown-in-target reads', 'first line'], ...sorted.slice(0, TOP_UNKNOWN)
    .map((u) => [u.register, num(u.count), u.diverging > 0 ? c.red(num(u.diverging)) : '0', num(u.firstLine)])];
  lines.push(...renderTable(rows, { align: ['left', 'right', 'right', 'right'] }));
  if (r.unknownInTarget.length > TOP_UNKNOWN) lines.push(c.dim(`  … ${num(r.unknownInTarget.length - TOP_UNKNOWN)} more registers, all in --json`));
  return lines;
}

/**
 * One row per phase: where in the trace, how many reads, what diverged and what first. A long
 * recording has hundreds of phases: at most MAX_PHASE_ROWS are shown, every phase with a failing
 * divergence first, then the earliest others, in trace order.
 */
function phaseLines(r: ReplayResult, c: ChalkInstance, options: ReportContext): string[] {
  const failing = new Map<string, Divergence[]>();
  const volatile = new Map<string, number>();
  for (const d of r.divergences) {
    if (d.phase === undefined) continue;
    if (!failsRun(d, options)) volatile.set(d.phase, (volatile.get(d.phase) ?? 0) + 1);
    else if (failing.has(d.phase)) failing.get(d.phase)!.push(d);
    else failing.set(d.phase, [d]);
  }
  const shown = shownPhases(r.phases, (p) => failing.has(p.label));
  const rows = [['phase', 'lines', 'reads', 'failing', 'not counted', 'first failing divergence', 'started by'], ...shown.map((p) => {
    const mine = failing.get(p.label) ?? [];
    const first = mine[0];
    return [
      p.label, `${num(p.firstLine)}–${num(p.lastLine)}`, num(p.reads),
      mine.length > 0 ? c.red(num(mine.length)) : '0', num(volatile.get(p.label) ?? 0),
      first === undefined ? '' : `${first.register} line ${num(first.line)}`, c.dim(p.cause),
    ];
  })];
  const out = renderTable(rows, { align: ['left', 'right', 'right', 'right', 'right', 'left', 'left'] });
  if (shown.length < r.phases.length) {
    // More failing phases than rows: say so, since the rows promise every failing one otherwise.
    const hiddenFailing = r.phases.filter((p) => failing.has(p.label)).length - shown.filter((p) => failing.has(p.label)).length;
    const which = hiddenFailing > 0 ? ` (${num(hiddenFailing)} with failing divergences)` : '';
    out.push(c.dim(`  … ${num(r.phases.length - shown.length)} more phases${which}, all in --json`));
  }
  return out;
}

/** The phases the table shows: the failing ones (at most MAX_PHASE_ROWS), then the earliest others, in trace order. */
function shownPhases<P>(phases: readonly P[], isFailing: (p: P) => boolean): P[] {
  if (phases.length <= MAX_PHASE_ROWS) return [...phases];
  const keep = new Set(phases.filter(isFailing).slice(0, MAX_PHASE_ROWS));
  for (const p of phases) {
    if (keep.size >= MAX_PHASE_ROWS) break;
    keep.add(p);
  }
  return phases.filter((p) => keep.has(p));
}

function divergenceLines(d: Divergence, c: ChalkInstance): string[] {
  const lines = [
    `  line ${num(d.line)}${d.phase === undefined ? '' : ` (${d.phase})`}  ${c.bold(d.register)} (${hex(d.offset)}, ${d.block})  ${d.class}`,
    `  expected ${hex(d.expected)}, got ${hex(d.actual)}: ${d.reason}`,
  ];
  for (const f of d.fields) lines.push(`    ${d.register}.${f.field}: expected ${f.expected}, got ${f.actual}`);
  return lines;
}

function topRegisters(divergences: readonly Divergence[], c: ChalkInstance, options: ReportContext): string[] {
  const byRegister = new Map<string, { count: number; cls: ReadClass; firstLine: number; reason: string }>();
  for (const d of divergences) {
    const entry = byRegister.get(d.register);
    if (entry === undefined) byRegister.set(d.register, { count: 1, cls: d.class, firstLine: d.line, reason: d.reason });
    else entry.count++;
  }
  const sorted = [...byRegister].sort((a, b) => b[1].count - a[1].count || a[1].firstLine - b[1].firstLine);
  const rows = [['register', 'reads', 'class', 'first line', 'why'], ...sorted.slice(0, TOP_REGISTERS).map(([name, e]) => [
    name, num(e.count), isFailing(e.cls, options) ? c.red(e.cls) : e.cls, num(e.firstLine), c.dim(e.reason),
  ])];
  const out = renderTable(rows, { align: ['left', 'right', 'left', 'right', 'left'] });
  if (sorted.length > TOP_REGISTERS) out.push(c.dim(`  … ${num(sorted.length - TOP_REGISTERS)} more registers in --json`));
  return out;
}

function verdictLine(r: ReplayResult, c: ChalkInstance, options: ReportContext): string {
  const failing = failingDivergences(r, options).length + failingEvents(r, options).length + failingFrames(r).length;
  if (!r.completed) return c.red('Result: INCOMPLETE (the replay stopped early; the counts above cover what was replayed)');
  const accepted = options.baseline === undefined ? '' : `; ${num(acceptedCount(r))} accepted (baseline)`;
  return failing === 0
    ? c.green(`Result: PASS (no unexplained divergence${accepted})`)
    : c.red(`Result: FAIL (${plural(failing, options.baseline === undefined ? 'divergence' : 'new divergence')}${accepted})`);
}
