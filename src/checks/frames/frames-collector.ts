// The data-path check, fed window by window from runReplay: the frames the target sends are
// matched, in order, with the frames the recording's device sent for the packets each tail write
// handed over. In order, not per tail write: QEMU holds a stopped machine's frames back until it
// runs (a time advance, or the end of the replay), so frames come out later than their tail
// write, in the same order. Only frames not yet matched are kept (memory stays bounded by what
// QEMU holds back); counters, skip tallies and divergences stay.

import { compareFrames, describeFrameDifference, sameFrame } from '../../frames/compare.js';
import { STATUS_BYTES, STATUS_DD, type TxSeed } from '../../datapath/tx-path.js';
import type { RxFieldDifference, RxWriteback } from '../../datapath/rx-writeback.js';
import {
  FRAME_CLASSES, MAX_FRAME_DIVERGENCES, type FrameClass, type FrameDivergence, type FramesResult, type RxFrameCounts, type RxNotInjected,
  type SkippedPackets,
} from '../../model/frames.js';

interface Pending {
  readonly data?: Uint8Array;
  readonly captureIndex: number;
  readonly packetLine: number;
  readonly seq: number;
  readonly line: number;
  readonly register: string;
  /** Position among the frames of its tail write. */
  readonly position: number;
}

interface MutableCounts {
  handoffs: number;
  descriptorsSeeded: number;
  packetsSeeded: number;
  framesExpected: number;
  framesEmitted: number;
  framesCompared: number;
  framesMatched: number;
  descriptorsReadBack: number;
  descriptorsMatched: number;
}

export class FramesCollector {
  private readonly counts: MutableCounts = {
    handoffs: 0, descriptorsSeeded: 0, packetsSeeded: 0, framesExpected: 0, framesEmitted: 0, framesCompared: 0, framesMatched: 0,
    descriptorsReadBack: 0, descriptorsMatched: 0,
  };
  private readonly byClass = Object.fromEntries(FRAME_CLASSES.map((c) => [c, 0])) as Record<FrameClass, number>;
  private readonly divergences: FrameDivergence[] = [];
  private readonly skipped = new Map<string, { packets: number; frames: number; firstLine: number }>();
  private pending: Pending[] = [];
  private last: { seq: number; line: number; register: string } = { seq: -1, line: 0, register: 'before any tail write' };

  /** Tail writes that were sent: their recorded frames are now due from the target. */
  expect(seeds: Iterable<TxSeed>): void {
    for (const seed of seeds) {
      const { access, register } = seed.handoff;
      this.counts.handoffs++;
      this.counts.descriptorsSeeded += seed.handoff.descriptors.length;
      this.counts.packetsSeeded += seed.handoff.packets.length - seed.skipped.length;
      for (const skip of seed.skipped) this.skip(skip.reason, skip.frames, skip.line);
      seed.expected.forEach((frame, position) => {
        if (frame.data !== undefined) this.counts.framesExpected++;
        this.pending.push({
          ...(frame.data === undefined ? {} : { data: frame.data }), captureIndex: frame.pcapIndex, packetLine: frame.packetLine,
          seq: access.seq, line: access.line, register, position,
        });
      });
      this.last = { seq: access.seq, line: access.line, register };
    }
  }

  /** Frames the target sent, in the order it sent them. */
  emitted(frames: readonly Uint8Array[]): void {
    this.counts.framesEmitted += frames.length;
    let next = 0;
    for (const frame of frames) {
      let expected = this.pending[next];
      // A frame the target left out shows as the next recorded one arriving instead: resync on it.
      const following = this.pending[next + 1];
      if (expected?.data !== undefined && following?.data !== undefined && !sameFrame(expected.data, frame) && sameFrame(following.data, frame)) {
        this.missing(expected);
        next++;
        expected = following;
      }
      if (expected === undefined) {
        this.add({
          class: 'frame-extra', direction: 'tx', seq: this.last.seq, line: this.last.line, register: this.last.register, position: 0,
          actualLength: frame.length, fields: [], summary: `the target sent a ${frame.length}-byte frame the recording's device did not`,
        });
        continue;
      }
      next++;
      if (expected.data !== undefined) this.compare(expected, expected.data, frame);
    }
    this.pending = this.pending.slice(next);
  }

  /**
   * What the target's device wrote into guest memory for a received frame, against the frame as it
   * should be delivered (`expected`), over the bytes both have (an FCS the device may append after
   * the frame is not compared; lengths are compared by the receive events). Returns whether alike.
   */
  delivered(frame: { readonly line: number; readonly captureIndex: number; readonly expected: Uint8Array }, seq: number, written: Uint8Array): boolean {
    const length = Math.min(written.length, frame.expected.length);
    const diff = compareFrames(frame.expected.subarray(0, length), written.subarray(0, length));
    if (diff === undefined) return true;
    this.add({
      class: 'frame-differs', direction: 'rx', seq, line: frame.line, register: 'RX buffer', packetLine: frame.line, captureIndex: frame.captureIndex,
      position: 0, expectedLength: frame.expected.length, actualLength: written.length, fields: diff.fields,
      ...(diff.payload === undefined ? {} : { payload: diff.payload }),
      summary: `what the device wrote to guest memory for received frame #${frame.captureIndex}: ${describeFrameDifference(diff)}`,
    });
    return false;
  }

