// The QEMU command line of a recording, as an argument array (never a shell string). Pure, so it
// can be unit-tested and stored verbatim in the sidecar.
//
// It is the command of scripts/record-linux-traces.sh (the recipe in shared FIELD-NOTES): q35,
// 512 MiB, one vCPU, TCG, serial console on stdio, no reboot (the guest powers off at the end),
// a user-mode (slirp) netdev for DHCP, and a fixed MAC so replay can recreate RAL0/RAH0 and the
// EEPROM words. QEMU runs inside a private work directory where the kernel, initrd and trace
// have fixed relative names, so the stored command line holds no path of this machine.
//
// Trace events:
//  - `igb*`, `e1000e*`, `e1000x*`: every register access (igb reuses the e1000e_* events), the
//    side effects and igb's own config writes (igb_write_config);
//  - `pci_cfg_write`: the guest's config-space writes for e1000e too, which has no config event
//    of its own (a few hundred lines per boot; `pci_cfg_read` would add tens of thousands);
//  - `-msg timestamp=on`: a thread id per line, which tells the vCPU's accesses from timer events.

import { escapeOptionValue } from '../target/qemu-args.js';
import type { DeviceModel } from '../devices/table.js';

export const RECORD_TRACE_PATTERNS: readonly string[] = ['igb*', 'e1000e*', 'e1000x*', 'pci_cfg_write'];

/** Fixed names inside the work directory. */
export const WORK_FILES = { kernel: 'vmlinuz', initrd: 'initrd.gz', trace: 'trace.log' } as const;

export const NETDEV_ID = 'n0';

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
  /** More -trace patterns, after the standard ones. */
  readonly extraTrace?: readonly string[];
}

/** The kernel command line of the project's guest: serial console, quiet, power off on panic. */
export function defaultAppend(scenario: string): string {
  return `console=ttyS0 quiet panic=-1 igbrec=${scenario}`;
}

/** `igb,netdev=n0,mac=52:54:00:12:34:56,prop=value`: the form traces/*.json record. */
export function recordDeviceArg(device: RecordDevice): string {
  return [
    device.model, `netdev=${NETDEV_ID}`, `mac=${device.mac}`,
    ...Object.entries(device.properties).map(([key, value]) => `${key}=${escapeOptionValue(value)}`),
  ].join(',');
}

/** The arguments after the binary. */
export function buildRecordArgs(config: RecordCommandConfig): string[] {
  const trace = [...RECORD_TRACE_PATTERNS, ...(config.extraTrace ?? [])].flatMap((pattern) => ['-trace', pattern]);
  return [
    '-M', 'q35', '-m', String(config.memoryMiB ?? 512), '-smp', '1', '-nographic', '-no-reboot',
    '-kernel', WORK_FILES.kernel, '-initrd', WORK_FILES.initrd, '-append', config.append,
    '-netdev', `user,id=${NETDEV_ID}`, '-device', recordDeviceArg(config.device),
    ...trace, '-msg', 'timestamp=on', '-D', WORK_FILES.trace,
  ];
}
