// Follows the transmit rings through a recording: where each queue's ring lies in guest memory
// (TDBAL/TDBAH), how long it is (TDLEN), where the device's head is (TDH written by the driver,
// then advanced by each descriptor the device read), and which packets each tail write (TDT)
// handed to the device. QEMU reads a ring's descriptors from head to tail as soon as the tail is
// written, and logs each (`e1000e_tx_descr`) after the write's own line, so the descriptors a
// tail write made the device read are the events attached to it, in ring order from the head.
// Pure: the recording in, the ring positions and packets out.

import type { Access } from '../model/access.js';
import type { RegisterDatabase } from '../regs/database.js';
import {
  DESCRIPTOR_BYTES, TX_DESCRIPTOR_EVENT, classifyDescriptor, descriptorWords,
  type TxContext, type TxDescriptor, type TxDescriptorWords, type TxOffloads,
} from './tx-descriptor.js';
import type { TxDescriptorLayout } from '../devices/table.js';

/** A descriptor and where it lies in guest memory. */
export interface PlacedDescriptor {
  readonly address: number;
  readonly words: TxDescriptorWords;
  /** What it is, by the model's layout (classifyDescriptor). */
  readonly kind: TxDescriptor['kind'];
}

/** One packet as the driver handed it over: its buffers and offload requests. */
export interface TxPacket {
  /** Line of the packet's first data descriptor event. */
  readonly line: number;
  readonly buffers: readonly { readonly address: bigint; readonly length: number }[];
  /** What the first descriptor asked the device to do. */
  readonly offloads: TxOffloads;
  /** TSO: the payload the device cuts into segments (from the data descriptor or the context, by layout). */
  readonly payloadLength?: number;
  /** The context descriptor its offloads use, if one was given. */
  readonly context?: TxContext;
  /** Why its frame cannot be rebuilt from the capture, if it cannot (a legacy descriptor's checksum insertion). */
  readonly unsupported?: string;
}

export interface TxHandoff {
  readonly access: Access;
  /** Register name of the tail write (`TDT(1)`). */
  readonly register: string;
  readonly descriptors: readonly PlacedDescriptor[];
  /** Packets whose last descriptor (EOP) the device read at this write. */
  readonly packets: readonly TxPacket[];
  /** The queue reports done descriptors by head write-back (TDWBAL bit 0), not by DD in them. */
  readonly headWriteback?: true;
}

/** igb TDWBAL(n) bit 0: head write-back instead of DD in the descriptors (82576 datasheet 8.12.12). */
const HEAD_WRITEBACK_ENABLE = 1;

interface QueueState {
  baseLow: number;
  baseHigh: number;
  length: number;
  head: number;
  readonly contexts: Map<number, TxContext>;
  /** Descriptors of a packet whose EOP has not been read yet. */
  partial: TxDescriptor[];
  headWriteback: boolean;
}

/** Where descriptor events show up without a tail write (their ring is unknown): counted, not seeded. */
export interface UnplacedDescriptors {
  readonly line: number;
  readonly count: number;
}

export class TxRings {
  private readonly queues = new Map<number, QueueState>();
  readonly unplaced: UnplacedDescriptors[] = [];

  constructor(private readonly registers: RegisterDatabase, private readonly layout: TxDescriptorLayout) {}

  /** Follows one access; returns what a tail write that made the device read descriptors handed over. */
  see(access: Access): TxHandoff | undefined {
    if (access.space !== 'mmio' || access.kind !== 'write') return this.noteStray(access);
    const ref = this.registers.lookupOffset(access.offset);
    const name = ref?.def.name;
    if (ref === undefined || name === undefined || !['TDBAL', 'TDBAH', 'TDLEN', 'TDH', 'TDT', 'TDWBAL'].includes(name)) return this.noteStray(access);
    const queue = this.queue(ref.index ?? 0);
    switch (name) {
      case 'TDBAL': queue.baseLow = access.value >>> 0; return undefined;
      case 'TDBAH': queue.baseHigh = access.value >>> 0; return undefined;
      case 'TDLEN': queue.length = access.value >>> 0; return undefined;
      case 'TDH': queue.head = access.value >>> 0; return undefined;
      case 'TDWBAL': queue.headWriteback = (access.value & HEAD_WRITEBACK_ENABLE) !== 0; return undefined;
      default: return this.tail(access, ref.name, queue);
    }
  }

  private tail(access: Access, register: string, queue: QueueState): TxHandoff | undefined {
    const events = access.events.filter((event) => event.name === TX_DESCRIPTOR_EVENT);
    if (events.length === 0) return undefined;
    const count = Math.max(1, Math.floor(queue.length / DESCRIPTOR_BYTES));
    const base = queue.baseHigh * 2 ** 32 + queue.baseLow;
    const descriptors: PlacedDescriptor[] = [];
    const packets: TxPacket[] = [];
    for (const event of events) {
      const words = descriptorWords(event);
      if (words === undefined) continue;
      const descriptor = classifyDescriptor(words, this.layout);
      descriptors.push({ address: base + (queue.head % count) * DESCRIPTOR_BYTES, words, kind: descriptor.kind });
      queue.head = (queue.head + 1) % count;
      const packet = this.follow(queue, descriptor);
      if (packet !== undefined) packets.push(packet);
    }
    return { access, register, descriptors, packets, ...(queue.headWriteback ? { headWriteback: true as const } : {}) };
  }

  /** Adds a descriptor to its queue's packet; returns the packet once its EOP descriptor is read. */
  private follow(queue: QueueState, descriptor: TxDescriptor): TxPacket | undefined {
    if (descriptor.kind === 'context') {
      queue.contexts.set(descriptor.context.index, descriptor.context);
      return undefined;
    }
    if (descriptor.kind === 'unknown') return undefined;
    queue.partial.push(descriptor);
    if (!descriptor.eop) return undefined;
    const parts = queue.partial;
    queue.partial = [];
    const first = parts[0]!;
    const buffers = parts.map((d) => (d.kind === 'data' || d.kind === 'legacy' ? { address: d.address, length: d.length } : { address: 0n, length: 0 }));
    if (first.kind !== 'data' && first.kind !== 'legacy') return undefined;
    const context = first.kind === 'data' ? queue.contexts.get(first.contextIndex) : undefined;
    const payloadLength = first.kind === 'data' ? first.payloadLength ?? context?.payloadLength : undefined;
    const unsupported = first.kind === 'legacy' && first.insertsChecksumAt ? 'legacy descriptor with checksum insertion (not rebuilt)' : undefined;
    return {
      line: first.words.line, buffers, offloads: first.offloads,
      ...(payloadLength === undefined ? {} : { payloadLength }),
      ...(context === undefined ? {} : { context }), ...(unsupported === undefined ? {} : { unsupported }),
    };
  }

  private queue(index: number): QueueState {
    let queue = this.queues.get(index);
    if (queue === undefined) {
      queue = { baseLow: 0, baseHigh: 0, length: 0, head: 0, contexts: new Map(), partial: [], headWriteback: false };
      this.queues.set(index, queue);
    }
    return queue;
  }

  /** Descriptor events on anything but a tail write: which ring they came from is not known. */
  private noteStray(access: Access): undefined {
    const count = access.events.reduce((n, event) => n + (event.name === TX_DESCRIPTOR_EVENT ? 1 : 0), 0);
    if (count > 0) this.unplaced.push({ line: access.line, count });
    return undefined;
  }
}
