// The MAC the recording's device had, from QEMU's own reset-time events (`e1000e_mac_set_permanent`,
// `e1000x_mac_indicate`): the replay gives the target the same MAC, so RAL0/RAH0 and the EEPROM
// words derived from it read back as recorded.

import type { Access, Marker } from '../model/access.js';

const MAC_EVENTS: ReadonlySet<string> = new Set(['e1000e_mac_set_permanent', 'e1000x_mac_indicate']);
const MAC = /([0-9a-f]{2}(?::[0-9a-f]{2}){5})/i;

/** A record sink that remembers the first MAC QEMU's events name. */
export class RecordedMacFinder {
  private found: string | undefined;

  /** The events whose text this reads. */
  static readsTextOf(name: string): boolean {
    return MAC_EVENTS.has(name);
  }

  get mac(): string | undefined {
    return this.found;
  }

  access(a: Access): void {
    if (this.found === undefined && a.events.length > 0) this.look(a.events);
  }

  marker(m: Marker): void {
    if (this.found === undefined) this.look(m.events);
  }

  private look(events: Access['events']): void {
    for (const event of events) {
      if (!MAC_EVENTS.has(event.name)) continue;
      const match = MAC.exec(event.text);
      if (match !== null) {
        this.found = match[1]!.toLowerCase();
        return;
      }
    }
  }
}
