// The QEMU command line of a recording, as an argument array (never a shell string). Pure, so it
// can be unit-tested and stored verbatim in the sidecar.
//
// It is the command of scripts/record-linux-traces.sh (the recipe in shared FIELD-NOTES): q35,
// 512 MiB, one vCPU, TCG, serial console on stdio, no reboot (the guest powers off at the end),
// a user-mode (slirp) netdev for DHCP, and a fixed MAC so replay can recreate RAL0/RAH0 and the
// EEPROM words. QEMU runs inside a private work directory where the kernel, initrd, trace, frame
// capture and QMP socket have fixed relative names, so the stored command line holds no path of
// this machine. RAM and vCPUs are options; SR-IOV puts the NIC behind a PCIe root port.
//
// Trace events:
//  - `igb*`, `e1000e*`, `e1000x*`: every register access (igb reuses the e1000e_* events), the
//    side effects, igb's own config writes (igb_write_config) and host link changes
//    (e1000e_link_status_changed);
//  - `pci_cfg_write`, `pci_cfg_read`: the guest's config-space accesses (capabilities, MSI-X,
//    SR-IOV, FLR), for e1000e too, which has no config event of its own. The project's guest
//    boots with pci=noearly,lastbus=0, which keeps the kernel's scans of 256 empty buses (about
//    25,000 reads of absent functions, 1.7 MB of trace) out;
//  - `-msg timestamp=on`: a thread id per line, which tells the vCPU's accesses from timer events.
// `-object filter-dump` writes every frame the NIC sends and receives on the netdev (pcap).

import { escapeOptionValue } from '../target/qemu-args.js';
import { ROOT_PORT_DEVICE, rootPortId } from '../target/topology.js';
import type { DeviceModel } from '../devices/table.js';
import { DEFAULT_MEMORY_MIB, DEFAULT_SMP } from './defaults.js';
import { DEFAULT_GUEST_ARCH, GUEST_ARCH_TABLE, type GuestArch, type GuestArchRow } from '../devices/guest-arch.js';

export const RECORD_TRACE_PATTERNS: readonly string[] = ['igb*', 'e1000e*', 'e1000x*', 'pci_cfg_write', 'pci_cfg_read'];

/** Fixed names inside the work directory. */
export const WORK_FILES = { kernel: 'vmlinuz', initrd: 'initrd.gz', trace: 'trace.log', pcap: 'frames.pcap', qmp: 'qmp.sock', hostFrames: 'host-frames.sock' } as const;

export const NETDEV_ID = 'n0';
/** The root port of an SR-IOV recording (one home with the replay's: target/topology.ts); the NIC's -device names it as its bus. */
export const ROOT_PORT_ARG = ROOT_PORT_DEVICE;
const ROOT_PORT_ID = rootPortId(ROOT_PORT_DEVICE);

export interface RecordDevice {
  readonly model: DeviceModel;
  readonly mac: string;
  /** Properties other than netdev, id and mac, in the order given. */
  readonly properties: Readonly<Record<string, string>>;
}

export interface RecordCommandConfig {
  readonly device: RecordDevice;
  /** Kernel command line. */
  readonly append: string;
  readonly memoryMiB?: number;
  readonly smp?: number;
  /** The NIC behind a PCIe root port (for SR-IOV). */
  readonly rootPort?: boolean;
  /** A QMP monitor on WORK_FILES.qmp, QEMU connecting to the recorder's socket (for set_link). */
  readonly qmp?: boolean;
  /**
   * The NIC's netdev is a hub port with slirp and a stream the recorder listens for on
   * WORK_FILES.hostFrames on the same hub, so the host can send frames slirp never would (host-frames.ts).
   */
  readonly hostFrames?: boolean;
  /** The guest's architecture (default x86_64): machine and CPU. */
  readonly arch?: GuestArch;
  /** More -trace patterns, after the standard ones. */
  readonly extraTrace?: readonly string[];
}

/**
 * The kernel command line of the project's guest: serial console, quiet, power off on panic, on x86
 * no early PCI scans (see the header), the scenario, and what the scenario adds (e.g. pci=nomsi).
 */
export function defaultAppend(scenario: string, extra?: string, arch: GuestArch = DEFAULT_GUEST_ARCH): string {
  const row = GUEST_ARCH_TABLE[arch];
  return [`console=${row.console}`, 'quiet', 'panic=-1', ...row.appendExtra, `igbrec=${scenario}`, ...(extra === undefined ? [] : [extra])].join(' ');
}

/** `igb,netdev=n0,mac=52:54:00:12:34:56,prop=value`: the form traces/*.json record. */
export function recordDeviceArg(device: RecordDevice, rootPort = false): string {
  return [
    device.model, ...(rootPort ? [`bus=${ROOT_PORT_ID}`] : []), `netdev=${NETDEV_ID}`, `mac=${device.mac}`,
    ...Object.entries(device.properties).map(([key, value]) => `${key}=${escapeOptionValue(value)}`),
  ].join(',');
}

/** slirp as the NIC's netdev; or a hub joining the NIC's port, slirp and the recorder's frame stream. */
function netdevArgs(hostFrames: boolean): string[] {
  if (!hostFrames) return ['-netdev', `user,id=${NETDEV_ID}`];
  return [
    '-netdev', `hubport,id=${NETDEV_ID},hubid=0`,
    '-netdev', 'user,id=slirp0', '-netdev', 'hubport,id=hub0slirp,hubid=0,netdev=slirp0',
    '-netdev', `stream,id=host0,server=off,addr.type=unix,addr.path=${WORK_FILES.hostFrames}`,
    '-netdev', 'hubport,id=hub0host,hubid=0,netdev=host0',
  ];
}

/** The machine: with a root port (SR-IOV), what the architecture needs for VFs. */
function machineArgs(arch: GuestArchRow, rootPort: boolean): readonly string[] {
  return rootPort ? arch.sriovMachineArgs ?? arch.machineArgs : arch.machineArgs;
}

/** The arguments after the binary. */
export function buildRecordArgs(config: RecordCommandConfig): string[] {
  const trace = [...RECORD_TRACE_PATTERNS, ...(config.extraTrace ?? [])].flatMap((pattern) => ['-trace', pattern]);
  const rootPort = config.rootPort === true;
  return [
    ...machineArgs(GUEST_ARCH_TABLE[config.arch ?? DEFAULT_GUEST_ARCH], rootPort), '-m', String(config.memoryMiB ?? DEFAULT_MEMORY_MIB), '-smp', String(config.smp ?? DEFAULT_SMP), '-nographic', '-no-reboot',
    '-kernel', WORK_FILES.kernel, '-initrd', WORK_FILES.initrd, '-append', config.append,
    ...netdevArgs(config.hostFrames === true),
    ...(rootPort ? ['-device', ROOT_PORT_ARG] : []),
    '-device', recordDeviceArg(config.device, rootPort),
    '-object', `filter-dump,id=dump0,netdev=${NETDEV_ID},file=${WORK_FILES.pcap}`,
    ...(config.qmp === true ? ['-chardev', `socket,id=qmp0,path=${WORK_FILES.qmp}`, '-mon', 'chardev=qmp0,mode=control'] : []),
    ...trace, '-msg', 'timestamp=on', '-D', WORK_FILES.trace,
  ];
}
