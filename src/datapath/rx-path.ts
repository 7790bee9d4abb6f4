// The receive side of a data-path replay, window by window: every frame the recording's device
// received (a packet marker's `e1000e_rx_receive_iov`) is matched, in order, with the capture's next
// received frame, and given the guest-memory writes that put the receive descriptors it used in
// the ring, with the buffer addresses the recording shows the device writing to. The target then
// receives the frame where the recording did (src/replay/engine.ts, a `receive` step).
//
// The driver fills receive descriptors long before a frame arrives, and QEMU reads a descriptor
// only when it has a frame for it (no prefetch), so seeding it just before the frame is injected
// gives the device what the driver gave it.

import { TX_DESCRIPTOR_EVENT } from './tx-descriptor.js';
import type { Access, Marker, SideEvent, TraceRecord } from '../model/access.js';
import type { RxBufferLayout } from '../devices/table.js';
import type { FrameCursor } from '../frames/frame-cursor.js';
import { coalesce, type MemoryStretch, type MemoryWrite } from './memory-write.js';
import type { RxNotInjected, RxNotInjectedCause } from '../model/frames.js';
import { psBytesWritten, PS_WRITE_EVENT, recordedWritebacks, RX_DESCRIPTOR_EVENT, rxDescriptorRead, type RxFormatTracker, type RxWritebacks } from './rx-writeback.js';

/** QEMU's first event for a frame the backend hands the NIC (before any filter). */
export const RX_START_EVENT = 'e1000e_rx_receive_iov';
const WORD_BYTES = 8;
/**
 * A buffer write, `buffer 1, addr: 0x1af060c0, offset: 0, from: ..., length: 98` (igb) or
 * `buffer #0, ...` (e1000e): buffer index, address, offset, length (the host pointer is not used).
 */
const BUFFER_WRITE = /^buffer #?(\d+), addr: 0x([0-9a-fA-F]+), offset: (\d+), .*length: (\d+)$/;
/**
 * e1000e's packet-split descriptor (RCTL.DTYP 1, which Linux e1000e uses with jumbo frames) as the
 * device read it: all four buffer addresses, `buffers: [0x186b0c0, 0x25b9000, 0x243a000, 0x2519000]`,
 * one 64-bit word each. The device writes only some of them, so the buffer writes alone would seed
 * zeros in the others, and where it puts a frame depends on them all.
 */
const PS_DESCRIPTOR_READ_EVENT = 'e1000e_rx_desc_ps_read';
const PS_BUFFERS = /^buffers: \[(0x[0-9a-fA-F]+), (0x[0-9a-fA-F]+), (0x[0-9a-fA-F]+), (0x[0-9a-fA-F]+)\]$/;
// ...and what it wrote to each (PS_WRITE_EVENT, rx-writeback.ts). With header split the header goes
// to buffer 0 without a buffer-write event of its own, so a packet-split frame's stretches of guest
// memory come from these two events.
/** Logged when the device took the frame's 802.1Q tag into the descriptor (VLAN stripping). */
const VLAN_STRIPPED_EVENT = 'e1000e_rx_metadata_vlan';
/** QEMU pads a shorter received frame to the Ethernet minimum (without FCS) before it writes it. */
const ETH_ZLEN = 60;
const VLAN_TAG_AT = 12;
const VLAN_TAG_BYTES = 4;

/**
 * The bytes a device writes for a received frame: the frame without its 802.1Q tag when it
 * stripped it, padded to the Ethernet minimum. (An FCS it may append follows; it is not compared.)
 */
export function deliveredBytes(frame: Uint8Array, vlanStripped: boolean): Uint8Array {
  const body = vlanStripped && frame.length >= VLAN_TAG_AT + VLAN_TAG_BYTES
    ? new Uint8Array([...frame.subarray(0, VLAN_TAG_AT), ...frame.subarray(VLAN_TAG_AT + VLAN_TAG_BYTES)]) : frame;
  if (body.length >= ETH_ZLEN) return body;
  const padded = new Uint8Array(ETH_ZLEN);
  padded.set(body);
  return padded;
}

/** A frame the device switched to its own pools: its receipt's line and the descriptors it wrote back. */
export interface SwitchedFrame {
  readonly line: number;
  readonly writebacks: RxWritebacks;
}

