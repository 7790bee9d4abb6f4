// Turns the parser's flat stream of primary accesses and side events into Access and Marker
// records, attaching every side event to what caused it.
//
// QEMU prints a read's side effects *before* its core_read line (the readop runs first) and a
// write's *after* its core_write line; timers and the network backend print from other threads at
// any time. So the events between two primary lines are split:
//  - the tail that the next read's register emits (e.g. ICR clear-on-read events) goes to that read;
//  - events printed by another thread than the vCPU (known from the timestamp prefix), or that only
//    a timer / the backend emits, start or extend a Marker;
//  - the rest belongs to the previous write (or, with no write to own it, to an `async` marker).
// An access is emitted once the next primary line shows that nothing more can attach to it.

import type { Access, AccessKind, AddressSpace, Marker, MarkerKind, QemuVerdict, SideEvent } from '../../model/access.js';
import type { RecordSink } from '../sink.js';
import { isReadEffectOf } from './events.js';

/** A PHY register access that an MDIC event reveals; becomes a derived `phy` Access. */
export interface PhyEffect {
  readonly kind: AccessKind;
  readonly register: number;
  readonly value: number;
  readonly verdict: QemuVerdict;
}

/** How a side event relates to the primary lines around it. */
export const EventRole = {
  Plain: 0,
  /** `wrn_regs_*_trivial` or `io_write_data`: immediately precedes its own access's primary line. */
  AnnouncesNext: 1,
  /** `io_read_data`: immediately follows its own access's primary line. */
  ConfirmsPrevious: 2,
} as const;
export type EventRole = (typeof EventRole)[keyof typeof EventRole];

interface PendingEvent {
  readonly event: SideEvent;
  readonly thread: number;
  readonly timeUs: number;
  readonly markerKind: MarkerKind | undefined;
  readonly role: EventRole;
  readonly phy: PhyEffect | undefined;
}

type MutableAccess = { -readonly [K in keyof Access]: Access[K] };
/** A marker still collecting its events: its own array, which it hands on as the model's read-only one. */
type MutableMarker = { -readonly [K in keyof Marker as Exclude<K, 'events'>]: Marker[K] } & { events: SideEvent[] };

/** Shared by every access without events (most of them): no empty array per access. */
const NO_EVENTS: readonly SideEvent[] = Object.freeze([]);

export class AccessAssembler {
  private held: MutableAccess | undefined;
  /** The held access's events, once it has any (`held.events` is this array then). */
  private heldEvents: SideEvent[] | undefined;
  private heldPhy: PhyEffect[] = [];
  private pending: PendingEvent[] = [];
  private openMarker: MutableMarker | undefined;
  private readonly markers: MutableMarker[] = [];
  private nextSeq = 0;
  private lastSeq = -1;
  private readonly vcpuThreads = new Set<number>();

  constructor(private readonly sink: RecordSink) {}

  /** The access waiting for its after-effects, if any (used to merge duplicate config lines). */
  get heldAccess(): Readonly<Access> | undefined {
    return this.held;
  }

  get hasPendingEvents(): boolean {
    return this.pending.length > 0;
  }

  setHeldSize(size: number): void {
    if (this.held !== undefined) this.held.size = size;
  }

  addEvent(event: SideEvent, thread: number, timeUs: number, markerKind: MarkerKind | undefined,
    role: EventRole, phy?: PhyEffect): void {
    this.pending.push({ event, thread, timeUs, markerKind, role, phy });
  }

  /** A primary line. Positional arguments keep the per-access hot path free of temporary objects. */
  addAccess(line: number, kind: AccessKind, space: AddressSpace, offset: number, size: number, value: number,
    verdict: QemuVerdict, register: number | undefined, timeUs: number, thread: number, vf?: number): void {
    if (thread >= 0 && !this.vcpuThreads.has(thread)) this.vcpuThreads.add(thread);
    const next: MutableAccess = {
      type: 'access', seq: -1, line, kind, space, offset, size, value, verdict, register, cause: undefined, vf,
      events: NO_EVENTS, timeUs: Number.isNaN(timeUs) ? undefined : timeUs, thread: thread >= 0 ? thread : undefined,
    };
    if (this.pending.length === 0) {
      this.flushHeld();
      this.held = next;
      return;
    }
    const split = this.splitPoint(next);
    this.distributeBefore(split);
    this.flushHeld();
    this.held = next;
    this.attachTail(split);
    this.pending.length = 0;
  }

  /** Emits everything still held at the end of the trace. */
  finish(): void {
    this.distributeBefore(this.pending.length);
    this.pending.length = 0;
    this.flushHeld();
  }

