// A corpus of traces from the command line: files as named, every trace under a directory
// (recursively), and glob patterns a shell did not expand. Inside directories and glob matches only
// files whose first bytes are a trace (the dialect sniffer, src/formats/detect.ts, decides, never
// the file name) are taken, so sidecars (X.json), frame captures (X.pcap), consoles and READMEs
// beside the traces stay out; a file named explicitly is taken as it is and its reader reports what
// is wrong with it. Order: the command line's, each directory or pattern sorted by path; a path
// given twice is replayed once.

import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { sniffDialect, SNIFF_BYTES } from '../formats/detect.js';
import { isGzip } from '../formats/input-stream.js';
import { CorpusError } from './errors.js';
import { expandGlob, isGlob } from './glob.js';
import { COMPANION_SUFFIXES, type Companion } from '../trace/sidecar.js';

/** What each companion file is, for the message that skips it. */
const COMPANION_NAMES: Readonly<Record<Companion, string>> = {
  sidecar: 'the sidecar', capture: 'the frame capture', console: 'the guest console `record` wrote',
};
/** Companion kinds by suffix, the longest first: `.console.log` is tried before a plain `.log` could be. */
const COMPANIONS_LONGEST_FIRST = (Object.keys(COMPANION_SUFFIXES) as Companion[])
  .sort((a, b) => COMPANION_SUFFIXES[b].length - COMPANION_SUFFIXES[a].length);
/** The names a trace of the companion's recording can have. */
const TRACE_SUFFIXES = ['.log', '.log.gz', '.txt', '.txt.gz'];

/**
 * The traces the arguments name, in order, without repeats. A file named explicitly that is one of
 * the files `record` writes beside a trace (`X.json`, `X.pcap`, `X.console.log` beside `X.log`, as
 * a shell's `X.*` or `*.log` names them) and is no trace is left out, and `onSkip` says so.
 */
export async function discoverTraces(args: readonly string[], onSkip?: (message: string) => void): Promise<string[]> {
  const traces: string[] = [];
  const skipped: string[] = [];
  for (const arg of args) {
    const companion = companionOf(arg);
    if (companion !== undefined) {
      skipped.push(companion.trace);
      onSkip?.(`${arg}: skipped: ${COMPANION_NAMES[companion.kind]} beside ${companion.trace}, not a trace`);
      continue;
    }
    traces.push(...await expand(arg));
  }
  if (traces.length === 0 && skipped.length > 0) {
    throw new CorpusError(`no trace among ${args.join(', ')}: only files record writes beside a trace`, `name the trace itself: ${skipped[0]}`);
  }
  const seen = new Set<string>();
  return traces.filter((path) => {
    const key = normalize(path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The trace `path` is a companion file of, when it is one, that trace is there, and `path` is no trace itself. */
function companionOf(path: string): { kind: Companion; trace: string } | undefined {
  const kind = COMPANIONS_LONGEST_FIRST.find((k) => path.endsWith(COMPANION_SUFFIXES[k]));
  if (kind === undefined) return undefined;
  const stem = path.slice(0, -COMPANION_SUFFIXES[kind].length);
  const trace = TRACE_SUFFIXES.map((suffix) => stem + suffix).find((candidate) => existsSync(candidate));
  return trace !== undefined && !looksLikeTrace(path) ? { kind, trace } : undefined;
}

async function expand(arg: string): Promise<string[]> {
  const info = await stat(arg).catch(() => undefined);
  if (info?.isDirectory() === true) {
    const found = (await filesUnder(arg)).filter(looksLikeTrace);
    if (found.length === 0) throw new CorpusError(`${arg}: no traces in this directory`, 'a trace is a QEMU trace log or a Linux mmiotrace (plain or gzip)');
    return found;
  }
  if (info !== undefined || !isGlob(arg)) return [arg];
  const found = (await expandGlob(arg)).filter(looksLikeTrace);
  if (found.length === 0) throw new CorpusError(`${arg}: no trace matches this pattern`, 'check the pattern; quote it so the shell leaves it to igb-replay, or let the shell expand it');
  return found;
}

/** Every file under a directory, hidden entries left out, sorted by path. */
async function filesUnder(dir: string): Promise<string[]> {
  const files: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...await filesUnder(path));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/** Whether a file's first bytes are a trace the readers know (a gzip file is looked into). */
export function looksLikeTrace(path: string): boolean {
  let head = readHead(path);
  if (head === undefined) return false;
  if (isGzip(head)) {
    try {
      // A truncated stream is expected: only the head was read.
      head = gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      return false;
    }
  }
  // Binary files (captures) have NULs; no trace line does.
  if (head.subarray(0, 4096).includes(0)) return false;
  return sniffDialect(head.subarray(0, SNIFF_BYTES).toString('latin1')).dialect !== undefined;
}

function readHead(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    return head.subarray(0, readSync(fd, head, 0, SNIFF_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}