/** One received frame to inject, with what goes into guest memory first. */
export interface RxPacket {
  /** Line of its `e1000e_rx_receive_iov` in the recording. */
  readonly line: number;
  readonly frame: Uint8Array;
  /** Its index in the capture (0-based). */
  readonly captureIndex: number;
  readonly writes: readonly MemoryWrite[];
  /** Descriptors the recording's device used for it. */
  readonly descriptors: number;
  /** Where the recording's device wrote the frame in guest memory, in order (buffer address + offset, bytes). */
  readonly buffers: readonly MemoryStretch[];
  /** What the device should have written there: the frame as it was handed over, after what the recording's device did to it. */
  readonly expected: Uint8Array;
  /** The receive descriptors the recording's device wrote back for it, with what it logged putting there. */
  readonly writebacks: RxWritebacks;
  /** The recorded events from its receipt to the next frame's (or the marker's end): timers that fired meanwhile. */
  readonly events: readonly SideEvent[];
}

/** The frames one packet marker of the recording received, in order. */
export interface RxInjection {
  /** The marker's line. */
  readonly line: number;
  /** The seq of the access the marker follows. */
  readonly seq: number;
  /** When the recording received them (the marker's time), if the trace has times. */
  readonly timeUs?: number;
  /** Every frame arrived inside the transmit tail write before the marker: injected before it (see injectedBeforeWrite). */
  readonly beforeWrite: boolean;
  readonly packets: readonly RxPacket[];
}


/** Frames the device switched to its own pools inside one transmit tail write. */
export interface SwitchedAtWrite {
  /** Their receive descriptors: seeded before that write, as an injected frame's are before it. */
  readonly seeds: MemoryWrite[];
  /** Their recorded write-backs (line of the receipt, descriptors): read back after the write. */
  readonly frames: SwitchedFrame[];
}

export class RxDataPath {
  /** Frames the recording's device received. */
  recorded = 0;
  /** Of those, frames it switched between its own pools (see RecordedFrame's `switched`). */
  switched = 0;
  private readonly leftOut = new Map<string, { cause: RxNotInjectedCause; frames: number; firstLine: number }>();
  /** Set once the capture ran out: no later frame can be matched. */
  private exhaustedAt: number | undefined;
  /** The last window's packet markers with a frame left out, by marker line: the first frame's line and why. */
  leftOutInWindow = new Map<number, { line: number; reason: string }>();
  /** The last window's frames the device switched to itself, by the seq of the transmit tail write that made them. */
  switchedAt = new Map<number, SwitchedAtWrite>();

  /** `formats` follows the registers that choose the descriptor format; it sees the recording's accesses here, in order. */
  constructor(private readonly frames: FrameCursor, private readonly layout: RxBufferLayout, private readonly formats: RxFormatTracker) {}