  /** Index of the first pending event that belongs to `next` rather than to what came before. */
  private splitPoint(next: Access): number {
    const pending = this.pending;
    if (next.kind === 'read') {
      for (let i = 0; i < pending.length; i++) {
        const item = pending[i]!;
        if (item.role === EventRole.AnnouncesNext || isReadEffectOf(item.event.name, next.offset, item.event.text)) return i;
      }
      return pending.length;
    }
    let split = pending.length;
    while (split > 0 && pending[split - 1]!.role === EventRole.AnnouncesNext) split--;
    return split;
  }

  private distributeBefore(split: number): void {
    for (let i = 0; i < split; i++) {
      const item = this.pending[i]!;
      if (item.role === EventRole.ConfirmsPrevious && this.held !== undefined && this.openMarker === undefined) {
        this.attach(item);
      } else if (item.markerKind !== undefined || this.isAsync(item)) {
        this.addToMarker(item, item.markerKind);
      } else if (this.openMarker !== undefined && item.thread < 0) {
        this.openMarker.events.push(item.event);
      } else if (this.held !== undefined && this.held.kind === 'write') {
        this.attach(item);
      } else {
        this.addToMarker(item, item.event.category === 'reset' ? 'reset' : 'async');
      }
    }
  }

  private attachTail(split: number): void {
    const held = this.held!;
    for (let i = split; i < this.pending.length; i++) {
      const item = this.pending[i]!;
      if (this.isAsync(item)) {
        this.addToMarker(item, item.markerKind);
        continue;
      }
      if (item.event.name.endsWith('_trivial')) held.verdict = 'partial';
      this.attach(item);
    }
  }

  /** Printed by a thread other than the vCPU threads that make guest accesses. */
  private isAsync(item: PendingEvent): boolean {
    return item.thread >= 0 && this.vcpuThreads.size > 0 && !this.vcpuThreads.has(item.thread);
  }

  /** Gives `item` to the held access (callers check there is one). */
  private attach(item: PendingEvent): void {
    if (this.heldEvents === undefined) {
      this.heldEvents = [];
      this.held!.events = this.heldEvents;
    }
    this.heldEvents.push(item.event);
    if (item.phy !== undefined) this.heldPhy.push(item.phy);
  }

  private addToMarker(item: PendingEvent, kind: MarkerKind | undefined): void {
    const open = this.openMarker;
    if (open !== undefined && !this.receivedElsewhere(open, item, kind) && (kind === undefined || kind === open.kind || kind === 'async')) {
      open.events.push(item.event);
      return;
    }
    const marker: MutableMarker = {
      type: 'marker',
      kind: kind ?? 'async',
      line: item.event.line,
      afterSeq: -1,
      events: [item.event],
      timeUs: Number.isNaN(item.timeUs) ? undefined : item.timeUs,
      thread: item.thread >= 0 ? item.thread : undefined,
    };
    this.markers.push(marker);
    this.openMarker = marker;
  }

  /**
   * A frame's receipt printed by the backend's thread after frames a vCPU received inside its write
   * (the backend answering at once): a packet marker of its own, since the replay hands the two
   * over at different points (rx-path.ts injectedBeforeWrite: the write's own frames before it, the
   * later ones after it, as the recording's device got them).
   */
  private receivedElsewhere(open: MutableMarker, item: PendingEvent, kind: MarkerKind | undefined): boolean {
    return kind === 'rx-packet' && open.kind === 'rx-packet' && open.thread !== undefined && this.vcpuThreads.has(open.thread) && this.isAsync(item);
  }

  private flushHeld(): void {
    const held = this.held;
    if (held !== undefined) {
      held.seq = this.nextSeq++;
      this.lastSeq = held.seq;
      this.sink.access(held);
      if (this.heldPhy.length > 0) {
        for (const phy of this.heldPhy) this.emitPhy(held, phy);
        this.heldPhy.length = 0;
      }
      this.held = undefined;
      this.heldEvents = undefined;
    }
    if (this.markers.length === 0) return;
    for (const marker of this.markers) {
      marker.afterSeq = this.lastSeq;
      this.sink.marker(marker);
    }
    this.markers.length = 0;
    this.openMarker = undefined;
  }

  private emitPhy(cause: Access, phy: PhyEffect): void {
    const seq = this.nextSeq++;
    this.lastSeq = seq;
    this.sink.access({
      type: 'access', seq, line: cause.line, kind: phy.kind, space: 'phy', offset: phy.register, size: 2,
      value: phy.value, verdict: phy.verdict, register: undefined, cause: cause.seq, vf: undefined, events: NO_EVENTS,
      timeUs: cause.timeUs, thread: cause.thread,
    });
  }

}
