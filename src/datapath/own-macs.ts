// The MAC addresses the NIC's own frames leave with: the recording's MAC, and every receive-address
// entry the guest made valid (RAL/RAH with AV). With SR-IOV the PF driver writes each VF's MAC into
// an entry of the VF's pool, and the VF's frames carry it; a guest's secondary unicast addresses
// (macvlan) go there too. A captured frame from any of them is one the NIC sent. The entries are
// learnt as the replay reaches their writes, before the frames that use them.

import type { TraceRecord } from '../model/access.js';
import type { RegisterDatabase } from '../regs/database.js';

export class OwnMacs {
  private readonly macs = new Set<string>();
  /** The last RAL write of each entry, waiting for its RAH. */
  private readonly low = new Map<number, number>();

  constructor(private readonly registers: RegisterDatabase, nicMac: Uint8Array) {
    this.macs.add(key(nicMac, 0));
  }

  /** Learns the entries a window of the recording makes valid. */
  see(records: readonly TraceRecord[]): void {
    for (const record of records) {
      if (record.type !== 'access' || record.kind !== 'write' || record.space !== 'mmio') continue;
      const ref = this.registers.lookupOffset(record.offset);
      const entry = ref?.index ?? 0;
      if (ref?.def.name === 'RAL') this.low.set(entry, record.value >>> 0);
      else if (ref?.def.name === 'RAH') {
        const fields = new Map(this.registers.decode(ref, record.value).map((f) => [f.field.name, f.value]));
        const low = this.low.get(entry);
        if (fields.get('AV') !== 1 || low === undefined) continue;
        const high = fields.get('ADDR_HI') ?? 0;
        const mac = Uint8Array.of(low & 0xff, (low >>> 8) & 0xff, (low >>> 16) & 0xff, low >>> 24, high & 0xff, high >>> 8);
        // An all-zero or multicast entry is never a source address.
        if ((mac[0]! & 1) === 0 && mac.some((b) => b !== 0)) this.macs.add(key(mac, 0));
      }
    }
  }

  /** Whether the frame's source address is one of the NIC's. */
  sentBy(frame: Uint8Array): boolean {
    return frame.length >= 12 && this.macs.has(key(frame, 6));
  }

  get count(): number {
    return this.macs.size;
  }
}

function key(bytes: Uint8Array, at: number): string {
  let text = '';
  for (let i = at; i < at + 6; i++) text += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return text;
}
