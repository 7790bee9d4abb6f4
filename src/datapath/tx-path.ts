// The transmit side of a data-path replay, window by window: for every tail write that handed
// descriptors to the device, the guest-memory writes that put those descriptors in the ring and
// the packets' bytes in their buffers (rebuilt from the capture's frames, taken in order), and
// the frames the device must then send. The frames come from the capture as they are needed.

import { linkStateOf, type TraceRecord } from '../model/access.js';
import type { RegisterDatabase } from '../regs/database.js';
import type { FrameCursor } from '../frames/frame-cursor.js';
import type { MemoryStretch, MemoryWrite } from './memory-write.js';
import { coalesce } from './memory-write.js';
import { descriptorBytes, TX_DESCRIPTOR_EVENT } from './tx-descriptor.js';
import type { TxDescriptorLayout } from '../devices/table.js';
import { TxRings, type TxHandoff } from './tx-ring.js';
import { framesFor, rebuildBuffers, splitOverBuffers } from './tx-buffer.js';
import { LoopbackMode } from './loopback.js';

export interface ExpectedFrame {
  /** The recorded frame; undefined for a frame of a packet that was not rebuilt (not compared). */
  readonly data?: Uint8Array;
  /** The frame's index in the capture. */
  readonly pcapIndex: number;
  /** Line of the descriptor event of the packet it belongs to. */
  readonly packetLine: number;
}

export interface SkippedPacket {
  readonly line: number;
  readonly reason: string;
  /** Captured frames of the packet, not compared. */
  readonly frames: number;
}

/**
 * A descriptor the driver asked to be told about (RS, Report Status): the device sets DD in its
 * status once it is done with it (82576 datasheet 7.2.3, 82574 datasheet 3.3.3; Linux igb and
 * e1000e set RS on each packet's last descriptor and reclaim its buffers only when they see DD).
 */
export interface TxWritebackCheck {
  readonly address: number;
  /** Its `e1000e_tx_descr` event's line. */
  readonly line: number;
}

export interface TxSeed {
  readonly handoff: TxHandoff;
  readonly writes: readonly MemoryWrite[];
  /** The status dword of each `writebacks` descriptor, read back after the tail write (STATUS_BYTES each, in order). */
  readonly readBack: readonly MemoryStretch[];
  readonly writebacks: readonly TxWritebackCheck[];
  /** Frames the device must send at this tail write, in order (those of packets not rebuilt without data). */
  readonly expected: readonly ExpectedFrame[];
  readonly skipped: readonly SkippedPacket[];
}

/** Report Status, in the command byte of every data and legacy descriptor (bit 27 of the command/type/length word). */
const CMD_RS = 1 << 27;
/** Where a descriptor's status (DD, bit 0) lies in its write-back, in every format: the last dword. */
export const STATUS_OFFSET = 12;
export const STATUS_BYTES = 4;
export const STATUS_DD = 1;

/** Why a packet handed over while the recording's link was down is not rebuilt. */
const LINK_DOWN = 'handed over while the host link was down: QEMU drops such a frame before the capture sees it (its bytes are not '
  + 'recorded), and the replay\'s target, its link down too, must send nothing';

/** Why a packet handed over while the device loops frames back is not rebuilt. */
function loopedBack(mode: string): string {
  return `looped back inside the device (${mode}): the frame never reached the network backend, so the capture has no bytes `
    + 'of it to rebuild its buffers from, and the replay\'s target, looping back too, must send nothing';
}

export class TxDataPath {
  private readonly rings: TxRings;
  private readonly loopback: LoopbackMode;
  /** Descriptor events in the recording that no tail write explains (QEMU sent on its own). */
  unplacedDescriptors = 0;
  firstUnplacedLine: number | undefined;
  /**
   * The recording's backend link is down (a link-change marker said so): QEMU drops what the NIC
   * sends before the netdev's filters, so those frames are not in the capture.
   */
  private backendDown = false;
  /** Descriptors with RS not checked for DD because their queue reports by head write-back. */
  headWritebackDescriptors = 0;

