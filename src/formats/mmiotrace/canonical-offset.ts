// BAR0 offsets as the driver wrote them -> the canonical offsets the access model uses. Linux (and so
// mmiotrace) may use a legacy alias (RDBAL_A(1) at 0x2900); QEMU logs the register it maps to
// (RDBAL(1) at 0xc040), and replay, diff and triage key registers by that.

import { registersFor } from '../../regs/database.js';

export type CanonicalOffset = (offset: number, model?: 'igb' | 'e1000e') => number;

/** Canonical offset by the chip's register database (igb unless known to be an 82574L); unknown offsets stay. */
export function canonicalOffsetFor(offset: number, model: 'igb' | 'e1000e' = 'igb'): number {
  const db = registersFor(model);
  const ref = db.lookupOffset(offset);
  if (ref === undefined) return offset;
  const canonical = db.canonical(ref);
  // A byte or word access inside a register keeps its position within the register.
  return canonical === ref ? offset : canonical.offset + (offset - ref.offset);
}
