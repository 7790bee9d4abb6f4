// Recognises the phases of a driver's life in a trace — probe, reset, NVM/PHY identification,
// queue set-up, link-up, traffic — so that divergences and diffs can be reported per phase
// ("everything went wrong during NVM identification" says more than a list of EERD reads).
//
// A phase starts at the access (or marker) that is characteristic of it and lasts until the next
// phase starts; phases can recur (a reload has two probes and several resets). The signals are
// the hardware's, not one driver's code paths, so they hold for Linux igb and e1000e, for QEMU
// logs and for mmiotrace (which has no markers):
//  - reset: a CTRL write with RST (bit 26) or DEV_RST (bit 29) set.
//  - NVM/PHY identification: EEPROM/flash or MDIC/PHY accesses while probing or right after a reset.
//  - queue set-up: a write to a ring's base address or length (RDBAL/RDBAH/RDLEN/TDBAL/TDBAH/TDLEN):
//    drivers write them only when they build rings.
//  - link-up: QEMU's autonegotiation or a backend link change completing, or the first STATUS read
//    with LU set after reads with LU clear (mmiotrace has no markers; real hardware shows it so).
//  - traffic: a packet — a received-packet marker, a transmit caused by a TDT write, or a non-zero
//    TDT write once the link is up (the driver queued a frame).
//  - probe: the start of the trace, and again when the PCI COMMAND register is written with memory
//    decode enabled after the device was running (a driver reload re-enables the function).
// Incremental, so that a diff of million-access traces can track phases without keeping records.

import type { Access, Marker, TraceRecord } from '../model/access.js';
import type { Phase, PhaseKind } from '../model/phase.js';
import type { RegisterDatabase } from '../regs/database.js';

export { PHASE_KINDS, PHASE_TITLES } from '../model/phase.js';
export type { Phase, PhaseKind } from '../model/phase.js';

const CTRL_RESET_BITS = (1 << 26) | (1 << 29);
const STATUS_LU = 1 << 1;
const PCI_COMMAND = 0x04;
const COMMAND_BUS_MASTER = 1 << 2;
/**
 * Tables a driver clears when it initialises the hardware (after identification, and in every
 * later reset). RAL/RAH are not among them: the MAC address is written while identifying.
 */
const INIT_TABLES: ReadonlySet<string> = new Set(['MTA', 'VFTA', 'UTA']);
const RING_REGISTERS: ReadonlySet<string> = new Set(['RDBAL', 'RDBAH', 'RDLEN', 'TDBAL', 'TDBAH', 'TDLEN']);

interface Open { kind: PhaseKind; occurrence: number; startSeq: number; firstLine: number; cause: string }

/** What starts a phase. */
interface PhaseStart { readonly kind: PhaseKind; readonly cause: string }

/** Feed records in trace order; `phases()` gives the segments seen so far. */
export class PhaseTracker {
  private readonly closed: Phase[] = [];
  private readonly occurrences = new Map<PhaseKind, number>();
  private open: Open | undefined;
  private lastSeq = -1;
  private lastLine = 0;
  /** LU of the last STATUS read since the last reset; undefined before the first one. */
  private linkUp: boolean | undefined;
  private busMaster = false;
  private busMasterEverSet = false;
  /** The current driver load initialised the hardware: later NVM reads are configuration, not identification. */
  private hardwareInitialised = false;
  /** A marker's phase begins with the next access (markers have no seq of their own). */
  private pending: PhaseStart | undefined;

  constructor(private readonly registers: RegisterDatabase) {}

  observe(record: TraceRecord): void {
    if (record.type === 'marker') this.observeMarker(record);
    else this.observeAccess(record);
  }

  observeAccess(access: Access): void {
    const next = this.classify(access);
    // The first access always opens a phase, so a trace starts in `probe` unless it starts with a reset.
    if (this.open === undefined) this.start(next ?? { kind: 'probe', cause: 'start of the trace' }, access.seq, access.line);
    else if (next !== undefined && next.kind !== this.open.kind) this.start(next, access.seq, access.line);
    this.lastSeq = access.seq;
    this.lastLine = access.line;
  }

  observeMarker(marker: Marker): void {
    const current = this.open?.kind;
    if ((marker.kind === 'autoneg' || marker.kind === 'link-change') && current !== 'link-up' && current !== 'traffic' && this.open !== undefined) {
      this.pending = { kind: 'link-up', cause: marker.kind === 'autoneg' ? 'autonegotiation completed' : 'backend link change' };
    } else if (marker.kind === 'rx-packet' && current === 'link-up') {
      this.pending = { kind: 'traffic', cause: 'packet received' };
    }
  }

  /** The phases seen so far; the last one ends at the last access observed. */
  phases(): Phase[] {
    const all = [...this.closed];
    if (this.open !== undefined) all.push(this.close(this.open, this.lastSeq + 1, this.lastLine));
    return all;
  }

