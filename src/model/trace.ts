// The Trace value: one recording, loaded once by src/trace/load.ts, that every command takes —
// its records, the dialect and line accounting, the device it was recorded on (and why we think
// so), the recording's MAC and its sidecar. Pure types.

import type { TraceRecord } from './access.js';
import type { DeviceModel } from '../devices/table.js';
import type { TraceReadResult } from '../formats/read-trace.js';
import type { Sidecar } from '../trace/sidecar.js';
import type { NicPlacement } from './placement.js';

/**
 * Where the recorded device was learned: the recording's sidecar (authoritative: it says what QEMU
 * ran), the trace's own evidence (events, PCI id, registers: src/trace/device-evidence.ts), or
 * nothing (then igb, the project's device).
 */
export type DeviceSource = 'sidecar' | 'trace' | 'default';

export interface RecordedDevice {
  readonly model: DeviceModel;
  readonly source: DeviceSource;
  /** Why, for messages: `sidecar x.json`, `12 igb-only events (first igb_core_mdic_read)`. */
  readonly reason: string;
  /** `-device` properties the recording gave besides mac/netdev/id/addr/bus (sidecar only). */
  readonly properties: Readonly<Record<string, string>>;
  /** On the root bus, or behind the PCIe root port the sidecar names (`pcie_root_port`); root bus without a sidecar. */
  readonly placement: NicPlacement;
}

/** A sidecar that describes this very file (its sha256 matches). */
export interface TraceSidecar {
  readonly file: string;
  readonly content: Sidecar;
}

export interface Trace {
  /** The path as given on the command line (`-` for standard input). */
  readonly path: string;
  /** Dialect, size, line accounting and event counts of the read. */
  readonly read: TraceReadResult;
  readonly device: RecordedDevice;
  /** The recording device's MAC: from QEMU's own reset-time events, else the sidecar's. */
  readonly mac?: string;
  readonly sidecar?: TraceSidecar;
  /** Every record in trace order, unless the loader was told not to keep them (huge traces). */
  readonly records?: readonly TraceRecord[];
}
