// Which device a replay recreates. The recording's sidecar (`X.json` beside `X.log`) says what
// NIC it ran on; unless the user chose one with --device, replay uses that model and its
// properties, so a trace recorded on `e1000e` or with `x-pcie-flr-init=off` is replayed against
// the same thing. The MAC is the recording's whenever the user gave none, whoever chose the model.
//
// A sidecar is trusted only for the file it describes: a different sha256 means the trace was
// re-recorded or edited after the sidecar was written, so it is ignored with a warning. Replay
// never fails because of a sidecar: an unreadable one is reported and ignored, and a JSON file
// that is not a sidecar at all (e.g. `replay X.log --json X.json` output) is ignored silently.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { describedSha256s, parseSidecar, recordedDevice, sidecarPathFor, SidecarError, type RecordedDevice } from './sidecar.js';

export const DEFAULT_REPLAY_DEVICE = 'igb';

export interface ReplayDeviceChoice {
  /** The `--device` string for the replay target. */
  readonly device: string;
  /** The recording's MAC, for when the device string gives none. */
  readonly mac?: string;
  /** The sidecar the model or MAC came from, if one was used. */
  readonly sidecar?: string;
}

export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `model,key=value,…` without the MAC (the target adds it from `mac`). */
export function deviceString(device: RecordedDevice): string {
  return [device.model, ...Object.entries(device.properties).map(([key, value]) => `${key}=${value}`)].join(',');
}

/** Reads the sidecar beside `tracePath` if it is one and describes this very file. */
async function matchingSidecar(tracePath: string, warn: (message: string) => void): Promise<{ file: string; device: RecordedDevice } | undefined> {
  const file = sidecarPathFor(tracePath);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined; // no sidecar: the usual case for traces recorded by hand
  }
  if (!/"sha256"\s*:/.test(text) || !/"trace"\s*:/.test(text)) return undefined;
  try {
    const sidecar = parseSidecar(text, file);
    const sha = await fileSha256(tracePath);
    if (!describedSha256s(sidecar).includes(sha)) {
      warn(`${file} describes ${sidecar.trace} with sha256 ${sidecar.sha256.slice(0, 12)}…, but ${basename(tracePath)} has ${sha.slice(0, 12)}…; `
        + 'not using its device (re-record, or pass --device)');
      return undefined;
    }
    const device = recordedDevice(sidecar);
    return device === undefined ? undefined : { file, device };
  } catch (error) {
    if (!(error instanceof SidecarError)) throw error;
    warn(`${error.message}; sidecar ignored`);
    return undefined;
  }
}

/** The device a replay of `tracePath` should use, given the user's `--device` (undefined: not given). */
export async function chooseReplayDevice(tracePath: string, userDevice: string | undefined, warn: (message: string) => void): Promise<ReplayDeviceChoice> {
  const found = await matchingSidecar(tracePath, warn);
  if (found === undefined) return { device: userDevice ?? DEFAULT_REPLAY_DEVICE };
  const mac = found.device.mac;
  const device = userDevice ?? deviceString(found.device);
  return mac === undefined ? { device, sidecar: found.file } : { device, mac, sidecar: found.file };
}