  private classify(access: Access): PhaseStart | undefined {
    const pending = this.pending;
    this.pending = undefined;
    const current = this.open?.kind;
    const identifying = !this.hardwareInitialised && (current === 'probe' || current === 'reset');
    if (access.space === 'pci-config') return this.classifyConfig(access) ?? pending;
    // PHY registers are reached through MDIC; the MDIC write itself says which (works for mmiotrace too).
    if (access.space !== 'mmio') return pending;
    // Canonical names: drivers of the older parts write queue registers at the legacy aliases.
    const ref = this.registers.lookupOffset(access.offset);
    const name = ref === undefined ? undefined : this.registers.canonical(ref).def.name;
    if (name === 'CTRL' && access.kind === 'write' && (access.value & CTRL_RESET_BITS) !== 0) {
      this.linkUp = undefined;
      return { kind: 'reset', cause: (access.value & (1 << 26)) !== 0 ? 'CTRL write with RST' : 'CTRL write with DEV_RST' };
    }
    if (identifying && name === 'MDIC' && access.kind === 'write' && isPhyIdRead(access.value)) {
      return { kind: 'nvm-phy-id', cause: 'PHY identifier read' };
    }
    // EECD tells the NVM's size and type during probe; after a reset it is read to wait for the auto-read.
    if ((identifying && name === 'EERD') || (current === 'probe' && name === 'EECD')) {
      return { kind: 'nvm-phy-id', cause: `${name} access` };
    }
    if ((identifying || current === 'nvm-phy-id' || current === 'reset') && name !== undefined && INIT_TABLES.has(name) && access.kind === 'write') {
      this.hardwareInitialised = true;
      return { kind: 'hw-init', cause: `${name} cleared` };
    }
    if (name !== undefined && RING_REGISTERS.has(name) && access.kind === 'write' && current !== 'queue-setup' && current !== 'traffic') {
      return { kind: 'queue-setup', cause: `${name} write` };
    }
    if (name === 'STATUS' && access.kind === 'read') {
      const up = (access.value & STATUS_LU) !== 0;
      const wasDown = this.linkUp === false;
      this.linkUp = up;
      if (up && wasDown && current !== 'link-up' && current !== 'traffic') return { kind: 'link-up', cause: 'STATUS.LU set' };
    }
    if (name === 'TDT' && access.kind === 'write' && (current === 'link-up' || pending?.kind === 'link-up')) {
      const transmits = access.events.some((e) => e.category === 'tx');
      if (transmits || access.value !== 0) return { kind: 'traffic', cause: transmits ? 'packet transmitted' : 'TDT advanced' };
    }
    return pending;
  }

  /** A driver loaded again re-enables bus mastering that its predecessor's remove cleared. */
  private classifyConfig(access: Access): PhaseStart | undefined {
    // A VF's COMMAND is the VF driver's (igbvf), not the PF driver being loaded again.
    if (access.kind !== 'write' || access.offset !== PCI_COMMAND || access.vf !== undefined) return undefined;
    const busMaster = (access.value & COMMAND_BUS_MASTER) !== 0;
    const reenabled = busMaster && !this.busMaster && this.busMasterEverSet;
    this.busMaster = busMaster;
    if (busMaster) this.busMasterEverSet = true;
    if (!reenabled) return undefined;
    this.linkUp = undefined;
    this.hardwareInitialised = false;
    return { kind: 'probe', cause: 'PCI bus mastering enabled again (driver loaded again)' };
  }

  private start(next: PhaseStart, seq: number, line: number): void {
    if (this.open !== undefined) this.closed.push(this.close(this.open, seq, this.lastLine));
    const occurrence = (this.occurrences.get(next.kind) ?? 0) + 1;
    this.occurrences.set(next.kind, occurrence);
    this.open = { kind: next.kind, occurrence, startSeq: seq, firstLine: line, cause: next.cause };
  }

  private close(open: Open, endSeq: number, lastLine: number): Phase {
    return {
      kind: open.kind, occurrence: open.occurrence,
      label: open.occurrence === 1 ? open.kind : `${open.kind} #${open.occurrence}`,
      startSeq: open.startSeq, endSeq, firstLine: open.firstLine, lastLine, cause: open.cause,
    };
  }
}

export function recognisePhases(records: readonly TraceRecord[], registers: RegisterDatabase): Phase[] {
  const tracker = new PhaseTracker(registers);
  for (const record of records) tracker.observe(record);
  return tracker.phases();
}

/** The phase an access belongs to (binary search over phases in trace order). */
export function phaseOf(phases: readonly Phase[], seq: number): Phase | undefined {
  let lo = 0;
  let hi = phases.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const phase = phases[mid]!;
    if (seq < phase.startSeq) hi = mid - 1;
    else if (seq >= phase.endSeq) lo = mid + 1;
    else return phase;
  }
  return undefined;
}

/** MDIC write of a PHY read (OP = 10b) of PHY identifier register 2 or 3. */
function isPhyIdRead(mdic: number): boolean {
  const op = (mdic >>> 26) & 0x3;
  const reg = (mdic >>> 16) & 0x1f;
  return op === 2 && (reg === 2 || reg === 3);
}
