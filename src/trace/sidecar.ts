// The sidecar `<trace>.json` beside a recording: how it was made (QEMU, its full command line,
// the NIC, the guest) and which file it describes (name, sha256). scripts/record-linux-traces.sh
// writes the same fields for traces/; `igb-replay record` adds device_model and
// device_properties, the frame capture beside the trace (pcap), guest RAM and vCPUs, the root port
// and host events, and replay reads the sidecar back to recreate the same device.
//
// The reader validates every field it knows (type, and format where one exists) and names the
// line of the offending field; fields it does not know are kept, so newer sidecars still load.

import { GUEST_ARCHS } from '../devices/guest-arch.js';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ROOT_BUS, type NicPlacement } from '../model/placement.js';

export interface Sidecar {
  /** File name of the trace (no directory). */
  readonly trace: string;
  /** sha256 of the trace file's bytes, lowercase hex. */
  readonly sha256: string;
  readonly lines?: number;
  readonly bytes?: number;
  readonly scenario?: string;
  readonly guest_scenario?: string;
  readonly recorded_at?: string;
  readonly recorded_by?: string;
  readonly host_os?: string;
  readonly qemu_version?: string;
  readonly accel?: string;
  readonly timeout_s?: number;
  /** The full argv of the recording QEMU (argv[0] is the binary's name, paths are relative). */
  readonly qemu_command?: readonly string[];
  /** The `-device` value as given to QEMU: `igb,netdev=n0,mac=52:54:00:12:34:56`. */
  readonly device?: string;
  readonly mac?: string;
  /** The NIC model (`igb`, `e1000e`); older sidecars only have it inside `device`. */
  readonly device_model?: string;
  /** `-device` properties other than netdev, id and mac. */
  readonly device_properties?: Readonly<Record<string, string>>;
  readonly kernel_append?: string;
  readonly kernel_package?: string;
  readonly kernel_version?: string;
  readonly kernel_release?: string;
  readonly kernel_deb?: string;
  readonly kernel_deb_sha256?: string;
  readonly kernel_image?: string;
  /**
   * A kernel package split the newer Debian way: its parts (linux-binary-, linux-modules-,
   * linux-base-REL), each as `package=version sha256-of-its-.deb`.
   */
  readonly kernel_parts?: readonly string[];
  readonly vmlinuz_sha256?: string;
  readonly initrd_sha256?: string;
  readonly busybox_package?: string;
  readonly busybox_version?: string;
  /** ethtool and the libraries it links in the project's guest, as `package=version` (Debian). */
  readonly ethtool_debs?: readonly string[];
  readonly guest_modules?: readonly string[];
  readonly guest_init?: string;
  readonly guest_udhcpc_script?: string;
  readonly guest_console_markers?: readonly string[];
  /** Modules in the guest that the scenario loads itself (8021q, igbvf), in load order. */
  readonly guest_extra_modules?: readonly string[];
  /** Guest RAM (`-m`) and vCPUs (`-smp`): a replay that writes guest memory needs as much. */
  readonly memory_mib?: number;
  readonly smp?: number;
  /** The guest's architecture (x86_64, aarch64); absent in recordings from before there was a choice: x86_64. */
  readonly guest_arch?: string;
  /** The `-device pcie-root-port,…` the NIC sits behind (SR-IOV recordings); absent: root bus. */
  readonly pcie_root_port?: string;
  /** Every frame on the NIC's netdev during the recording (QEMU filter-dump), beside the trace. */
  readonly pcap?: SidecarPcap;
  /** What the host did to the NIC's backend while the guest ran, in order. */
  readonly host_events?: readonly SidecarHostEvent[];
  /** Traffic the recorder's TCP/UDP sink on the host saw (counts by name). */
  readonly host_sink?: Readonly<Record<string, number>>;
  readonly [field: string]: unknown;
}

export interface SidecarPcap {
  /** File name beside the trace (no directory). */
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly frames: number;
}

/**
 * A QMP `set_link` on the netdev; `trace_line` (1-based) is the trace's
 * `e1000e_link_status_changed` line where QEMU handed the change to the NIC.
 */
export interface SidecarHostEvent {
  readonly command: 'set_link';
  readonly netdev: string;
  readonly up: boolean;
  readonly trace_line: number;
}

type FieldType = 'string' | 'integer' | 'strings' | 'properties' | 'counts' | 'pcap' | 'host-events';