  /**
   * The status dwords of a sent tail write's RS descriptors, read back after it (`bytes`, in the
   * seed's order; undefined: not read, the run stopped first): each must have DD.
   */
  txWrittenBack(seed: TxSeed, bytes: Uint8Array | undefined): void {
    if (bytes === undefined) return;
    const { access, register } = seed.handoff;
    seed.writebacks.forEach((descriptor, i) => {
      if ((i + 1) * STATUS_BYTES > bytes.length) return;
      this.counts.descriptorsReadBack++;
      const status = bytes[i * STATUS_BYTES]!;
      if ((status & STATUS_DD) !== 0) {
        this.counts.descriptorsMatched++;
        return;
      }
      this.add({
        class: 'descriptor-differs', direction: 'tx', seq: access.seq, line: access.line, register, packetLine: descriptor.line, position: i,
        fields: [{ field: 'status.DD', offset: 12, expected: 1, actual: 0 }],
        summary: `the transmit descriptor at 0x${descriptor.address.toString(16)} (line ${descriptor.line.toLocaleString('en-US')}) asked for a status report (RS) `
          + 'and has no DD after the tail write: the device did not write it back',
      });
    });
  }

  /**
   * A receive descriptor the target's device wrote back for received frame `frame` whose fields
   * differ from the recorded write-back (src/datapath/rx-writeback.ts compareWriteback).
   */
  writtenBack(frame: { readonly line: number; readonly captureIndex?: number }, seq: number, writeback: RxWriteback, differences: readonly RxFieldDifference[]): void {
    const hex = (n: number): string => `0x${n.toString(16)}`;
    // A frame without a capture index is one the device switched to its own pools (not in the capture as received).
    const which = frame.captureIndex === undefined ? `the frame the device switched to its own pools at line ${frame.line.toLocaleString('en-US')}`
      : `received frame #${frame.captureIndex}`;
    this.add({
      class: 'descriptor-differs', direction: 'rx', seq, line: writeback.line, register: 'RX descriptor', packetLine: frame.line,
      ...(frame.captureIndex === undefined ? {} : { captureIndex: frame.captureIndex }), position: 0, fields: differences,
      summary: `the ${writeback.format.name} receive descriptor at ${hex(writeback.address)} (ring ${writeback.ring}) written back for ${which}: `
        + differences.map((d) => `${d.field} ${hex(d.expected)} → ${hex(d.actual)}`).join(', '),
    });
  }

  /** Frames still due at the end of the replay: the target never sent them. */
  outstanding(): number {
    return this.pending.filter((p) => p.data !== undefined).length;
  }

  private compare(expected: Pending, data: Uint8Array, actual: Uint8Array): void {
    this.counts.framesCompared++;
    const diff = compareFrames(data, actual);
    if (diff === undefined) {
      this.counts.framesMatched++;
      return;
    }
    this.add({
      class: 'frame-differs', ...this.where(expected), actualLength: actual.length, fields: diff.fields,
      ...(diff.payload === undefined ? {} : { payload: diff.payload }), summary: describeFrameDifference(diff),
    });
  }

  private missing(expected: Pending): void {
    if (expected.data === undefined) return;
    this.add({ class: 'frame-missing', ...this.where(expected), fields: [], summary: `recorded frame #${expected.captureIndex} (${expected.data.length} bytes) was not sent` });
  }

  private where(p: Pending): Pick<FrameDivergence, 'direction' | 'seq' | 'line' | 'register' | 'packetLine' | 'captureIndex' | 'position' | 'expectedLength'> {
    return {
      direction: 'tx', seq: p.seq, line: p.line, register: p.register, packetLine: p.packetLine, captureIndex: p.captureIndex, position: p.position,
      ...(p.data === undefined ? {} : { expectedLength: p.data.length }),
    };
  }

  private skip(reason: string, frames: number, line: number): void {
    const tally = this.skipped.get(reason);
    if (tally === undefined) this.skipped.set(reason, { packets: 1, frames, firstLine: line });
    else {
      tally.packets++;
      tally.frames += frames;
    }
  }

  private add(divergence: FrameDivergence): void {
    this.byClass[divergence.class]++;
    if (this.divergences.length < MAX_FRAME_DIVERGENCES) this.divergences.push(divergence);
  }

  /** The result; what is still due counts as missing (call after the target's last frames). */
  finish(capture: string, notChecked: readonly string[], rx: { counts: RxFrameCounts; notInjected: readonly RxNotInjected[] } = { counts: NO_RX, notInjected: [] }): FramesResult {
    for (const pending of this.pending) this.missing(pending);
    this.pending = [];
    const skipped: SkippedPackets[] = [...this.skipped].map(([reason, tally]) => ({ reason, ...tally }));
    return {
      status: 'replayed', capture, tx: { ...this.counts }, rx: rx.counts, rxNotInjected: rx.notInjected, byClass: { ...this.byClass },
      divergences: [...this.divergences].sort((a, b) => a.seq - b.seq || a.position - b.position), skipped, notChecked,
    };
  }
}

export const NO_RX: RxFrameCounts = {
  framesRecorded: 0, framesSwitched: 0, framesInjected: 0, framesTaken: 0, descriptorsSeeded: 0, buffersCompared: 0, buffersMatched: 0, descriptorsReadBack: 0, descriptorsMatched: 0,
};

/** The result of a replay whose data path was not replayed: nothing counted, and why. */
export function framesNotReplayed(reason: string): FramesResult {
  return {
    status: 'not-replayed',
    tx: {
      handoffs: 0, descriptorsSeeded: 0, packetsSeeded: 0, framesExpected: 0, framesEmitted: 0, framesCompared: 0, framesMatched: 0,
      descriptorsReadBack: 0, descriptorsMatched: 0,
    },
    rx: NO_RX, rxNotInjected: [],
    byClass: Object.fromEntries(FRAME_CLASSES.map((c) => [c, 0])) as Record<FrameClass, number>,
    divergences: [], skipped: [], notChecked: [reason],
  };
}
