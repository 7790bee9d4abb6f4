// Trace minimisation: the shortest part of a recording that still makes the target QEMU produce a
// chosen divergence — a read's, or a device-event difference such as an interrupt the target did not
// send — for a bug report or a regression test a human can read. The trace is cut after the
// divergence (nothing later can matter), then ddmin removes accesses before it — each candidate
// replayed against a fresh QEMU — while the divergence still reproduces: the same signature
// (choose-target.ts), anywhere in the candidate.
//
// A candidate is the original text with whole accesses removed: an access's own line, the lines
// of its side events and of the PHY accesses it caused. Every other line (timer events, header)
// stays, so candidates are traces in the recording's own dialect: each is parsed from memory with
// the same parser, prepared with the device of the full replay pinned, and run against a fresh
// target (src/replay/run.ts), with nothing written to disk until the result.

import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import type { Access, TraceRecord } from '../model/access.js';
import type { Trace } from '../model/trace.js';
import type { ReplayResult, TimeModeChoice } from '../model/replay.js';
import { isGzip } from '../formats/input-stream.js';
import { loadTrace } from '../trace/load.js';
import { prepareReplay, targetDevice } from '../replay/prepare.js';
import { runReplay, type TargetFactory } from '../replay/run.js';
import { ddmin } from './ddmin.js';
import { chooseTarget, cutLine, firstKeptSeq, MinimiseError, reproduces, signatureOf, type DivergenceSignature, type MinimiseTarget,
  type TargetChoice } from './choose-target.js';

export { MinimiseError, type DivergenceSignature, type MinimiseTarget } from './choose-target.js';

export interface MinimiseOptions extends TargetChoice {
  readonly qemu?: string;
  /** The user's --device; undefined: the recording's (sidecar), else igb. */
  readonly device?: string;
  readonly time: TimeModeChoice;
  readonly maxReplays: number;
  readonly onWarning?: (message: string) => void;
  readonly onProgress?: (replays: number, accesses: number) => void;
  /** Where candidates run; default a fresh QEMU each. */
  readonly targets?: TargetFactory;
}

export interface MinimiseResult {
  readonly trace: string;
  readonly device: string;
  readonly target: MinimiseTarget;
  readonly signature: DivergenceSignature;
  /** Accesses of the original trace, and how many the minimal trace keeps (the access the divergence shows at included). */
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
  // Candidates lose the sidecar and maybe the MAC events: pin the device the full replay used, and
  // where it sat (an SR-IOV recording's root port).
  const device = targetDevice(trace, options.device);
  const pinned = `${device.text}${/(^|,)mac=/.test(device.text) ? '' : `,mac=${device.mac}`}`;
  const placed = (candidate: Trace): Trace => ({ ...candidate, device: { ...candidate.device, placement: trace.device.placement } });
  const replay = (candidate: Trace): Promise<ReplayResult> => runReplay(
    prepareReplay(placed(candidate), { qemu: options.qemu, device: pinned, time: options.time, strict: false }), options.targets);
  const full = await replay(trace);
  if (!full.completed) throw new MinimiseError(`the replay of ${path} stopped early: ${full.stopped?.reason ?? 'unknown reason'}`);
  const target = chooseTarget(full, options);
  const signature = signatureOf(target);
  const accesses = records.filter((r): r is Access => r.type === 'access');
  const lines = await readTraceLines(path);
  const lastLine = Math.min(cutLine(target, records), lines.length);
  const keptFrom = firstKeptSeq(target);
  const units = removableUnits(records, keptFrom);
  let replays = 1;
  const all = new Set(units.flat());
  const test = async (candidate: readonly number[][]): Promise<boolean> => {
    const keep = new Set(candidate.flat());
    const removed = new Set([...all].filter((line) => !keep.has(line)));
    const text = Buffer.from(candidateText(lines, lastLine, removed), 'latin1');
    replays++;
    const result = await replay(await loadTrace('-', { stdin: Readable.from([text]) }));
    return result.completed && reproduces(result, signature);
  };
  // The cut after the divergence must reproduce by itself, or nothing smaller will.
  if (!(await test(units))) {
    const what = target.kind === 'read' ? target.divergence.register : target.divergence.subject;
    throw new MinimiseError(`the divergence at line ${target.divergence.line} (${what}) does not reproduce when the trace ends at line ${lastLine}`,
      'it depends on what the driver did later (e.g. a timer); minimise another divergence');
  }
  const result = await ddmin(units, test, {
    maxTests: Math.max(0, options.maxReplays - replays),
    onTest: (_, size) => options.onProgress?.(replays, size + 1),
  });
  const keep = new Set(result.kept.flat());
  const removed = new Set([...all].filter((line) => !keep.has(line)));
  const keptLines = accesses.filter((a) => a.line <= lastLine && a.cause === undefined && !removed.has(a.line)).map((a) => a.line);
  return {
    trace: path, device: pinned, target, signature, accesses: accesses.length, kept: keptLines.length,
    text: candidateText(lines, lastLine, removed), keptLines, replays, minimal: result.minimal,
  };
}
