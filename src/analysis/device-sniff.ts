// The device of a trace file from its head, before the trace is read: QEMU logs name igb-only or
// e1000e-only events within the first lines of a driver's init (MDIC, link, interrupt events).
// Gzip, standard input and event-less dialects (mmiotrace) give undefined.

import { closeSync, openSync, readSync } from 'node:fs';
import type { DeviceModel } from '../regs/loader.js';
import { deviceModelFromLogText } from './device-model.js';

/** Enough for a whole driver init in QEMU's log format (a few hundred kB). */
const HEAD_BYTES = 1 << 20;

export function sniffDeviceModel(path: string): DeviceModel | undefined {
  if (path === '-') return undefined;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined; // the trace reader reports a missing file with its own message
  }
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const length = readSync(fd, head, 0, HEAD_BYTES, 0);
    if (length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return undefined;
    return deviceModelFromLogText(head.subarray(0, length).toString('latin1'));
  } finally {
    closeSync(fd);
  }
}

/** One database for two traces: their common device, igb when they differ or nothing tells. */
export function commonDeviceModel(a: DeviceModel | undefined, b: DeviceModel | undefined): DeviceModel {
  const model = a ?? b;
  return model !== undefined && (b === undefined || b === model) ? model : 'igb';
}
