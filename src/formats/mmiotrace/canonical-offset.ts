// BAR0 offsets as the driver wrote them -> the canonical offsets the access model uses. Linux (and so
// mmiotrace) may use a legacy alias (RDBAL_A(1) at 0x2900); QEMU logs the register it maps to
// (RDBAL(1) at 0xc040), and replay, diff and triage key registers by that.

import { registersFor } from '../../regs/database.js';
import { DEFAULT_DEVICE_MODEL, type DeviceModel } from '../../devices/table.js';

export type CanonicalOffset = (offset: number, model?: DeviceModel) => number;

/** Canonical offset by the chip's register database (the default model's unless the chip is known); unknown offsets stay. */
export function canonicalOffsetFor(offset: number, model: DeviceModel = DEFAULT_DEVICE_MODEL): number {
  const db = registersFor(model);
  const ref = db.lookupOffset(offset);
  if (ref === undefined) return offset;
  const canonical = db.canonical(ref);
  // A byte or word access inside a register keeps its position within the register.
  return canonical === ref ? offset : canonical.offset + (offset - ref.offset);
}
