// Trace minimisation: the shortest part of a recording that still makes the target QEMU produce a
// chosen divergence, for a bug report or a regression test a human can read. The trace is cut
// after the divergent read (nothing later can matter), then ddmin removes accesses before it —
// each candidate replayed against a fresh QEMU — while the divergence still reproduces: the same
// register, class and differing fields, anywhere in the candidate.
//
// A candidate is the original text with whole accesses removed: an access's own line, the lines
// of its side events and of the PHY accesses it caused. Every other line (timer events, header)
// stays, so candidates are traces in the recording's own dialect: each is parsed from memory with
// the same parser, prepared with the device of the full replay pinned, and run against a fresh
// target (src/replay/run.ts), with nothing written to disk until the result.

import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../errors.js';
import type { Access, TraceRecord } from '../model/access.js';
import type { Trace } from '../model/trace.js';
import { isFailing, type Divergence, type ReplayResult, type TimeModeChoice } from '../model/replay.js';
import { isGzip } from '../formats/input-stream.js';
import { loadTrace } from '../trace/load.js';
import { prepareReplay, targetDevice } from '../replay/prepare.js';
import { runReplay, type TargetFactory } from '../replay/run.js';
import { ddmin } from './ddmin.js';

export interface MinimiseOptions {
  readonly qemu?: string;
  /** The user's --device; undefined: the recording's (sidecar), else igb. */
  readonly device?: string;
  readonly time: TimeModeChoice;
  /** Which divergence: the one at this trace line, else the first failing one of `register`, else the first failing one. */
  readonly line?: number;
  readonly register?: string;
  readonly maxReplays: number;
  readonly onWarning?: (message: string) => void;
  readonly onProgress?: (replays: number, accesses: number) => void;
  /** Where candidates run; default a fresh QEMU each. */
  readonly targets?: TargetFactory;
}

/** What identifies "the same divergence" in a candidate: its line and value may change. */
export interface DivergenceSignature {
  readonly register: string;
  readonly class: Divergence['class'];
  readonly fields: readonly string[];
}

export interface MinimiseResult {
  readonly trace: string;
  readonly device: string;
  readonly target: Divergence;
  readonly signature: DivergenceSignature;
  /** Accesses of the original trace, and how many the minimal trace keeps (the divergent read included). */
  readonly accesses: number;
  readonly kept: number;
  /** The minimal trace's text. */
  readonly text: string;
  /** Original line numbers of the kept accesses, in order. */
  readonly keptLines: readonly number[];
  readonly replays: number;
  /** False when the replay budget ran out first: smaller may exist. */
  readonly minimal: boolean;
}

/** Nothing to minimise (no divergence, or not the one asked for): a usage error (exit 2). */
export class MinimiseError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'MinimiseError';
  }
}

export function signatureOf(d: Divergence): DivergenceSignature {
  return { register: d.register, class: d.class, fields: d.fields.map((f) => f.field).sort() };
}

export function reproduces(result: ReplayResult, signature: DivergenceSignature): boolean {
  return result.divergences.some((d) => d.register === signature.register && d.class === signature.class
    && d.fields.map((f) => f.field).sort().join(',') === signature.fields.join(','));
}

/** The divergence to reproduce, as the user chose it. */
export function chooseDivergence(result: ReplayResult, options: Pick<MinimiseOptions, 'line' | 'register'>): Divergence {
  const failing = result.divergences.filter((d) => isFailing(d.class, { strict: false }));
  if (options.line !== undefined) {
    const atLine = result.divergences.find((d) => d.line === options.line);
    if (atLine === undefined) {
      const near = failing.slice(0, 5).map((d) => `${d.line} (${d.register})`).join(', ');
      throw new MinimiseError(`no divergence at trace line ${options.line}`, near === '' ? 'the replay has no failing divergence' : `failing divergences are at lines ${near}, …`);
    }
    return atLine;
  }
  if (options.register !== undefined) {
    const wanted = options.register.toUpperCase();
    const ofRegister = failing.find((d) => d.register.toUpperCase() === wanted);
    if (ofRegister === undefined) throw new MinimiseError(`no failing divergence of ${options.register}`, `registers with one: ${[...new Set(failing.map((d) => d.register))].slice(0, 10).join(', ')}`);
    return ofRegister;
  }
  const first = failing[0];
  if (first === undefined) throw new MinimiseError('the replay has no failing divergence to reproduce', 'give --device for a target that diverges, or --line for a volatile one');
  return first;
}