  /** `frames`: the capture's transmitted frames; undefined when the recording has no capture. */
  constructor(registers: RegisterDatabase, layout: TxDescriptorLayout, private readonly frames: FrameCursor | undefined) {
    this.rings = new TxRings(registers, layout);
    this.loopback = new LoopbackMode(registers);
  }

  /** The seeds of a window's tail writes, by the tail write's seq. */
  async window(records: readonly TraceRecord[]): Promise<Map<number, TxSeed>> {
    const seeds = new Map<number, TxSeed>();
    for (const record of records) {
      if (record.type === 'marker') {
        this.noteUnplaced(record.line, record.events.filter((e) => e.name === TX_DESCRIPTOR_EVENT).length);
        const up = linkStateOf(record);
        if (up !== undefined) this.backendDown = !up;
        continue;
      }
      this.loopback.see(record);
      const before = this.rings.unplaced.length;
      const handoff = this.rings.see(record);
      for (const stray of this.rings.unplaced.splice(before)) this.noteUnplaced(stray.line, stray.count);
      if (handoff !== undefined) seeds.set(record.seq, await this.seed(handoff));
    }
    return seeds;
  }

  /** The descriptors of a handoff whose DD the device must set, and the memory to read for them. */
  private writebackChecks(handoff: TxHandoff): Pick<TxSeed, 'readBack' | 'writebacks'> {
    const reported = handoff.descriptors.filter((d) => (d.kind === 'data' || d.kind === 'legacy') && (d.words.cmdTypeLen & CMD_RS) !== 0);
    if (handoff.headWriteback === true) {
      this.headWritebackDescriptors += reported.length;
      return { readBack: [], writebacks: [] };
    }
    return {
      readBack: reported.map((d) => ({ address: d.address + STATUS_OFFSET, length: STATUS_BYTES })),
      writebacks: reported.map((d) => ({ address: d.address, line: d.words.line })),
    };
  }

  private noteUnplaced(line: number, count: number): void {
    if (count === 0) return;
    this.unplacedDescriptors += count;
    this.firstUnplacedLine ??= line;
  }

  private async seed(handoff: TxHandoff): Promise<TxSeed> {
    const writes: MemoryWrite[] = handoff.descriptors.map((d) => ({ address: d.address, data: descriptorBytes(d.words) }));
    const expected: ExpectedFrame[] = [];
    const skipped: SkippedPacket[] = [];
    const offWire = this.offWire();
    for (const packet of handoff.packets) {
      if (offWire !== undefined) {
        // Nothing of it is in the capture: no frame is taken for it, so the frames after stay in
        // step; the target is in the same state (its link down, or looping back) and must send
        // nothing: a frame from it is frame-extra.
        skipped.push({ line: packet.line, reason: offWire, frames: 0 });
        continue;
      }
      const frames = [];
      for (let i = 0; i < framesFor(packet); i++) {
        const frame = this.frames === undefined ? undefined : await this.frames.next();
        if (frame !== undefined) frames.push(frame);
      }
      const rebuilt = this.frames === undefined ? { skip: 'the recording has no capture' } : rebuildBuffers(packet, frames.map((f) => f.data));
      if ('skip' in rebuilt) {
        // The device still sends something for it (from whatever the buffers hold): as many
        // frames as the recording's did are passed over, so the frames after it stay in step.
        skipped.push({ line: packet.line, reason: rebuilt.skip, frames: frames.length });
        for (const frame of frames) expected.push({ pcapIndex: frame.index, packetLine: packet.line });
        continue;
      }
      for (const part of splitOverBuffers(packet, rebuilt.bytes)) writes.push({ address: Number(part.address), data: part.data });
      for (const frame of frames) expected.push({ data: frame.data, pcapIndex: frame.index, packetLine: packet.line });
    }
    return { handoff, writes: coalesce(writes), expected, skipped, ...this.writebackChecks(handoff) };
  }

  /** Why what the device sends now reaches no capture (host link down, loopback), or undefined when it does. */
  private offWire(): string | undefined {
    const loopback = this.loopback.active;
    if (loopback !== undefined) return loopedBack(loopback);
    return this.backendDown ? LINK_DOWN : undefined;
  }

  async close(): Promise<void> {
    await this.frames?.close();
  }
}
