// The data-path part of a replay's text report: what was seeded and compared, what was skipped
// and why, what is not checked, and the frame differences.

import type { ChalkInstance } from 'chalk';
import { FRAME_CLASSES, type FrameDivergence, type FramesResult } from '../model/frames.js';
import { num, plural } from './format.js';

/** Frame differences listed in the text report; --json has all of them. */
const SHOWN = 10;

/**
 * The receive side in one sentence (text, HTML and JUnit alike); undefined for a result from
 * before received frames were injected (an old JSON report).
 */
export function rxSummary(frames: FramesResult): string | undefined {
  if (!('rx' in frames)) return undefined;
  const r = frames.rx;
  const buffers = 'buffersCompared' in r ? `, ${num(r.buffersCompared)} read back from guest memory, ${num(r.buffersMatched)} identical` : '';
  const writebacks = 'descriptorsReadBack' in r
    ? `; ${plural(r.descriptorsReadBack, 'receive descriptor')} written back read and compared field by field, ${num(r.descriptorsMatched)} as recorded` : '';
  const switched = (r.framesSwitched ?? 0) === 0 ? ''
    : ` (${num(r.framesSwitched ?? 0)} of them switched by the device between its own pools: made by the target's device from the replayed transmits)`;
  return `RX: ${num(r.framesRecorded)} frames received in the recording${switched}, ${num(r.framesInjected)} injected where it received them `
    + `(${plural(r.descriptorsSeeded, 'receive descriptor')} seeded), ${num(r.framesTaken)} taken by the target's device${buffers}${writebacks}; `
    + 'what it did with them is compared with the device events';
}

/** Received frames not injected, one sentence per reason. */
export function rxNotInjectedLines(frames: FramesResult): string[] {
  return ('rxNotInjected' in frames ? frames.rxNotInjected : []).map((n) => `${plural(n.frames, 'received frame')} not injected (first at line ${num(n.firstLine)}): ${n.reason}`);
}

export function frameLines(frames: FramesResult, c: ChalkInstance, fails: (d: FrameDivergence) => boolean): string[] {
  const notChecked = frames.notChecked.map((n) => c.yellow(`  not checked: ${n}`));
  if (frames.status === 'not-replayed') return notChecked;
  const t = frames.tx;
  const lines = [
    `  TX: ${plural(t.handoffs, 'tail write')} handed over ${plural(t.descriptorsSeeded, 'descriptor')} (seeded) and ${plural(t.packetsSeeded, 'packet')} (buffers from the capture); `
      + `${num(t.framesExpected)} frames recorded, ${num(t.framesEmitted)} sent by the target, ${num(t.framesCompared)} compared, ${num(t.framesMatched)} identical`
      + ('descriptorsReadBack' in t ? `; ${plural(t.descriptorsReadBack, 'descriptor')} with a status report asked (RS) read back after the tail write, ${num(t.descriptorsMatched)} with DD` : ''),
    `  ${FRAME_CLASSES.map((cls) => `${cls} ${num(frames.byClass[cls] ?? 0)}`).join(', ')}`,
  ];
  const rx = rxSummary(frames);
  if (rx !== undefined) lines.splice(1, 0, `  ${rx}`);
  for (const n of rxNotInjectedLines(frames)) lines.push(c.yellow(`  ${n}`));
  for (const s of frames.skipped) lines.push(c.yellow(`  skipped: ${plural(s.packets, 'packet')} (${plural(s.frames, 'frame')}, first at line ${num(s.firstLine)}): ${s.reason}`));
  lines.push(...notChecked);
  const failing = frames.divergences.filter(fails);
  for (const d of failing.slice(0, SHOWN)) {
    const frame = d.captureIndex === undefined ? '' : ` frame #${d.captureIndex}`;
    lines.push(c.red(`  ${d.class} at line ${num(d.line)} (${d.register}${frame}): ${d.summary}`));
  }
  if (failing.length > SHOWN) lines.push(c.dim(`  … ${num(failing.length - SHOWN)} more in --json`));
  return lines;
}
