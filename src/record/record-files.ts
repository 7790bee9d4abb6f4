// The files of one recording and the facts the sidecar states about them: where the console and
// the frame capture go beside the trace, sha256/lines/bytes of a file, the capture's frame count,
// the host's OS name.

import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FileFacts } from './build-sidecar.js';
import { countPcapFrames } from './pcap.js';
import { companionPathFor } from '../trace/sidecar.js';

/** `x.log` → `x.console.log`: the guest's serial console beside the trace. */
export function consolePathFor(tracePath: string): string {
  return companionPathFor(tracePath, 'console');
}

/** `x.log` → `x.pcap`: every frame on the NIC's netdev, beside the trace. */
export function pcapPathFor(tracePath: string): string {
  return companionPathFor(tracePath, 'capture');
}

/** sha256, newline count and size of a file, in one pass. */
export async function fileFacts(path: string): Promise<FileFacts> {
  const hash = createHash('sha256');
  let lines = 0;
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    bytes += buffer.length;
    for (let i = buffer.indexOf(0x0a); i >= 0; i = buffer.indexOf(0x0a, i + 1)) lines++;
  }
  return { sha256: hash.digest('hex'), lines, bytes };
}

export type CaptureFacts = { readonly sha256: string; readonly bytes: number; readonly frames: number } | { readonly problem: string };

/** The capture's sha256, size and frame count, or why it is not a usable capture. */
export async function captureFacts(path: string): Promise<CaptureFacts> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return { problem: `QEMU wrote no frame capture (${error instanceof Error ? error.message : String(error)})` };
  }
  const count = countPcapFrames(bytes);
  if ('problem' in count) return { problem: `the frame capture is damaged: ${count.problem}` };
  return { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, frames: count.frames };
}

export async function hostOs(): Promise<string | undefined> {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(await readFile('/etc/os-release', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** The trace's text, or '' when QEMU logged nothing (no file). */
export async function readTrace(path: string): Promise<string> {
  try {
    return await readFile(path, 'latin1');
  } catch {
    return '';
  }
}

export function countCoreReads(traceText: string): number {
  return traceText.match(/(?:^|:)e1000e_core_read /gm)?.length ?? 0;
}