  /** The injections of a window's packet markers, by marker line. */
  async window(records: readonly TraceRecord[]): Promise<Map<number, RxInjection>> {
    const injections = new Map<number, RxInjection>();
    this.leftOutInWindow = new Map();
    this.switchedAt = new Map();
    let previous: Access | undefined;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      if (record.type !== 'marker') {
        this.formats.see(record);
        previous = record;
        continue;
      }
      const next = records[i + 1];
      const frames = recordedFrames(record, previous, next?.type === 'marker' ? next.line : undefined);
      if (frames.length === 0) continue;
      this.recorded += frames.length;
      const packets: RxPacket[] = [];
      for (const { events, switched } of frames) {
        if (switched) {
          this.switched++;
          const atWrite = this.switchedAt.get(record.afterSeq) ?? { seeds: [], frames: [] };
          atWrite.seeds.push(...this.seeds(events).writes);
          atWrite.frames.push({ line: events[0]!.line, writebacks: recordedWritebacks(events, this.layout.event, this.formats) });
          this.switchedAt.set(record.afterSeq, atWrite);
          continue;
        }
        const frame = this.exhaustedAt === undefined ? await this.frames.next() : undefined;
        if (frame === undefined) {
          this.exhaustedAt ??= events[0]!.line;
          this.leave('capture-exhausted', `the capture has fewer received frames than the recording's device received (it ran out at line ${this.exhaustedAt.toLocaleString('en-US')}): later frames are not injected`, events[0]!.line, record.line);
          continue;
        }
        packets.push({
          line: events[0]!.line, frame: frame.data, captureIndex: frame.index, ...this.seeds(events), events,
          expected: deliveredBytes(frame.data, events.some((e) => e.name === VLAN_STRIPPED_EVENT)),
          writebacks: recordedWritebacks(events, this.layout.event, this.formats),
        });
      }
      if (!injectable(record)) {
        for (const packet of packets) this.leave('inside-other-activity', `received inside other device activity (a ${record.kind} marker), where the replay lets time run instead`, packet.line, record.line);
        continue;
      }
      if (packets.length > 0) {
        injections.set(record.line, {
          line: record.line, seq: record.afterSeq, packets, beforeWrite: injectedBeforeWrite(frames, record, previous),
          ...(record.timeUs === undefined ? {} : { timeUs: record.timeUs }),
        });
      }
    }
    return injections;
  }

  async close(): Promise<void> {
    await this.frames.close();
  }

  /** Frames left out so far, by reason. */
  notInjected(): RxNotInjected[] {
    return [...this.leftOut].map(([reason, v]) => ({ reason, ...v }));
  }

  private leave(cause: RxNotInjectedCause, reason: string, line: number, markerLine: number): void {
    if (!this.leftOutInWindow.has(markerLine)) this.leftOutInWindow.set(markerLine, { line, reason });
    const entry = this.leftOut.get(reason);
    if (entry === undefined) this.leftOut.set(reason, { cause, frames: 1, firstLine: line });
    else entry.frames++;
  }

  /**
   * In one pass over a frame's events: the descriptors it used, each with the buffer addresses the
   * device wrote to as the driver wrote them, and the stretches of guest memory it wrote the frame
   * to (`buffer N, addr: A, offset: O, ..., length: L`).
   */
  private seeds(events: readonly SideEvent[]): { writes: MemoryWrite[]; descriptors: number; buffers: { address: number; length: number }[] } {
    const descriptors: { address: number; words: bigint[]; split?: readonly number[] }[] = [];
    const buffers: { address: number; length: number }[] = [];
    for (const event of events) {
      if (event.name === RX_DESCRIPTOR_EVENT) {
        const read = rxDescriptorRead(event.text);
        if (read === undefined) continue;
        descriptors.push({ address: read.address, words: new Array<bigint>(Math.max(2, read.bytes / WORD_BYTES)).fill(0n) });
        continue;
      }
      const current = descriptors[descriptors.length - 1];
      if (event.name === PS_DESCRIPTOR_READ_EVENT) {
        const m = PS_BUFFERS.exec(event.text);
        if (current === undefined || m === null) continue;
        const addresses = m.slice(1);
        current.split = addresses.map((address) => Number.parseInt(address, 16));
        // The descriptor's words exactly as read (BigInt of the hex text), the stretches as numbers.
        addresses.forEach((address, word) => {
          if (word < current.words.length) current.words[word] = BigInt(address);
        });
        continue;
      }
      if (event.name === PS_WRITE_EVENT) {
        const lengths = psBytesWritten(event.text);
        const addresses = current?.split;
        if (addresses === undefined || lengths === undefined) continue;
        lengths.forEach((length, i) => {
          if (length > 0 && addresses[i] !== undefined) buffers.push({ address: addresses[i]!, length });
        });
        continue;
      }
      if (event.name !== this.layout.event) continue;
      const m = BUFFER_WRITE.exec(event.text);
      if (m === null) continue;
      const address = Number.parseInt(m[2]!, 16);
      // A packet-split descriptor's stretches come from its bytes-written event (above).
      if (Number(m[4]) > 0 && current?.split === undefined) buffers.push({ address: address + Number(m[3]), length: Number(m[4]) });
      const word = this.layout.wordOfBuffer[Number(m[1])];
      if (current !== undefined && word !== undefined && word < current.words.length) current.words[word] = BigInt(address);
    }
    const writes = coalesce(descriptors.map((d) => ({ address: d.address, data: wordsBytes(d.words) })));
    return { writes, descriptors: descriptors.length, buffers };
  }
}

/**
 * One frame the recording's device received, with what it did with it (from its receipt to the
 * next frame's). `nested`: received *during* the write before the marker: the network backend
 * (slirp) answered a transmitted frame at once, inside the tail write, so the parser gave what the
 * device did with it to that write (a vCPU thread's events go to its write). A replay injects the
 * frame after the write.
 */
export interface RecordedFrame {
  readonly events: readonly SideEvent[];
  readonly nested: boolean;
  /**
   * The device handed the frame to itself: a frame one of its pools transmitted, switched to
   * another pool (SR-IOV/VMDq loopback), received straight after the transmit descriptor it came
   * from. A frame from the network backend follows the backend's question whether the NIC can take
   * it (receive readiness), or a receive tail write that lets the backend flush what it held.
   */
  readonly switched: boolean;
}

/** Events of the transmit side (a descriptor read, the frame's checksums and segmentation). */
const TX_EVENT = /^(e1000e|igb)_tx_/;

/**
 * The frames of a packet marker, each with its events: the marker's own and, for frames received
 * inside `write` (the access the marker follows), the write's events after the receipt, up to
 * `nextMarkerLine` (where another marker after the same write takes over). Windows never separate
 * a write from the markers after it (src/replay/record-windows.ts).
 */
