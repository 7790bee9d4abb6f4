// The one typed access model every trace dialect is turned into.
//
// A trace is a stream of records in source order:
//  - Access: one guest access to the device (MMIO register, IO BAR, PCI config, or a PHY register
//    reached through MDIC), with QEMU's own verdict on it where the trace says.
//  - Marker: something that happened between guest accesses without one (a QEMU timer fired, a
//    packet arrived). Replay uses markers to let virtual time run at the right places.
// Side events (irq, link, mdic, rx/tx, reset, ...) hang off the access or marker that caused them.
// Pure types: no I/O here.

export type AccessKind = 'read' | 'write';

/**
 * Where an access went.
 * - `mmio`: BAR0 register space; `offset` is the canonical (alias-resolved) byte offset.
 * - `io`: the IO BAR (IOADDR at +0, IODATA at +4). For IODATA accesses `register` is the MAC
 *   register reached through IOADDR.
 * - `pci-config`: the NIC function's PCI configuration space, or one of its SR-IOV virtual
 *   functions' (`vf`).
 * - `phy`: a PHY register reached through MDIC. Derived from the MDIC write that caused it (`cause`);
 *   replaying that MDIC write replays this access, so replay skips these.
 */
export type AddressSpace = 'mmio' | 'io' | 'pci-config' | 'phy';

export const ADDRESS_SPACES: readonly AddressSpace[] = ['mmio', 'io', 'pci-config', 'phy'];

/**
 * What the recording QEMU said about the access.
 * - `ok`: handled normally; also every access of a trace without verdicts (Linux mmiotrace records
 *   what the driver saw, with no emulator to complain), so nothing is flagged that QEMU did not flag.
 * - `unknown`: QEMU has no handler (a read returned 0, a write was dropped).
 * - `read-only`: a write to a register QEMU only reads (dropped).
 * - `partial`: QEMU's "not fully implemented" warning (`wrn_regs_*_trivial`).
 * - `phy-unhandled`: MDIC access to a PHY register QEMU does not model (MDIC.ERROR set).
 */
export type QemuVerdict = 'ok' | 'unknown' | 'read-only' | 'partial' | 'phy-unhandled';

export const QEMU_VERDICTS: readonly QemuVerdict[] = ['ok', 'unknown', 'read-only', 'partial', 'phy-unhandled'];

/** Functional category of a side event, for summaries and for attaching it to its cause. */
export type SideEventCategory = 'irq' | 'link' | 'mdic' | 'rx' | 'tx' | 'reset' | 'mailbox' | 'config' | 'other';

/** A trace line that is not a guest access itself but says what one (or a timer) did. */
export interface SideEvent {
  /** Event name as printed by QEMU, e.g. `e1000e_irq_set`. */
  readonly name: string;
  readonly category: SideEventCategory;
  /** 1-based source line number. */
  readonly line: number;
  /** The formatted text after the event name. */
  readonly text: string;
  /**
   * When QEMU printed it (as Timing.timeUs), kept only for a throttling timer's arming
   * (`e1000e_irq_rearm_timer`): where the recording's clock was when the timer's delay started,
   * which an access that arms several timers (a frame received inside a transmit) does not tell.
   */
  readonly timeUs?: number;
}

/** When and on which thread a line was printed; absent fields were not in the trace. */
export interface Timing {
  /**
   * Microseconds since the Unix epoch (QEMU logs: wall clock of the recording host); for mmiotrace
   * since the guest kernel's trace clock origin (roughly its boot), which is all it records.
   */
  readonly timeUs?: number;
  /** Host thread id (QEMU <= 10.0 `-msg timestamp=on` prefix); for mmiotrace the guest pid it prints. */
  readonly thread?: number;
}

export interface Access extends Timing {
  readonly type: 'access';
  /** 0-based position among the trace's accesses. */
  readonly seq: number;
  /** 1-based source line number of the line that defines the access. */
  readonly line: number;
  readonly kind: AccessKind;
  readonly space: AddressSpace;
  /** Byte offset within the address space (canonical register offset for `mmio`, register number for `phy`). */
  readonly offset: number;
  /** Access width in bytes as recorded (QEMU logs 4 for MMIO, 8 for the IO-BAR path). */
  readonly size: number;
  /** Value read or written. For an `unknown` read this is 0, which is what the guest received. */
  readonly value: number;
  readonly verdict: QemuVerdict;
  /** For `io` IODATA accesses: the MAC register reached through IOADDR. */
  readonly register?: number;
  /** For derived accesses (`phy`): the seq of the access that caused it (the MDIC write). */
  readonly cause?: number;
  /**
   * For `pci-config`: the SR-IOV virtual function (0-based VF number) whose config space this was;
   * absent for the physical function. VF *register* accesses need none: QEMU logs them at PF offsets.
   */
  readonly vf?: number;
  /** Side events this access caused, in source order. */
  readonly events: readonly SideEvent[];
}

/**
 * Kinds of asynchronous happenings between guest accesses.
 * - `autoneg`: QEMU's autonegotiation timer completed (link state and ICR.LSC change).
 * - `itr-timer`: an interrupt-throttling (ITR/EITR) timer fired.
 * - `rx-packet`: a packet arrived from the network backend.
 * - `tx-packet`: QEMU sent a packet on its own schedule (not caused by a guest access).
 * - `link-change`: the network backend's link went up or down.
 * - `reset`: the device was reset by QEMU (machine reset), not by a guest register write.
 * - `async`: device activity that no guest access explains and no known event identifies.
 * - `mark`: a note the recording put in the trace (mmiotrace `MARK`, a write to trace_marker); not
 *   device activity, so replay lets no time run there.
 * - `idle`: the driver left the device alone for a while (a gap in the recorded times), in a
 *   dialect that cannot show timers (mmiotrace): the device's timers had time to fire there, so
 *   replay lets time run.
 */
export type MarkerKind = 'autoneg' | 'itr-timer' | 'rx-packet' | 'tx-packet' | 'link-change' | 'reset' | 'async' | 'mark' | 'idle';

export const MARKER_KINDS: readonly MarkerKind[] = [
  'autoneg', 'itr-timer', 'rx-packet', 'tx-packet', 'link-change', 'reset', 'async', 'mark', 'idle',
];

/**
 * The backend link state a `link-change` marker reports (`e1000e_link_status_changed New link
 * status: N`): true up, false down, undefined for any other marker.
 */
export function linkStateOf(marker: Marker): boolean | undefined {
  if (marker.kind !== 'link-change') return undefined;
  const event = marker.events.find((e) => e.name === 'e1000e_link_status_changed');
  const match = event === undefined ? null : /New link status: (\d+)/.exec(event.text);
  return match === null ? undefined : match[1] !== '0';
}

export interface Marker extends Timing {
  readonly type: 'marker';
  readonly kind: MarkerKind;
  /** 1-based line of the event that starts the marker. */
  readonly line: number;
  /** seq of the last access before the marker, or -1 when it precedes every access. */
  readonly afterSeq: number;
  /** The events of this happening, the first one being the event that identified it. */
  readonly events: readonly SideEvent[];
  /**
   * For `idle`: recorded time since the previous idle marker (or the first access), for a replay
   * that can step virtual time by exactly that much (the qtest accelerator's clock_step).
   */
  readonly elapsedUs?: number;
}

export type TraceRecord = Access | Marker;

export function isAccess(record: TraceRecord): record is Access {
  return record.type === 'access';
}
