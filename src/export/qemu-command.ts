// The QEMU command line an exported qtest script runs under: the replay's machine
// (src/target/qemu-args.ts: q35, -nodefaults, the NIC in slot 2 with the recording's MAC and a
// restricted user-mode peer), with the script on stdin (`-qtest stdio`) and an isa-debug-exit
// device, so the script's last command ends QEMU (QEMU does not exit when its qtest input ends).
//
// Time as `replay` controls it: with the qtest accelerator (a QEMU built from source) the VM runs
// under `-accel qtest` and markers become `clock_step`; without it (Debian's build) the VM stays
// paused (-S) and the clock frozen, like `replay --time frozen`. The markers mode of `replay`
// (cont/stop over QMP) needs a second connection that a script on stdin does not have.

import type { DeviceOption } from '../replay/device-option.js';
import { buildQemuArgs, DEFAULT_MACHINE } from '../target/qemu-args.js';
import { ROOT_BUS, type NicPlacement } from '../target/topology.js';

export type ScriptTime = 'frozen' | 'clock-step';

/** isa-debug-exit: a write of V to this port ends QEMU with exit status V * 2 + 1. */
export const DEBUG_EXIT_PORT = 0xf4;
/** `outb 0xf4 0x0` exits with this status: the script ran to its end. */
export const DEBUG_EXIT_STATUS = 1;

/** Arguments after the binary name. */
export function scriptQemuArgs(device: DeviceOption, time: ScriptTime, placement: NicPlacement = ROOT_BUS): string[] {
  const args = buildQemuArgs({
    ...DEFAULT_MACHINE, placement,
    model: device.model, mac: device.mac, deviceProperties: device.properties,
    paused: time === 'frozen', ...(time === 'clock-step' ? { accel: 'qtest' } : {}),
  }, { qtest: { kind: 'stdio' }, log: '' });
  // A script has no trace events to log: drop the -D the builder always adds.
  const log = args.indexOf('-D');
  if (log >= 0) args.splice(log, 2);
  return [...args, '-device', `isa-debug-exit,iobase=0x${DEBUG_EXIT_PORT.toString(16)},iosize=0x04`];
}

/** POSIX shell quoting: bare when only safe characters, else single quotes. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_.,:=/+@%-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellWords(args: readonly string[]): string {
  return args.map(shellQuote).join(' ');
}
