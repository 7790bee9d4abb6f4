// Assembles the sidecar of a new recording from what the recording knows. Pure: hashes, counts
// and the host description are measured by the caller and passed in.

import type { GuestArch } from '../devices/guest-arch.js';
import { basename } from 'node:path';
import type { Guest } from './guest.js';
import { recordDeviceArg, ROOT_PORT_ARG, type RecordDevice } from './qemu-command.js';
import type { Sidecar, SidecarHostEvent, SidecarPcap } from '../trace/sidecar.js';

export interface FileFacts {
  readonly sha256: string;
  readonly lines: number;
  readonly bytes: number;
}

export interface SidecarInput {
  /** Final path of the trace; only its name is stored. */
  readonly tracePath: string;
  readonly trace: FileFacts;
  readonly scenario: string;
  readonly recordedAt: Date;
  readonly recordedBy: string;
  readonly hostOs?: string;
  readonly qemuBinary: string;
  readonly qemuVersion: string;
  readonly qemuArgs: readonly string[];
  readonly timeoutS: number;
  readonly device: RecordDevice;
  readonly rootPort: boolean;
  readonly memoryMiB: number;
  readonly smp: number;
  readonly arch: GuestArch;
  readonly append: string;
  readonly guest: Guest;
  readonly vmlinuzSha256: string;
  readonly initrdSha256: string;
  readonly consoleMarkers: readonly string[];
  readonly pcap: SidecarPcap;
  readonly hostEvents?: readonly SidecarHostEvent[];
  readonly hostSink?: Readonly<Record<string, number>>;
}

/** `2026-11-23T19:38:48Z`: whole seconds, as `date -u +%Y-%m-%dT%H:%M:%SZ` prints. */
export function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export function buildSidecar(input: SidecarInput): Sidecar {
  const info = input.guest.info;
  return {
    trace: basename(input.tracePath),
    sha256: input.trace.sha256,
    lines: input.trace.lines,
    bytes: input.trace.bytes,
    scenario: input.scenario,
    guest_scenario: input.scenario,
    recorded_at: isoSeconds(input.recordedAt),
    recorded_by: input.recordedBy,
    ...defined({ host_os: input.hostOs }),
    qemu_version: input.qemuVersion,
    accel: 'tcg',
    timeout_s: input.timeoutS,
    memory_mib: input.memoryMiB,
    smp: input.smp,
    guest_arch: input.arch,
    // The binary's name, not this machine's path to it; every other path in the command is relative.
    qemu_command: [basename(input.qemuBinary), ...input.qemuArgs],
    device: recordDeviceArg(input.device, input.rootPort),
    mac: input.device.mac,
    device_model: input.device.model,
    device_properties: { ...input.device.properties },
    ...(input.rootPort ? { pcie_root_port: ROOT_PORT_ARG } : {}),
    kernel_append: input.append,
    ...defined({
      kernel_package: info?.kernel_package,
      kernel_version: info?.kernel_version,
      kernel_release: info?.kernel_release,
      kernel_deb: info?.kernel_deb,
      kernel_deb_sha256: info?.kernel_deb_sha256,
      kernel_image: info?.kernel_image,
      kernel_parts: info?.kernel_parts === undefined || info.kernel_parts.length === 0
        ? undefined : info.kernel_parts.map((part) => `${part.package} ${part.sha256}`),
    }),
    vmlinuz_sha256: input.vmlinuzSha256,
    initrd_sha256: input.initrdSha256,
    ...defined({
      busybox_package: info?.busybox_package,
      busybox_version: info?.busybox_version,
      ethtool_debs: info?.ethtool_debs,
      guest_modules: info?.modules?.map((name) => `${name}.ko`),
      guest_extra_modules: info?.extra_modules?.map((name) => `${name}.ko`),
      guest_init: input.guest.initScript,
      guest_udhcpc_script: input.guest.udhcpcScript,
    }),
    guest_console_markers: [...input.consoleMarkers],
    pcap: { ...input.pcap },
    ...defined({
      host_events: input.hostEvents?.map((event) => ({ ...event })),
      host_sink: input.hostSink === undefined ? undefined : { ...input.hostSink },
    }),
  };
}