const SHA256 = /^[0-9a-f]{64}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** Type of each known field, and a format check for those that have one. */
const FIELDS: Readonly<Record<string, { type: FieldType; format?: RegExp; required?: boolean }>> = {
  trace: { type: 'string', required: true, format: /^[^/\0]+$/ },
  sha256: { type: 'string', required: true, format: SHA256 },
  lines: { type: 'integer' },
  bytes: { type: 'integer' },
  scenario: { type: 'string' },
  guest_scenario: { type: 'string' },
  recorded_at: { type: 'string' },
  recorded_by: { type: 'string' },
  host_os: { type: 'string' },
  qemu_version: { type: 'string' },
  accel: { type: 'string' },
  timeout_s: { type: 'integer' },
  qemu_command: { type: 'strings' },
  device: { type: 'string', format: /^[a-z0-9-]+(,|$)/ },
  mac: { type: 'string', format: MAC },
  device_model: { type: 'string', format: /^[a-z0-9-]+$/ },
  device_properties: { type: 'properties' },
  kernel_append: { type: 'string' },
  kernel_package: { type: 'string' },
  kernel_version: { type: 'string' },
  kernel_release: { type: 'string' },
  kernel_deb: { type: 'string' },
  kernel_deb_sha256: { type: 'string', format: SHA256 },
  kernel_image: { type: 'string' },
  kernel_parts: { type: 'strings' },
  vmlinuz_sha256: { type: 'string', format: SHA256 },
  initrd_sha256: { type: 'string', format: SHA256 },
  busybox_package: { type: 'string' },
  busybox_version: { type: 'string' },
  ethtool_debs: { type: 'strings' },
  guest_modules: { type: 'strings' },
  guest_init: { type: 'string' },
  guest_udhcpc_script: { type: 'string' },
  guest_console_markers: { type: 'strings' },
  guest_extra_modules: { type: 'strings' },
  memory_mib: { type: 'integer' },
  smp: { type: 'integer' },
  guest_arch: { type: 'string', format: new RegExp(`^(${GUEST_ARCHS.join('|')})$`) },
  pcie_root_port: { type: 'string', format: /^pcie-root-port(,|$)/ },
  pcap: { type: 'pcap' },
  host_events: { type: 'host-events' },
  host_sink: { type: 'counts' },
};

/**
 * The sha256 of every file the sidecar describes: its trace, and a companion recorded in the same
 * run (the mmiotrace recording's `mmiotrace: {file, sha256}`), which replays on the same device.
 */
export function describedSha256s(sidecar: Sidecar): string[] {
  const companion = sidecar.mmiotrace;
  const sha = typeof companion === 'object' && companion !== null && 'sha256' in companion ? companion.sha256 : undefined;
  return typeof sha === 'string' && SHA256.test(sha) ? [sidecar.sha256, sha] : [sidecar.sha256];
}

/** A sidecar that cannot be used: `file:line: reason: offending text`. */
export class SidecarError extends Error {
  override readonly name = 'SidecarError';

  constructor(readonly file: string, readonly line: number, readonly reason: string, readonly text: string) {
    super(`${file}:${line}: ${reason}${text === '' ? '' : `: ${text}`}`);
  }
}

/**
 * The files `record` writes beside a trace `X.log`, by the suffix that replaces `.log`: the
 * sidecar, the capture of every frame, the guest console.
 */
export const COMPANION_SUFFIXES = { sidecar: '.json', capture: '.pcap', console: '.console.log' } as const;
export type Companion = keyof typeof COMPANION_SUFFIXES;

/** `dir/x.log` → `dir/x.json` (or another companion); a `.gz` is dropped first, so `x.log.gz` → `x.json` too. */
export function companionPathFor(tracePath: string, companion: Companion): string {
  const name = basename(tracePath).replace(/\.gz$/i, '');
  const stem = name.includes('.') && !name.startsWith('.') ? name.slice(0, name.lastIndexOf('.')) : name;
  return join(dirname(tracePath), `${stem}${COMPANION_SUFFIXES[companion]}`);
}

export function sidecarPathFor(tracePath: string): string {
  return companionPathFor(tracePath, 'sidecar');
}

/** The 1-based line where `"key":` first appears, else 1 (a whole-document problem). */
function lineOf(text: string, key: string): number {
  const at = text.indexOf(`${JSON.stringify(key)}:`);
  return at < 0 ? 1 : text.slice(0, at).split('\n').length;
}

