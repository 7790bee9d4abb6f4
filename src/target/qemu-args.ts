// The QEMU command line of a replay target, built as an argument array (never a shell string).
// Pure, so the exact arguments can be unit-tested and shown to the user for reproduction.
//
// Choices (verified on QEMU 10.0.2, see reference/replay-feasibility.md):
//  - `-M q35 -nodefaults -no-user-config -display none`: the recorded guests' machine, nothing
//    else on the bus, no host config files influencing the device.
//  - qtest and QMP as `-chardev socket,path=...` clients of sockets the tool listens on (as
//    libqtest does); the chardev form lets paths be escaped (`,` doubled), which the legacy
//    `-qtest unix:PATH` syntax cannot.
//  - The NIC gets an explicit slot and MAC, so BAR programming and MAC-derived registers (RAL/RAH,
//    EEPROM words 0-2) match the recording. igb works without a peer, but QEMU then warns and the
//    recording had one, so the default is a restricted user-mode netdev (restrict=on: a replay
//    that makes the device transmit cannot reach the host's network). A data-path replay gives
//    it `-netdev socket,fd=3` instead: one end of a socket pair the tool holds (frame-channel.ts),
//    connected before QEMU starts, so every frame is seen and none comes from elsewhere.

import type { DeviceModel } from '../devices/table.js';
import { nicBusArgs, rootPortDeviceArg, ROOT_BUS, type NicPlacement } from './topology.js';

/** The MAC QEMU gives its first NIC by default, and the one the recorded guests had. */
export const DEFAULT_MAC = '52:54:00:12:34:56';

export interface MachineConfig {
  readonly model: DeviceModel;
  /** PCI slot (device number) on bus 0 of the NIC, or of the root port it sits behind; the NIC's function. */
  readonly slot: number;
  readonly fn: number;
  /** On the root bus, or behind a PCIe root port (SR-IOV recordings): see topology.ts. */
  readonly placement: NicPlacement;
  readonly mac: string;
  /** Extra `-device` properties, e.g. { 'x-pcie-flr-init': 'off' }. */
  readonly deviceProperties: Readonly<Record<string, string>>;
  /**
   * 'user': a restricted slirp backend; 'none': no peer (QEMU warns "nic has no peer"); 'socket':
   * the socket at fd 3 (the launcher passes one end of a socket pair there).
   */
  readonly netdev: 'user' | 'none' | 'socket';
  /** Guest RAM in MiB (`-m`); undefined: QEMU's default (128). A data path needs the recording's. */
  readonly memoryMib?: number;
  /** -S: start paused, so no vCPU (firmware) runs and virtual time is frozen. */
  readonly paused: boolean;
  /** -icount shift=0,sleep=off: virtual time jumps to the next timer deadline while idle. */
  readonly icount: boolean;
  /** false adds pit=off: without the PIT's periodic timer, icount time moves only for device timers. */
  readonly pit: boolean;
  /** -accel NAME, e.g. 'qtest' where available; undefined lets QEMU choose (TCG). */
  readonly accel?: string;
  /** -bios FILE (e.g. the halt firmware). */
  readonly firmware?: string;
  /** -trace patterns; output goes to the log file. */
  readonly trace: readonly string[];
  /** More `-M q35,...` options as key=value. */
  readonly machineOptions: readonly string[];
  /** Appended verbatim at the end; the escape hatch for anything not modelled here. */
  readonly extraArgs: readonly string[];
}

/** The id of the NIC's backend: `set_link` names it for a host-side link change. */
export const NETDEV_ID = 'net0';
/** The child's fd of the frame socket with netdev 'socket'. */
export const NETDEV_FD = 3;

export type QtestEndpoint = { readonly kind: 'unix'; readonly path: string } | { readonly kind: 'stdio' };

export interface SessionFiles {
  readonly qtest: QtestEndpoint;
  /** Unix socket the tool listens on for QMP; undefined for no QMP. */
  readonly qmpSocket?: string;
  /** -D file: QEMU's log and trace output. */
  readonly log: string;
}

export const DEFAULT_MACHINE: MachineConfig = {
  model: 'igb',
  slot: 2,
  fn: 0,
  placement: ROOT_BUS,
  mac: DEFAULT_MAC,
  deviceProperties: {},
  netdev: 'user',
  paused: true,
  icount: false,
  pit: true,
  trace: [],
  machineOptions: [],
  extraArgs: [],
};

/** QemuOpts escaping: a ',' inside a value is written ',,'. */
export function escapeOptionValue(value: string): string {
  return value.replace(/,/g, ',,');
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new RangeError(`invalid QEMU option: ${what}`);
}

