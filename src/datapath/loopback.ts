// Whether the device loops what it transmits back into its own receive path. QEMU's igb and e1000e
// do so while the PHY is in loopback (BMCR.LOOPBACK) or the MAC is (RCTL.LBM = 01: its low bit),
// as Linux's offline self-test (`ethtool -t`) sets them; such a frame never reaches the network
// backend, so the recording's capture has no bytes of it. A device reset (CTRL.RST, DEV_RST) or a
// PHY reset (CTRL.PHY_RST) returns both to their defaults, loopback off. The bit positions come
// from the register database's field tables.

import type { Access, TraceRecord } from '../model/access.js';
import type { RegisterRef } from '../model/register.js';
import type { RegisterDatabase } from '../regs/database.js';

/** RCTL.LBM's low bit: MAC loopback (QEMU tests it alone: LBM 01 and 11 both loop back). */
const MAC_LOOPBACK = 1;

export class LoopbackMode {
  private phy = false;
  private mac = false;

  constructor(private readonly registers: RegisterDatabase) {}

  see(record: TraceRecord): void {
    if (record.type !== 'access' || record.kind !== 'write') return;
    if (record.space === 'phy') this.seePhy(record);
    else if (record.space === 'mmio') this.seeMmio(record);
  }

  /** What loops frames back now (for reports), or undefined when frames go to the network backend. */
  get active(): string | undefined {
    if (this.phy) return 'PHY loopback (BMCR.LOOPBACK)';
    if (this.mac) return 'MAC loopback (RCTL.LBM)';
    return undefined;
  }

  private seePhy(access: Access): void {
    const ref = this.registers.lookupPhy(access.offset);
    if (ref?.def.name === 'BMCR') this.phy = this.fields(ref, access.value).get('LOOPBACK') === 1;
  }

  private seeMmio(access: Access): void {
    const ref = this.registers.lookupOffset(access.offset);
    if (ref === undefined) return;
    const canonical = this.registers.canonical(ref);
    if (canonical.def.name === 'RCTL') {
      this.mac = ((this.fields(canonical, access.value).get('LBM') ?? 0) & MAC_LOOPBACK) !== 0;
    } else if (canonical.def.name === 'CTRL') {
      const fields = this.fields(canonical, access.value);
      const deviceReset = fields.get('RST') === 1 || fields.get('DEV_RST') === 1;
      if (deviceReset) this.mac = false;
      if (deviceReset || fields.get('PHY_RST') === 1) this.phy = false;
    }
  }

  private fields(ref: RegisterRef, value: number): Map<string, number> {
    return new Map(this.registers.decode(ref, value).map((f) => [f.field.name, f.value]));
  }
}
