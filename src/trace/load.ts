// The one trace loader: reads a recording once and fills the Trace value every command takes —
// records, dialect and line accounting, the recorded device with the reason, the MAC and the
// sidecar. Which device a trace is gets decided here and nowhere else: the sidecar that describes
// this very file, else the evidence in the trace (src/trace/device-evidence.ts), else igb.

import type { Access, Marker, TraceRecord } from '../model/access.js';
import type { RecordedDevice, Trace, TraceSidecar } from '../model/trace.js';
import { DEFAULT_DEVICE_MODEL, isDeviceModel } from '../devices/table.js';
import { readTrace, type ReadTraceOptions, type RecordSink } from '../formats/read-trace.js';
import { textBytes } from '../formats/input-stream.js';
import { DeviceModelDetector, type DeviceInference } from './device-evidence.js';
import { RecordedMacFinder } from './recorded-mac.js';
import { findSidecar } from './sidecar-device.js';
import { recordedDevice } from './sidecar.js';
import { ROOT_BUS } from '../model/placement.js';

export interface LoadTraceOptions extends ReadTraceOptions {
  /**
   * Keep every record in `trace.records` (default true); false for a streaming pass over huge
   * traces; `small`: keep them unless the file is large (a replay then reads it again as it goes).
   */
  readonly keepRecords?: boolean | 'small';
  /** Also hand each record to this sink as it streams past (a summary, a JSONL writer). */
  readonly sink?: RecordSink;
  /** Problems worth telling that do not stop the load (a stale or malformed sidecar). */
  readonly onWarning?: (message: string) => void;
}

export async function loadTrace(path: string, options: LoadTraceOptions = {}): Promise<Trace> {
  const sidecar = await findSidecar(path, options.onWarning ?? (() => undefined));
  const records: TraceRecord[] | undefined = await keepsRecords(path, options.keepRecords ?? true) ? [] : undefined;
  // Event counts come from the reader's statistics, which also count events attached to no record.
  const detector = new DeviceModelDetector(false);
  const mac = new RecordedMacFinder();
  const extra = options.sink;
  const sink: RecordSink = {
    access(a: Access): void {
      records?.push(a);
      detector.access(a);
      mac.access(a);
      extra?.access(a);
    },
    marker(m: Marker): void {
      records?.push(m);
      detector.marker(m);
      mac.marker(m);
      extra?.marker(m);
    },
  };
  // Records nobody keeps and no sink reads the text of need no event texts but the MAC's.
  const eventText = records === undefined && extra?.readsEventText === false ? RecordedMacFinder.readsTextOf : options.eventText;
  const read = await readTrace(path, sink, { ...options, eventText });
  detector.eventCounts(read.stats.deviceEvents);
  const device = decideDevice(sidecar, detector.result());
  const recordedMac = mac.mac ?? (sidecar === undefined ? undefined : recordedDevice(sidecar.content)?.mac);
  return {
    path, read, device,
    ...(recordedMac === undefined ? {} : { mac: recordedMac }),
    ...(sidecar === undefined ? {} : { sidecar }),
    ...(records === undefined ? {} : { records }),
  };
}

/**
 * Above this size a replay streams the file instead of holding its records: a record costs a few
 * hundred bytes in memory against about 60 in the file, and the reading again costs little.
 */
export const STREAM_FROM_BYTES = 4 * 1024 * 1024;

async function keepsRecords(path: string, keep: boolean | 'small'): Promise<boolean> {
  if (keep !== 'small') return keep;
  if (path === '-') return true;
  // The text's size, not the file's: a gzipped long recording would otherwise be held whole.
  return (await textBytes(path)) <= STREAM_FROM_BYTES;
}

/** The sidecar says what QEMU ran; without one, the trace's own evidence; without that, igb. */
export function decideDevice(sidecar: TraceSidecar | undefined, inferred: DeviceInference): RecordedDevice {
  const fromSidecar = sidecar === undefined ? undefined : recordedDevice(sidecar.content);
  if (fromSidecar !== undefined && isDeviceModel(fromSidecar.model)) {
    const evidence = inferred.model === undefined ? ''
      : inferred.model === fromSidecar.model ? `; ${inferred.reason}` : `; but the trace suggests ${inferred.model}: ${inferred.reason}`;
    return {
      model: fromSidecar.model, source: 'sidecar', reason: `sidecar ${sidecar!.file}${evidence}`, properties: fromSidecar.properties,
      placement: fromSidecar.placement,
    };
  }
  if (inferred.model !== undefined) return { model: inferred.model, source: 'trace', reason: inferred.reason, properties: {}, placement: ROOT_BUS };
  return {
    model: DEFAULT_DEVICE_MODEL, source: 'default', properties: {}, placement: ROOT_BUS,
    reason: `nothing in the trace tells the devices apart (${inferred.reason}); ${DEFAULT_DEVICE_MODEL} assumed`,
  };
}

/** The trace's records: kept ones, else read again (a trace loaded without keeping them). */
export async function recordsOf(trace: Trace, options: ReadTraceOptions = {}): Promise<readonly TraceRecord[]> {
  if (trace.records !== undefined) return trace.records;
  const records: TraceRecord[] = [];
  await readTrace(trace.path, { access: (a) => records.push(a), marker: (m) => records.push(m) }, options);
  return records;
}
