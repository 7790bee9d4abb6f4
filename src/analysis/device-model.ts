// Which QEMU NIC a trace was recorded on, igb (82576) or its ancestor e1000e (82574L), so the trace
// is named and decoded with the right register database. igb reuses most e1000e_* events (register
// reads and writes are e1000e_core_read/write on both), so the evidence, strongest first, is:
//  1. events only one device emits: igb_*/igbvf_* on igb; on e1000e the e1000e_* events igb never
//     emits (QEMU 10.0.2 hw/net: igb has its own MDIC, link and interrupt code);
//  2. the PCI device id the driver read from config space (0x10c9 igb, 0x10d3 e1000e);
//  3. registers QEMU handled (verdict ok) that only one device has, e.g. TARC/EXTCNF_CTRL (e1000e)
//     or the 0xC000 queue block and EICR (igb). Traces without events (mmiotrace) rely on this.
// Pure: the detector only looks at records and event counts it is given.

import type { Access, Marker, TraceRecord } from '../model/access.js';
import { registersFor, type RegisterDatabase } from '../regs/database.js';
import type { DeviceModel } from '../regs/loader.js';

export interface DeviceInference {
  /** undefined: the trace shows nothing that tells the devices apart. */
  readonly model: DeviceModel | undefined;
  /** Why, for messages: `event igb_core_mdic_read`, `PCI device id 0x10d3`, `12 registers only e1000e has`. */
  readonly reason: string;
}

/** e1000e_* events that QEMU's igb never emits (hw/net/trace-events, emitters checked per event). */
const E1000E_ONLY_EVENTS: ReadonlySet<string> = new Set([
  'e1000e_core_mdic_read', 'e1000e_core_mdic_read_unhandled', 'e1000e_core_mdic_write', 'e1000e_core_mdic_write_unhandled',
  'e1000e_link_set_ext_params', 'e1000e_link_status', 'e1000e_wrn_no_ts_support', 'e1000e_wrn_no_snap_support',
  'e1000e_rx_desc_ps_read', 'e1000e_rx_desc_ps_write', 'e1000e_rx_desc_buff_sizes', 'e1000e_rx_desc_buff_write',
  'e1000e_rx_interrupt_delayed', 'e1000e_rx_metadata_rss', 'e1000e_rx_metadata_ack',
  'e1000e_rx_metadata_ipv6_filtering_disabled', 'e1000e_vlan_vet', 'e1000e_irq_msi_notify_postponed',
  'e1000e_irq_legacy_notify_postponed', 'e1000e_irq_add_msi_other', 'e1000e_irq_icr_process_iame',
  'e1000e_irq_icr_clear_iame', 'e1000e_irq_icr_clear_icr_bit_ims', 'e1000e_irq_iam_clear_eiame',
  'e1000e_irq_fire_delayed_interrupts', 'e1000e_irq_throttling_timer', 'e1000e_irq_rdtr_fpd_running',
  'e1000e_irq_rdtr_fpd_not_running', 'e1000e_irq_tidv_fpd_running', 'e1000e_irq_tidv_fpd_not_running',
  'e1000e_irq_eitr_set', 'e1000e_irq_itr_set', 'e1000e_irq_fire_all_timers', 'e1000e_irq_msix_pending_clearing',
  'e1000e_wrn_msix_vec_wrong', 'e1000e_wrn_msix_invalid', 'e1000e_vm_state_running', 'e1000e_vm_state_stopped',
  'e1000e_msix_use_vector_fail',
]);

const PCI_DEVICE_IDS: ReadonlyMap<number, DeviceModel> = new Map([[0x10c9, 'igb'], [0x10d3, 'e1000e']]);

/** BAR0 is 128 KiB on both devices; one flag per dword. */
const MMIO_DWORDS = 0x20000 >>> 2;

export function eventModel(name: string): DeviceModel | undefined {
  if (name.startsWith('igb_') || name.startsWith('igbvf_')) return 'igb';
  return E1000E_ONLY_EVENTS.has(name) ? 'e1000e' : undefined;
}

/**
 * Collects the evidence while a trace streams past (a RecordSink), cheaply enough for the hot path:
 * events are looked at only on records that have some, MMIO offsets are flags in a dword array.
 */
export class DeviceModelDetector {
  private readonly votes = new Map<DeviceModel, { count: number; first: string }>();
  private pciId: { model: DeviceModel; id: number } | undefined;
  private readonly handled = new Uint8Array(MMIO_DWORDS);

  /** eventsFromRecords false: the caller gives all event counts through eventCounts(), so records' own are not counted twice. */
  constructor(private readonly eventsFromRecords = true) {}

