// Whether the device loops what it transmits back into its own receive path. QEMU's igb and e1000e
// do so while the PHY is in loopback (BMCR.LOOPBACK) or the MAC is (RCTL.LBM = 01: its low bit),
// as Linux's offline self-test (`ethtool -t`) sets them; such a frame never reaches the network
// backend, so the recording's capture has no bytes of it. A device reset (CTRL.RST, DEV_RST) or a
// PHY reset (CTRL.PHY_RST) returns both to their defaults, loopback off. The bit positions come
// from the register database's field tables.

import type { Access, TraceRecord } from '../model/access.js';
import type { FieldDef, RegisterRef } from '../model/register.js';
import type { RegisterDatabase } from '../regs/database.js';

const MAC_LOOPBACK = 1;

function field(ref: RegisterRef, name: string): FieldDef | undefined {
  return ref.def.fields.find((f) => f.name === name);
}

function fieldValue(def: FieldDef | undefined, value: number): number {
  if (def === undefined) return 0;
  const width = def.hi - def.lo + 1;
  return width >= 32 ? value >>> 0 : (value >>> def.lo) & ((1 << width) - 1);
}

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
    if (ref?.def.name !== 'BMCR') return;
    this.phy = fieldValue(field(ref, 'LOOPBACK'), access.value) !== 0;
  }

  private seeMmio(access: Access): void {
    const ref = this.registers.lookupOffset(access.offset);
    if (ref === undefined) return;
    const canonical = this.registers.canonical(ref);
    if (canonical.def.name === 'RCTL') {
      this.mac = (fieldValue(field(canonical, 'LBM'), access.value) & MAC_LOOPBACK) !== 0;
    } else if (canonical.def.name === 'CTRL') {
      const deviceReset = ['RST', 'DEV_RST'].some((name) => fieldValue(field(canonical, name), access.value) !== 0);
      if (deviceReset) this.mac = false;
      if (deviceReset || fieldValue(field(canonical, 'PHY_RST'), access.value) !== 0) this.phy = false;
    }
  }
}
