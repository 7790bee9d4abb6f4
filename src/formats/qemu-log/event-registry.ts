// What the parser knows about each event name it has met: family, handler, category and line
// counts. Looked up by name on the general path and by the bytes of the name on the fast ones.

import type { SideEventCategory } from '../../model/access.js';
import type { LineCounters } from '../line-stats.js';
import { categoryOf, isDeviceEvent, textPlacesEvent } from './events.js';
import type { Handler } from './handlers.js';
import { MAX_EVENT_NAMES, NameTable } from './name-table.js';

export interface EventInfo {
  readonly name: string;
  /** `device`: the NIC's families; `pci`: pci_cfg_* (the NIC's or not, decided per line); `other`. */
  readonly kind: 'device' | 'pci' | 'other';
  readonly handler: Handler | undefined;
  readonly category: SideEventCategory;
  /** Lines of this event that are the device's. */
  count: number;
  /** Lines of this event that are not about the device (other subsystems, other PCI functions). */
  foreign: number;
  /** Whether its SideEvents carry their text (else an empty one: see QemuLogOptions.eventText). */
  readonly keepsText: boolean;
}

/** Where the lines of names past MAX_EVENT_NAMES are counted. */
const MORE_DEVICE_NAMES = '(other device event names)';
const MORE_NAMES = '(other event names)';

export class EventRegistry {
  private readonly byName = new Map<string, EventInfo>();
  private readonly byBytes = new NameTable<EventInfo>();

  /** `eventText`: the events whose text to keep (default: all). */
  constructor(private readonly handlers: ReadonlyMap<string, Handler>, private readonly eventText?: (name: string) => boolean) {
    for (const name of handlers.keys()) this.named(name);
  }

  /** One lookup per line gives everything the parser needs to know about an event name. */
  named(name: string): EventInfo {
    const known = this.byName.get(name);
    if (known !== undefined) return known;
    const kind = name.startsWith('pci_cfg_') ? 'pci' : isDeviceEvent(name) ? 'device' : 'other';
    // Bounded, so a hostile input cannot grow the table without limit.
    if (this.byName.size >= MAX_EVENT_NAMES) return this.overflow(kind === 'device' ? 'device' : 'other');
    const keepsText = this.eventText === undefined || this.eventText(name) || textPlacesEvent(name);
    const info: EventInfo = { name, kind, handler: this.handlers.get(name), category: categoryOf(name), count: 0, foreign: 0, keepsText };
    this.byName.set(name, info);
    return info;
  }

  /** The name `bytes[start, end)`, whose hash the classifier computed while reading it. */
  found(hash: number, bytes: Buffer, start: number, end: number): EventInfo {
    let info = this.byBytes.find(hash, bytes, start, end);
    if (info === undefined) {
      const name = bytes.toString('latin1', start, end);
      info = this.named(name);
      this.byBytes.add(hash, name, info);
    }
    return info;
  }

  /** Adds every name's line counts to `counters`. */
  countInto(counters: LineCounters): void {
    for (const info of this.byName.values()) {
      if (info.count > 0) counters.device(info.name, info.count);
      if (info.foreign > 0) counters.other(info.name, info.foreign, info.kind === 'pci');
    }
  }

  private overflow(kind: 'device' | 'other'): EventInfo {
    const name = kind === 'device' ? MORE_DEVICE_NAMES : MORE_NAMES;
    let info = this.byName.get(name);
    if (info === undefined) {
      info = { name, kind, handler: undefined, category: 'other', count: 0, foreign: 0, keepsText: this.eventText === undefined };
      this.byName.set(name, info);
    }
    return info;
  }
}