  access(a: Access): void {
    if (this.eventsFromRecords && a.events.length > 0) this.recordEvents(a.events);
    if (a.space === 'mmio') {
      if (a.verdict === 'ok' && a.offset < 0x20000) this.handled[a.offset >>> 2] = 1;
    } else if (a.space === 'pci-config' && a.kind === 'read' && this.pciId === undefined) {
      this.configRead(a);
    }
  }

  marker(m: Marker): void {
    if (this.eventsFromRecords) this.recordEvents(m.events);
  }

  /** Event counts by name (a QEMU log reader's statistics), for callers that do not see every record. */
  eventCounts(counts: ReadonlyMap<string, number>): void {
    for (const [name, count] of counts) this.vote(name, count);
  }

  result(databases: (model: DeviceModel) => RegisterDatabase = registersFor): DeviceInference {
    const byEvents = this.fromEvents();
    if (byEvents !== undefined) return byEvents;
    if (this.pciId !== undefined) {
      return { model: this.pciId.model, reason: `PCI device id 0x${this.pciId.id.toString(16)}` };
    }
    return this.fromOffsets(databases);
  }

  private recordEvents(events: readonly { readonly name: string }[]): void {
    for (const event of events) this.vote(event.name, 1);
  }

  private vote(name: string, count: number): void {
    const model = eventModel(name);
    if (model === undefined || count <= 0) return;
    const vote = this.votes.get(model);
    if (vote === undefined) this.votes.set(model, { count, first: name });
    else vote.count += count;
  }

  private configRead(a: Access): void {
    // Device id: the high half of the dword at 0, or the word at 2.
    const id = a.offset === 0 && a.size === 4 ? a.value >>> 16 : a.offset === 2 && a.size === 2 ? a.value & 0xffff : undefined;
    const model = id === undefined ? undefined : PCI_DEVICE_IDS.get(id);
    if (model !== undefined && id !== undefined) this.pciId = { model, id };
  }

  private fromEvents(): DeviceInference | undefined {
    const igb = this.votes.get('igb');
    const e1000e = this.votes.get('e1000e');
    // Both at once should not happen (one NIC per trace); the larger count wins, as with offsets.
    if (igb !== undefined && (e1000e === undefined || igb.count >= e1000e.count)) {
      return { model: 'igb', reason: `${plural(igb.count, 'igb-only event')} (first ${igb.first})` };
    }
    if (e1000e !== undefined) {
      return { model: 'e1000e', reason: `${plural(e1000e.count, 'e1000e-only event')} (first ${e1000e.first})` };
    }
    return undefined;
  }

  private fromOffsets(databases: (model: DeviceModel) => RegisterDatabase): DeviceInference {
    const igb = databases('igb');
    const e1000e = databases('e1000e');
    let onlyIgb = 0;
    let onlyE1000e = 0;
    for (let dword = 0; dword < MMIO_DWORDS; dword++) {
      if (this.handled[dword] === 0) continue;
      const inIgb = igb.lookupOffset(dword << 2) !== undefined;
      const inE1000e = e1000e.lookupOffset(dword << 2) !== undefined;
      if (inIgb && !inE1000e) onlyIgb++;
      else if (inE1000e && !inIgb) onlyE1000e++;
    }
    if (onlyIgb > onlyE1000e) return { model: 'igb', reason: `${plural(onlyIgb, 'register')} only igb has` };
    if (onlyE1000e > onlyIgb) return { model: 'e1000e', reason: `${plural(onlyE1000e, 'register')} only e1000e has` };
    return { model: undefined, reason: 'no event, PCI id or register that only one device has' };
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * The device a trace was recorded on, from its records; `eventCounts` (a QEMU log reader's counts
 * of every device event, which include events attached to no record) replaces the records' events.
 */
export function inferDeviceModel(records: Iterable<TraceRecord>, eventCounts?: ReadonlyMap<string, number>,
  databases?: (model: DeviceModel) => RegisterDatabase): DeviceInference {
  const detector = new DeviceModelDetector(eventCounts === undefined);
  for (const record of records) {
    if (record.type === 'access') detector.access(record);
    else detector.marker(record);
  }
  if (eventCounts !== undefined) detector.eventCounts(eventCounts);
  return detector.result(databases);
}

/** The model whose register database names a trace: the inferred one, else igb (the project's device). */
export function traceDeviceModel(records: Iterable<TraceRecord>, eventCounts?: ReadonlyMap<string, number>): DeviceModel {
  return inferDeviceModel(records, eventCounts).model ?? 'igb';
}

const EVENT_NAME = /\b(?:igb|igbvf|e1000e)_[a-z0-9_]+/g;

/**
 * The device named by the first device-only event in a QEMU log's text, for commands that must
 * pick a register database before they read the trace (diff streams both traces through it).
 */
export function deviceModelFromLogText(text: string): DeviceModel | undefined {
  for (const match of text.matchAll(EVENT_NAME)) {
    const model = eventModel(match[0]);
    if (model !== undefined) return model;
  }
  return undefined;
}
