// Which QEMU NIC a trace was recorded on (a row of src/devices/table.ts), so the trace is named and
// decoded with the right register database. igb reuses most e1000e_* events (register reads and
// writes are e1000e_core_read/write on both), so the evidence, strongest first, is:
//  1. events only one model emits (the table's ownEventPrefixes / ownEvents);
//  2. the PCI device id the driver read from config space (what each model's function presents);
//  3. registers QEMU handled (verdict ok) that only one model's database has, e.g. TARC/EXTCNF_CTRL
//     (e1000e) or the 0xC000 queue block and EICR (igb). Traces without events (mmiotrace) rely on this.
// This is the one mechanism that decides a trace's device: the trace loader (src/trace/load.ts)
// and the head sniff (src/trace/head.ts) both feed this detector. Pure.

import type { Access, Marker, TraceRecord } from '../model/access.js';
import { DEVICE_MODELS, INTEL_VENDOR, modelOfEmulatedPciId, modelOwningEvent, type DeviceModel } from '../devices/table.js';
import { registersFor, type RegisterDatabase } from '../regs/database.js';

export interface DeviceInference {
  /** undefined: the trace shows nothing that tells the devices apart. */
  readonly model: DeviceModel | undefined;
  /** Why, for messages: `12 igb-only events (first igb_core_mdic_read)`, `PCI device id 0x10d3`, `12 registers only e1000e has`. */
  readonly reason: string;
}

/** BAR0 is 128 KiB on every model; one flag per dword. */
const MMIO_DWORDS = 0x20000 >>> 2;

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
    } else if (a.space === 'pci-config' && a.kind === 'read' && a.vf === undefined && this.pciId === undefined) {
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
    const model = modelOwningEvent(name);
    if (model === undefined || count <= 0) return;
    const vote = this.votes.get(model);
    if (vote === undefined) this.votes.set(model, { count, first: name });
    else vote.count += count;
  }

  private configRead(a: Access): void {
    // Vendor and device id: the dword at 0, or the words at 0 and 2 (a word read at 2 is taken as Intel's).
    const id = a.offset === 0 && a.size === 4 ? { vendor: a.value & 0xffff, device: a.value >>> 16 }
      : a.offset === 2 && a.size === 2 ? { vendor: INTEL_VENDOR, device: a.value & 0xffff } : undefined;
    const model = id === undefined ? undefined : modelOfEmulatedPciId(id.vendor, id.device);
    if (model !== undefined && id !== undefined) this.pciId = { model, id: id.device };
  }

  /** The model with the most events of its own (one NIC per trace: both at once should not happen). */
  private fromEvents(): DeviceInference | undefined {
    let best: { model: DeviceModel; count: number; first: string } | undefined;
    for (const model of DEVICE_MODELS) {
      const vote = this.votes.get(model);
      if (vote !== undefined && (best === undefined || vote.count > best.count)) best = { model, ...vote };
    }
    if (best === undefined) return undefined;
    return { model: best.model, reason: `${plural(best.count, `${best.model}-only event`)} (first ${best.first})` };
  }

  /** The model with the most handled registers that no other model's database has. */
  private fromOffsets(databases: (model: DeviceModel) => RegisterDatabase): DeviceInference {
    const own = new Map<DeviceModel, number>(DEVICE_MODELS.map((model) => [model, 0]));
    const dbs = DEVICE_MODELS.map((model) => ({ model, db: databases(model) }));
    for (let dword = 0; dword < MMIO_DWORDS; dword++) {
      if (this.handled[dword] === 0) continue;
      const having = dbs.filter(({ db }) => db.lookupOffset(dword << 2) !== undefined);
      if (having.length === 1) own.set(having[0]!.model, own.get(having[0]!.model)! + 1);
    }
    const ranked = [...own].sort((a, b) => b[1] - a[1]);
    const [first, second] = ranked;
    if (first !== undefined && first[1] > (second?.[1] ?? 0)) {
      return { model: first[0], reason: `${plural(first[1], 'register')} only ${first[0]} has` };
    }
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