export function validateMachineConfig(config: MachineConfig): void {
  check(Number.isInteger(config.slot) && config.slot >= 1 && config.slot <= 31, `PCI slot ${config.slot} (1..31; 0 is the host bridge)`);
  check(Number.isInteger(config.fn) && config.fn >= 0 && config.fn <= 7, `PCI function ${config.fn} (0..7)`);
  check(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(config.mac), `MAC ${JSON.stringify(config.mac)} (expected xx:xx:xx:xx:xx:xx)`);
  for (const pattern of config.trace) {
    // Patterns are QemuOpts values; anything else could smuggle in options such as file=.
    check(/^[A-Za-z0-9_*?-]+$/.test(pattern), `trace pattern ${JSON.stringify(pattern)}`);
  }
  for (const [key, value] of Object.entries(config.deviceProperties)) {
    check(/^[A-Za-z0-9_.-]+$/.test(key), `device property name ${JSON.stringify(key)}`);
    check(value.length > 0, `empty value for device property ${key}`);
  }
  for (const option of config.machineOptions) check(/^[A-Za-z0-9_.-]+=[^,]+$/.test(option), `machine option ${JSON.stringify(option)}`);
  if (config.accel !== undefined) check(/^[a-z]+$/.test(config.accel), `accelerator ${JSON.stringify(config.accel)}`);
  if (config.memoryMib !== undefined) check(Number.isInteger(config.memoryMib) && config.memoryMib >= 16 && config.memoryMib <= 1 << 20, `memory ${config.memoryMib} MiB (16..1048576)`);
  // Throws (a RangeError too) for a root port with properties a replay does not pass on.
  if (config.placement.kind === 'root-port') rootPortDeviceArg(config.placement.device, config.slot);
}

/** `igb,addr=2.0,mac=...,netdev=...` (behind a root port: `igb,bus=rp0,addr=0.0,...`) */
export function deviceOption(config: MachineConfig, netdevId: string | undefined): string {
  const props = [
    config.model,
    ...nicBusArgs(config.placement, config.slot, config.fn),
    `mac=${config.mac}`,
    ...(netdevId === undefined ? [] : [`netdev=${netdevId}`]),
    ...Object.entries(config.deviceProperties).map(([key, value]) => `${key}=${escapeOptionValue(value)}`),
  ];
  return props.join(',');
}

export function buildQemuArgs(config: MachineConfig, files: SessionFiles): string[] {
  validateMachineConfig(config);
  const machine = ['q35', ...(config.pit ? [] : ['pit=off']), ...config.machineOptions].join(',');
  const netdevId = config.netdev === 'none' ? undefined : NETDEV_ID;
  const args = ['-M', machine, '-nodefaults', '-no-user-config', '-display', 'none'];
  if (config.accel !== undefined) args.push('-accel', config.accel);
  if (config.memoryMib !== undefined) args.push('-m', String(config.memoryMib));
  if (config.paused) args.push('-S');
  if (config.icount) args.push('-icount', 'shift=0,sleep=off');
  if (config.firmware !== undefined) args.push('-bios', config.firmware);
  if (files.qtest.kind === 'unix') {
    args.push('-chardev', `socket,id=qtest0,path=${escapeOptionValue(files.qtest.path)}`, '-qtest', 'chardev:qtest0');
  } else {
    args.push('-qtest', 'stdio');
  }
  args.push('-qtest-log', 'none');
  if (files.qmpSocket !== undefined) {
    args.push('-chardev', `socket,id=qmp0,path=${escapeOptionValue(files.qmpSocket)}`, '-mon', 'chardev=qmp0,mode=control');
  }
  args.push('-D', files.log);
  for (const pattern of config.trace) args.push('-trace', pattern);
  if (config.netdev === 'user') args.push('-netdev', `user,id=${NETDEV_ID},restrict=on`);
  if (config.netdev === 'socket') args.push('-netdev', `socket,id=${NETDEV_ID},fd=${NETDEV_FD}`);
  if (config.placement.kind === 'root-port') args.push('-device', rootPortDeviceArg(config.placement.device, config.slot));
  args.push('-device', deviceOption(config, netdevId));
  args.push(...config.extraArgs);
  return args;
}

/**
 * A 64 KiB BIOS image that only halts: NOPs with `hlt; jmp $-1` at the reset vector (0xFFF0).
 * Unlike SeaBIOS it never touches PCI config space, so without -S the vCPU stays out of the way
 * while virtual time can still run (the M2/M3/M5 modes of the feasibility study).
 */
export function haltFirmwareImage(): Uint8Array {
  const image = new Uint8Array(64 * 1024).fill(0x90);
  image.set([0xf4, 0xeb, 0xfd], 0xfff0);
  return image;
}
