// The data-path part of a replay's text report: what was seeded and compared, what was skipped
// and why, what is not checked, and the frame differences.

import type { ChalkInstance } from 'chalk';
import { FRAME_CLASSES, type FrameDivergence, type FramesResult } from '../model/frames.js';
import { num, plural } from './format.js';

/** Frame differences listed in the text report; --json has all of them. */
const SHOWN = 10;

export function frameLines(frames: FramesResult, c: ChalkInstance, fails: (d: FrameDivergence) => boolean): string[] {
  const notChecked = frames.notChecked.map((n) => c.yellow(`  not checked: ${n}`));
  if (frames.status === 'not-replayed') return notChecked;
  const t = frames.tx;
  const lines = [
    `  TX: ${plural(t.handoffs, 'tail write')} handed over ${plural(t.descriptorsSeeded, 'descriptor')} (seeded) and ${plural(t.packetsSeeded, 'packet')} (buffers from the capture); `
      + `${num(t.framesExpected)} frames recorded, ${num(t.framesEmitted)} sent by the target, ${num(t.framesCompared)} compared, ${num(t.framesMatched)} identical`,
    `  ${FRAME_CLASSES.map((cls) => `${cls} ${num(frames.byClass[cls])}`).join(', ')}`,
  ];
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
