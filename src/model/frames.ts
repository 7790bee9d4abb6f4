// What a replay of the data path compares: the frames the target sends when the recorded
// descriptors are handed to it (rebuilt from the recording's capture), against the frames the
// recording's device sent. Pure types, part of the replay result (docs/json-schemas.md).

import type { FrameFieldDifference, PayloadDifference } from '../frames/compare.js';

/**
 * How a frame compares.
 * - `frame-differs`: the target sent a frame where the recording's device did, with other bytes;
 *   decoded to header fields (Ethernet, 802.1Q, IPv4/IPv6, TCP/UDP/ICMP) and payload by offset.
 * - `frame-missing`: the recording's device sent it, the target did not.
 * - `frame-extra`: the target sent a frame the recording's device did not.
 * - `descriptor-differs`: a receive descriptor the target's device wrote back for an injected frame
 *   holds another value in a field (status, length, VLAN tag, RSS hash and type, packet type, IP
 *   identification) than the recording's device logged writing there; or a transmit descriptor
 *   the driver asked a status report for (RS) has no DD after its tail write.
 */
export type FrameClass = 'frame-differs' | 'frame-missing' | 'frame-extra' | 'descriptor-differs';

export const FRAME_CLASSES: readonly FrameClass[] = ['frame-differs', 'frame-missing', 'frame-extra', 'descriptor-differs'];

export interface FrameDivergence {
  readonly class: FrameClass;
  /**
   * `tx`: a frame the device transmits; `rx`: the bytes the device wrote into guest memory for a
   * received frame that was injected (`register` is then `RX buffer`, or `RX descriptor` for a
   * write-back, whose `fields` are the descriptor's fields with their byte offset; `line` is the
   * frame's receipt, or the descriptor's event for a write-back).
   */
  readonly direction: 'tx' | 'rx';
  /** The tail write that handed the packet to the device (its access seq and trace line); for `rx`, the access before the receipt. */
  readonly seq: number;
  readonly line: number;
  /** The tail register written (`TDT(0)`). */
  readonly register: string;
  /** Line of the packet's first descriptor event in the recording. */
  readonly packetLine?: number;
  /** Index of the recorded frame in the capture (0-based), when there is one. */
  readonly captureIndex?: number;
  /** Position of the frame among those the tail write made the device send (0-based). */
  readonly position: number;
  readonly expectedLength?: number;
  readonly actualLength?: number;
  readonly fields: readonly FrameFieldDifference[];
  readonly payload?: PayloadDifference;
  /** One line: what differs. */
  readonly summary: string;
  /** True when the report's baseline accepts it (set only in a ReplayReport with `baseline`). */
  readonly accepted?: true;
}

/** Packets whose frames were not compared, by reason. */
export interface SkippedPackets {
  readonly reason: string;
  readonly packets: number;
  /** Captured frames of those packets. */
  readonly frames: number;
  readonly firstLine: number;
}

export interface TxFrameCounts {
  /** Tail writes that handed descriptors to the device. */
  readonly handoffs: number;
  /** Descriptors written into the rings (data and context). */
  readonly descriptorsSeeded: number;
  /** Packets whose buffers were filled from the capture. */
  readonly packetsSeeded: number;
  /** Frames the recording's device sent for the seeded packets. */
  readonly framesExpected: number;
  /** Frames the target sent. */
  readonly framesEmitted: number;
  /** Recorded frames compared with one the target sent. */
  readonly framesCompared: number;
  readonly framesMatched: number;
  /** Descriptors the driver asked a status report for (RS) whose status the target's device wrote back, read after the tail write. */
  readonly descriptorsReadBack: number;
  /** ...with DD set, as the device must (and as the recording's driver saw before reclaiming them). */
  readonly descriptorsMatched: number;
}

/** The receive side: frames the recording's device received, injected into the target where it received them. */
export interface RxFrameCounts {
  /** Frames the recording's device received (its `e1000e_rx_receive_iov` events). */
  readonly framesRecorded: number;
  /**
   * Frames the recording's device switched between its own pools (SR-IOV/VMDq loopback: a frame one
   * pool sent, received by another without crossing the wire): not injected, the target's device
   * makes them from the replayed transmit, their receive descriptors seeded before its tail write.
   * Absent in reports from before they were told apart.
   */
  readonly framesSwitched?: number;
  /** Frames handed to the target (the capture's received frames, in order, at their packet markers). */
  readonly framesInjected: number;
  /** Injected frames the target's device took within the bound (the rest stayed with the backend). */
  readonly framesTaken: number;
  /** Receive descriptors seeded with the buffer addresses the recording's device wrote to. */
  readonly descriptorsSeeded: number;
  /** Frames taken whose bytes in guest memory were read back and compared with the frame as delivered. */
  readonly buffersCompared: number;
  readonly buffersMatched: number;
  /** Receive descriptors the target's device wrote back for frames taken, read back and compared field by field with the recorded write-back. */
  readonly descriptorsReadBack: number;
  readonly descriptorsMatched: number;
}

/** Received frames not injected, by reason. */
/**
 * Why received frames were not injected: the capture has no more received frames than it had
 * (`capture-exhausted`), or the recording received them inside other device activity, a timer's
 * or a link change's, where the replay lets time run instead (`inside-other-activity`).
 */
export type RxNotInjectedCause = 'capture-exhausted' | 'inside-other-activity';

export interface RxNotInjected {
  readonly cause: RxNotInjectedCause;
  readonly reason: string;
  readonly frames: number;
  readonly firstLine: number;
}

export interface FramesResult {
  /** `replayed`: the capture was replayed; `not-replayed`: `notChecked` says why. */
  readonly status: 'replayed' | 'not-replayed';
  /** The capture replayed. */
  readonly capture?: string;
  readonly tx: TxFrameCounts;
  readonly rx: RxFrameCounts;
  /** Received frames the replay did not inject, by reason (what they did is explained by traffic, as without a capture). */
  readonly rxNotInjected: readonly RxNotInjected[];
  readonly byClass: Readonly<Record<FrameClass, number>>;
  /** Frame differences in trace order (the first MAX_FRAME_DIVERGENCES; byClass counts all). */
  readonly divergences: readonly FrameDivergence[];
  readonly skipped: readonly SkippedPackets[];
  /** What the data path does not check in this replay, each a sentence with its reason. */
  readonly notChecked: readonly string[];
}

/** Frame differences kept with their details; the rest are counted. */
export const MAX_FRAME_DIVERGENCES = 500;

/** Every frame class fails a run: the device sent something else than the recorded one. */
export function isFailingFrame(_cls: FrameClass): boolean {
  return true;
}
