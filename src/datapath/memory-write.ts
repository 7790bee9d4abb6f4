// A write into guest memory the data path makes before handing descriptors to the device: ring
// descriptors and packet buffers at the addresses the recording shows. Pure.

export interface MemoryWrite {
  /** Guest physical address. */
  readonly address: number;
  readonly data: Uint8Array;
}

/** A stretch of guest memory to read back: guest physical address and bytes. */
export interface MemoryStretch {
  readonly address: number;
  readonly length: number;
}

/** Largest single write: one qtest line carries it as hex (see target/qtest-protocol.ts). */
const MAX_WRITE_BYTES = 64 * 1024;

/**
 * Joins writes that continue one another (consecutive ring descriptors, one buffer after the
 * other): fewer qtest commands. Order is kept; a later write over an earlier one still wins.
 */
export function coalesce(writes: readonly MemoryWrite[]): MemoryWrite[] {
  const out: MemoryWrite[] = [];
  for (const write of writes) {
    const last = out[out.length - 1];
    if (last !== undefined && last.address + last.data.length === write.address && last.data.length + write.data.length <= MAX_WRITE_BYTES) {
      const joined = new Uint8Array(last.data.length + write.data.length);
      joined.set(last.data);
      joined.set(write.data, last.data.length);
      out[out.length - 1] = { address: last.address, data: joined };
    } else {
      out.push(write);
    }
  }
  return out;
}
