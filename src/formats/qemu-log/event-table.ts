// Event names seen in a trace, indexed by a hash of their bytes so that the parser can look an
// event up without first making a string of its name (most lines repeat a few dozen names).

import type { SideEventCategory } from '../../model/access.js';

export type EventHandler = (pos: number, end: number) => void;

export interface EventInfo {
  readonly name: string;
  /** `device`: the NIC's families; `pci`: pci_cfg_* (the NIC's or not, decided per line); `other`. */
  readonly kind: 'device' | 'pci' | 'other';
  readonly handler: EventHandler | undefined;
  readonly category: SideEventCategory;
  /** Lines of this event that are the device's. */
  count: number;
  /** Lines of this event that are not about the device (other subsystems, other PCI functions). */
  foreign: number;
}

interface Entry {
  readonly bytes: Buffer;
  readonly info: EventInfo;
  readonly next: Entry | undefined;
}

/** Bound on distinct names kept, so a hostile input cannot grow the table without limit. */
export const MAX_EVENT_NAMES = 4096;

export class EventTable {
  private readonly byHash = new Map<number, Entry>();
  private size = 0;

  /** Hash of `bytes[start, end)`, the same function `find` expects. */
  static hash(bytes: Buffer, start: number, end: number): number {
    let hash = 0;
    for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + bytes[i]!) | 0;
    return hash;
  }

  find(hash: number, bytes: Buffer, start: number, end: number): EventInfo | undefined {
    for (let entry = this.byHash.get(hash); entry !== undefined; entry = entry.next) {
      if (sameBytes(entry.bytes, bytes, start, end)) return entry.info;
    }
    return undefined;
  }

  add(hash: number, info: EventInfo): void {
    if (this.size >= MAX_EVENT_NAMES) return;
    this.size++;
    this.byHash.set(hash, { bytes: Buffer.from(info.name, 'latin1'), info, next: this.byHash.get(hash) });
  }
}

function sameBytes(name: Buffer, bytes: Buffer, start: number, end: number): boolean {
  if (name.length !== end - start) return false;
  for (let i = 0; i < name.length; i++) if (name[i] !== bytes[start + i]) return false;
  return true;
}