/** Each access before the target as one removable unit: the lines that go with it. */
export function removableUnits(records: readonly TraceRecord[], targetSeq: number): number[][] {
  const units = new Map<number, number[]>();
  for (const record of records) {
    if (record.type !== 'access' || record.seq >= targetSeq) continue;
    const owner = record.cause ?? record.seq;
    const lines = units.get(owner) ?? [];
    lines.push(record.line, ...record.events.map((e) => e.line));
    units.set(owner, lines);
  }
  return [...units.values()];
}

export async function readTraceLines(path: string): Promise<string[]> {
  const raw = await readFile(path);
  // latin1 keeps every byte as it was, whatever the trace's encoding.
  return (isGzip(raw) ? gunzipSync(raw) : raw).toString('latin1').split('\n');
}

/** The trace text up to `lastLine`, without the given lines. */
export function candidateText(lines: readonly string[], lastLine: number, removed: ReadonlySet<number>): string {
  const kept: string[] = [];
  for (let n = 1; n <= lastLine && n <= lines.length; n++) if (!removed.has(n)) kept.push(lines[n - 1]!);
  return `${kept.join('\n')}\n`;
}

export async function minimiseTrace(path: string, options: MinimiseOptions): Promise<MinimiseResult> {
  const warn = options.onWarning ?? (() => undefined);
  const trace = await loadTrace(path, { onWarning: warn });
  const records = trace.records ?? [];
  // Candidates lose the sidecar and maybe the MAC events: pin the device the full replay used.
  const device = targetDevice(trace, options.device);
  const pinned = `${device.text}${/(^|,)mac=/.test(device.text) ? '' : `,mac=${device.mac}`}`;
  const replay = (candidate: Trace): Promise<ReplayResult> => runReplay(
    prepareReplay(candidate, { qemu: options.qemu, device: pinned, time: options.time, strict: false }), options.targets);
  const full = await replay(trace);
  if (!full.completed) throw new MinimiseError(`the replay of ${path} stopped early: ${full.stopped?.reason ?? 'unknown reason'}`);
  const target = chooseDivergence(full, options);
  const signature = signatureOf(target);
  const accesses = records.filter((r): r is Access => r.type === 'access');
  const lines = await readTraceLines(path);
  const units = removableUnits(records, target.seq);
  let replays = 1;
  const all = new Set(units.flat());
  const test = async (candidate: readonly number[][]): Promise<boolean> => {
    const keep = new Set(candidate.flat());
    const removed = new Set([...all].filter((line) => !keep.has(line)));
    const text = Buffer.from(candidateText(lines, target.line, removed), 'latin1');
    replays++;
    const result = await replay(await loadTrace('-', { stdin: Readable.from([text]) }));
    return result.completed && reproduces(result, signature);
  };
  // The cut after the divergent read must reproduce by itself, or nothing smaller will.
  if (!(await test(units))) {
    throw new MinimiseError(`the divergence at line ${target.line} (${target.register}) does not reproduce when the trace ends there`,
      'it depends on what the driver did later (e.g. a timer); minimise another divergence');
  }
  const result = await ddmin(units, test, {
    maxTests: Math.max(0, options.maxReplays - replays),
    onTest: (_, size) => options.onProgress?.(replays, size + 1),
  });
  const keep = new Set(result.kept.flat());
  const removed = new Set([...all].filter((line) => !keep.has(line)));
  const keptLines = accesses.filter((a) => a.seq <= target.seq && a.cause === undefined && !removed.has(a.line)).map((a) => a.line);
  return {
    trace: path, device: pinned, target, signature, accesses: accesses.length, kept: keptLines.length,
    text: candidateText(lines, target.line, removed), keptLines, replays, minimal: result.minimal,
  };
}