/** What the offending value looks like, short enough for one message line. */
function show(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 80)}…` : json;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isCount = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;

function pcapProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'expected an object {file, sha256, bytes, frames}';
  if (typeof value.file !== 'string' || !/^[^/\0]+$/.test(value.file)) return 'expected "file" to be a file name';
  if (typeof value.sha256 !== 'string' || !SHA256.test(value.sha256)) return 'expected "sha256" to be 64 lowercase hex digits';
  if (!isCount(value.bytes) || !isCount(value.frames)) return 'expected "bytes" and "frames" to be non-negative integers';
  return undefined;
}

function hostEventProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'expected an array of {command, netdev, up, trace_line}';
  for (const [i, event] of value.entries()) {
    if (!isRecord(event) || event.command !== 'set_link' || typeof event.netdev !== 'string' || typeof event.up !== 'boolean'
      || !isCount(event.trace_line) || event.trace_line === 0) {
      return `entry ${i}: expected {"command": "set_link", "netdev": string, "up": boolean, "trace_line": line number}`;
    }
  }
  return undefined;
}

function typeProblem(value: unknown, type: FieldType): string | undefined {
  switch (type) {
    case 'string': return typeof value === 'string' ? undefined : 'expected a string';
    case 'integer': return isCount(value) ? undefined : 'expected a non-negative integer';
    case 'strings': return Array.isArray(value) && value.every((v) => typeof v === 'string') ? undefined : 'expected an array of strings';
    case 'properties':
      return isRecord(value) && Object.values(value).every((v) => typeof v === 'string') ? undefined : 'expected an object of string values';
    case 'counts':
      return isRecord(value) && Object.values(value).every(isCount) ? undefined : 'expected an object of non-negative integers';
    case 'pcap': return pcapProblem(value);
    case 'host-events': return hostEventProblem(value);
  }
}

/** Parses and validates sidecar text; `file` is only used in messages. */
export function parseSidecar(text: string, file: string): Sidecar {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const line = position === null ? 1 : text.slice(0, Number(position[1])).split('\n').length;
    throw new SidecarError(file, line, 'not valid JSON', message);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new SidecarError(file, 1, 'expected a JSON object', show(doc));
  }
  const record = doc as Record<string, unknown>;
  for (const [key, spec] of Object.entries(FIELDS)) {
    const value = record[key];
    if (value === undefined) {
      if (spec.required === true) throw new SidecarError(file, 1, `missing field "${key}"`, '');
      continue;
    }
    const problem = typeProblem(value, spec.type);
    if (problem !== undefined) throw new SidecarError(file, lineOf(text, key), `field "${key}": ${problem}`, show(value));
    if (spec.format !== undefined && !spec.format.test(value as string)) {
      throw new SidecarError(file, lineOf(text, key), `field "${key}": malformed value`, show(value));
    }
  }
  return record as Sidecar;
}

export async function readSidecar(file: string): Promise<Sidecar> {
  return parseSidecar(await readFile(file, 'utf8'), file);
}

/** The text written to disk: two-space JSON, as the recording script writes it (jq). */
export function serializeSidecar(sidecar: Sidecar): string {
  return `${JSON.stringify(sidecar, null, 2)}\n`;
}

/** Set by QEMU or by whoever runs the device, not a property of the device itself. */
const NOT_DEVICE_PROPERTIES = new Set(['netdev', 'id', 'addr', 'bus', 'mac']);

export interface RecordedDevice {
  readonly model: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly mac?: string;
  /** Behind `pcie_root_port` when the sidecar has one, else on the root bus. */
  readonly placement: NicPlacement;
}

/**
 * The NIC the recording had: device_model/device_properties where present, else taken apart from
 * `device` (sidecars written before those fields existed). Undefined when neither is there.
 */
export function recordedDevice(sidecar: Sidecar): RecordedDevice | undefined {
  const [fromText = '', ...items] = sidecar.device?.split(',') ?? [];
  const model = sidecar.device_model ?? (fromText === '' ? undefined : fromText);
  if (model === undefined) return undefined;
  const parsed: Record<string, string> = {};
  for (const item of items) {
    const equals = item.indexOf('=');
    if (equals > 0) parsed[item.slice(0, equals)] = item.slice(equals + 1);
  }
  const all = sidecar.device_properties ?? parsed;
  const properties = Object.fromEntries(Object.entries(all).filter(([key]) => !NOT_DEVICE_PROPERTIES.has(key)));
  const mac = sidecar.mac ?? parsed.mac;
  const placement: NicPlacement = sidecar.pcie_root_port === undefined ? ROOT_BUS : { kind: 'root-port', device: sidecar.pcie_root_port };
  return mac === undefined ? { model, properties, placement } : { model, properties, mac, placement };
}