export function recordedFrames(marker: Marker, write: Access | undefined, nextMarkerLine = Number.POSITIVE_INFINITY): RecordedFrame[] {
  const own = new Set(marker.events);
  // The marker's and the write's events in log order: what came just before a receipt is among them.
  const all = write === undefined || write.seq !== marker.afterSeq ? marker.events : [...write.events, ...marker.events].sort((x, y) => x.line - y.line);
  const merged = all === marker.events ? all : all.filter((e) => own.has(e) || (e.line > marker.line && e.line < nextMarkerLine));
  return splitAtReceipts(merged).flatMap((part) => {
    const at = part.findIndex((e) => e.name === RX_START_EVENT);
    if (at < 0) return []; // events before any receipt, with none after
    const events = part.slice(at);
    const previous = all[all.indexOf(events[0]!) - 1];
    // Whose events follow the receipt tells where the device handled the frame.
    return [{ events, nested: events[1] !== undefined && !own.has(events[1]), switched: previous !== undefined && TX_EVENT.test(previous.name) }];
  });
}

/**
 * Whether the frames of a packet marker are injected before the access it follows rather than after.
 * The backend answers some frames at once (slirp replies to pings, ARP and TCP as the NIC sends):
 * the recording's device then received them inside the transmit tail write, after reading its
 * descriptors and before raising the write's own transmit interrupt (QEMU raises it once the ring
 * is done). A qtest write is atomic, so the replay cannot hand a frame over in the middle of one;
 * handed over just before the write, the frames raise their interrupts before the write's, as in
 * the recording (what the device does with a frame does not depend on the transmit). Frames inside
 * any other write (a receive tail write lets the backend flush what it held) go after it.
 */
export function injectedBeforeWrite(frames: readonly RecordedFrame[], marker: Marker, write: Access | undefined): boolean {
  // A frame the device switched to itself came first: the target's device makes it during the
  // write, and the backend's answer after it takes the next descriptor, as in the recording.
  return write !== undefined && write.seq === marker.afterSeq && frames.length > 0 && frames.every((f) => f.nested && !f.switched)
    && write.events.some((e) => e.name === TX_DESCRIPTOR_EVENT && e.line < marker.line && !e.text.startsWith('(nil)'));
}

/**
 * Events cut at each frame's receipt (`RX_START_EVENT`), each part starting with it; events
 * before the first receipt (the backend's readiness polls) go with the first frame.
 */
export function splitAtReceipts(events: readonly SideEvent[]): SideEvent[][] {
  const frames: SideEvent[][] = [];
  let leading: SideEvent[] = [];
  for (const event of events) {
    if (event.name === RX_START_EVENT) {
      frames.push([...leading, event]);
      leading = [];
    } else if (frames.length === 0) leading.push(event);
    else frames[frames.length - 1]!.push(event);
  }
  if (leading.length > 0) frames.push(leading);
  return frames;
}

/** Frames of a packet marker are injected; a timer marker that also received some lets time run instead. */
function injectable(marker: Marker): boolean {
  return marker.kind === 'rx-packet';
}

/** QEMU's "the device can receive again": it flushes the frames its backend held meanwhile, then and there. */
const RX_START_RECV = 'e1000e_rx_start_recv';

/** Whether a timer's events end with the device able to receive again (where QEMU flushes held frames). */
export function endsReceivingAgain(events: readonly SideEvent[]): boolean {
  return events.at(-1)?.name === RX_START_RECV;
}

/**
 * The kind of timer marker right before `marker` (no access between them) that ended with the
 * device able to receive again, or undefined. Autonegotiation completing does that: QEMU delivers
 * the frames the backend held while the link was down inside the timer's callback, before it
 * raises LSC, so the recording shows them between the two halves of that timer's events. The
 * replay runs the timer as one step and injects such frames after it (it cannot hand a frame over
 * inside a callback, and leaving it out would put the receive ring out of step for every frame
 * after): checks/events/timer-flush.ts explains the two halves' swapped order.
 */
export function flushedInsideTimer(marker: Marker, before: TraceRecord | undefined): string | undefined {
  if (before?.type !== 'marker' || before.kind === 'rx-packet' || before.afterSeq !== marker.afterSeq) return undefined;
  return endsReceivingAgain(before.events) ? before.kind : undefined;
}

function wordsBytes(words: readonly bigint[]): Uint8Array {
  const bytes = new Uint8Array(words.length * WORD_BYTES);
  const view = new DataView(bytes.buffer);
  words.forEach((word, i) => view.setBigUint64(i * WORD_BYTES, word, true));
  return bytes;
}
