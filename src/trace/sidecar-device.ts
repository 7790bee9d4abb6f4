// Finding the sidecar (`X.json` beside `X.log`) that describes a trace, and trusting it only for
// the file it describes: a different sha256 means the trace was re-recorded or edited after the
// sidecar was written, so it is ignored with a warning. Loading a trace never fails because of a
// sidecar: an unreadable one is reported and ignored, and a JSON file that is not a sidecar at all
// (e.g. `replay X.log --json X.json` output) is ignored silently.

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { openTrace } from '../formats/input-stream.js';
import type { TraceSidecar } from '../model/trace.js';
import { describedSha256s, parseSidecar, sidecarPathFor, SidecarError } from './sidecar.js';

/**
 * The sha256 of the recording's own bytes: a gzip-compressed trace (`X.log.gz`, as long recordings
 * are kept) is hashed decompressed, so the sidecar `record` wrote for `X.log` still describes it.
 */
export async function recordingSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of (await openTrace(path)).chunks) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * The trace's sha256, remembered by path, size and modification time: a replay asks twice (the guess
 * that starts its QEMU early, then the load), and hashing a long recording takes a while.
 */
const shaByFile = new Map<string, Promise<string>>();
const SHA_CACHE_ENTRIES = 16;

async function traceSha256(path: string): Promise<string> {
  const info = await stat(path);
  const key = `${path}\0${info.size}\0${info.mtimeMs}`;
  let sha = shaByFile.get(key);
  if (sha === undefined) {
    if (shaByFile.size >= SHA_CACHE_ENTRIES) shaByFile.clear();
    sha = recordingSha256(path);
    shaByFile.set(key, sha);
    sha.catch(() => shaByFile.delete(key));
  }
  return sha;
}

/** The sidecar beside `tracePath` if there is one and it describes this very file. */
export async function findSidecar(tracePath: string, warn: (message: string) => void): Promise<TraceSidecar | undefined> {
  if (tracePath === '-') return undefined;
  const file = sidecarPathFor(tracePath);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined; // no sidecar: the usual case for traces recorded by hand
  }
  if (!/"sha256"\s*:/.test(text) || !/"trace"\s*:/.test(text)) return undefined;
  try {
    const content = parseSidecar(text, file);
    const sha = await traceSha256(tracePath);
    if (!describedSha256s(content).includes(sha)) {
      warn(`${file} describes ${content.trace} with sha256 ${content.sha256.slice(0, 12)}…, but ${basename(tracePath)} has ${sha.slice(0, 12)}…; `
        + 'not using its device (re-record, or pass --device)');
      return undefined;
    }
    return { file, content };
  } catch (error) {
    if (!(error instanceof SidecarError)) throw error;
    warn(`${error.message}; sidecar ignored`);
    return undefined;
  }
}
