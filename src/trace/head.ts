// The recorded device of a trace before it is read in full, for commands that must pick a register
// database before records stream through them (diff, parse --jsonl/--csv). Same decision as the
// loader (src/trace/load.ts): the sidecar, else the evidence of the same detector, here over the
// records of the trace's first MiB — a driver's init names device-only events within a few hundred
// lines. Standard input and gzip files cannot be read twice: they get what the sidecar says, else igb.

import { closeSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { Access, Marker } from '../model/access.js';
import type { RecordedDevice, TraceSidecar } from '../model/trace.js';
import { DEFAULT_DEVICE_MODEL, isDeviceModel } from '../devices/table.js';
import { readTrace } from '../formats/read-trace.js';
import { isGzip } from '../formats/input-stream.js';
import { DeviceModelDetector } from './device-evidence.js';
import { decideDevice } from './load.js';
import { RecordedMacFinder } from './recorded-mac.js';
import { findSidecar } from './sidecar-device.js';
import { recordedDevice } from './sidecar.js';

const HEAD_BYTES = 1 << 20;

export async function sniffRecordedDevice(path: string, warn: (message: string) => void = () => undefined): Promise<RecordedDevice> {
  return (await sniffRecording(path, warn)).device;
}

/** What the head says about the recording: its device and the MAC it had, decided as loadTrace decides them. */
export interface RecordingGuess {
  readonly device: RecordedDevice;
  readonly mac?: string;
  /** The sidecar describing the trace, if there is one. */
  readonly sidecar?: TraceSidecar;
}

/**
 * A quick guess, for work that can start before the trace is read (src/replay/early-target.ts): a
 * sidecar's device and MAC without reading the trace's head, else what sniffRecording finds.
 */
export async function guessRecording(path: string): Promise<RecordingGuess> {
  const sidecar = await findSidecar(path, () => undefined);
  const recorded = sidecar === undefined ? undefined : recordedDevice(sidecar.content);
  if (sidecar === undefined || recorded === undefined || !isDeviceModel(recorded.model)) return sniffRecording(path);
  const device = decideDevice(sidecar, { model: undefined, reason: 'not read' });
  return { device, sidecar, ...(recorded.mac === undefined ? {} : { mac: recorded.mac }) };
}

/** The recorded device and MAC from the sidecar and the trace's first MiB (see sniffRecordedDevice). */
export async function sniffRecording(path: string, warn: (message: string) => void = () => undefined): Promise<RecordingGuess> {
  const sidecar = await findSidecar(path, warn);
  const detector = new DeviceModelDetector();
  const macs = new RecordedMacFinder();
  const head = path === '-' ? undefined : readHead(path);
  if (head !== undefined && head.length > 0 && !isGzip(head)) {
    // Up to the last complete line; a malformed line in the head is the full read's to report.
    const end = head.lastIndexOf(0x0a);
    const text = end < 0 ? head : head.subarray(0, end + 1);
    const sink = {
      access: (a: Access): void => { detector.access(a); macs.access(a); },
      marker: (m: Marker): void => { detector.marker(m); macs.marker(m); },
    };
    await readTrace('-', sink, { lenient: true, stdin: Readable.from([text]) }).catch(() => undefined);
  }
  const mac = macs.mac ?? (sidecar === undefined ? undefined : recordedDevice(sidecar.content)?.mac);
  return { device: decideDevice(sidecar, detector.result()), ...(mac === undefined ? {} : { mac }), ...(sidecar === undefined ? {} : { sidecar }) };
}

function readHead(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined; // the trace reader reports a missing file with its own message
  }
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    return head.subarray(0, readSync(fd, head, 0, HEAD_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

/** One database for two traces: their common device (one that says nothing takes the other's); the default when they differ. */
export function commonDevice(a: RecordedDevice, b: RecordedDevice): RecordedDevice {
  if (a.model === b.model || b.source === 'default') return a;
  if (a.source === 'default') return b;
  return { ...a, source: 'default', model: DEFAULT_DEVICE_MODEL, reason: `${a.model} and ${b.model} differ; ${DEFAULT_DEVICE_MODEL} names both` };
}
