// Where the NIC sits on a machine's PCI tree: on q35's root bus, or behind a PCIe root port, which
// SR-IOV recordings need (Linux enumerates a PF's VFs, at device 0x10 and up, only below a port
// with ARI forwarding). The recorder puts it there (src/record/qemu-command.ts), the sidecar says
// so (`pcie_root_port`, read by src/trace/sidecar.ts), and a replay recreates it: the `-device`
// arguments (qemu-args.ts) and the PCI functions the set-up programs (pci-setup.ts) come from here.
//
// On the root bus the NIC takes the machine's slot; behind a root port the port takes that slot
// and the NIC is device 0 of the port's secondary bus, bus 1, as in the recordings (the NIC was
// `igb 01:00.0`, its VFs `igbvf 01:10.0` and `01:10.2`). The recordings' port was 00:02.0 because
// q35's default VGA took 00:01.0; a replay VM has no VGA (-nodefaults), so the slot is pinned.

import type { PciFunction } from './pci-config.js';

import { ROOT_BUS, type NicPlacement } from '../model/placement.js';

export { ROOT_BUS, type NicPlacement };

/** The root port of a recording that needs one; the NIC's -device names its id as its bus. */
export const ROOT_PORT_DEVICE = 'pcie-root-port,id=rp0,slot=0';

/** The bus behind the root port: the only one, as the recordings' firmware numbered it. */
export const SECONDARY_BUS = 1;

/**
 * Root port properties a replay passes on (the rest could reach files or other devices): the
 * port's id, its slot and chassis numbers, and the link it reports.
 */
const ROOT_PORT_PROPERTIES = new Set(['id', 'slot', 'chassis', 'port', 'x-speed', 'x-width']);

export class PlacementError extends RangeError {
  override readonly name = 'PlacementError';
}

/** The properties of a root port's `-device` value; throws PlacementError for anything else. */
function rootPortProperties(device: string): Map<string, string> {
  const [driver, ...items] = device.split(',');
  if (driver !== 'pcie-root-port') throw new PlacementError(`root port ${JSON.stringify(device)}: expected a pcie-root-port`);
  const properties = new Map<string, string>();
  for (const item of items) {
    const m = /^([a-z-]+)=([A-Za-z0-9_.-]+)$/.exec(item);
    if (m === null || !ROOT_PORT_PROPERTIES.has(m[1]!)) {
      throw new PlacementError(`root port ${JSON.stringify(device)}: property ${JSON.stringify(item)} is not one a replay recreates`);
    }
    properties.set(m[1]!, m[2]!);
  }
  if (!properties.has('id')) throw new PlacementError(`root port ${JSON.stringify(device)}: no id= for the NIC to name as its bus`);
  return properties;
}

/** The id a root port's `-device` value gives it: the NIC's `bus=`. */
export function rootPortId(device: string): string {
  return rootPortProperties(device).get('id')!;
}

/** The root port's `-device` value, pinned to `slot` on the root bus; checks the recorded one. */
export function rootPortDeviceArg(device: string, slot: number): string {
  rootPortProperties(device);
  return `${device},addr=${slot.toString(16)}.0`;
}

/** The `bus=` the NIC's -device gives, and its `addr=` there. */
export function nicBusArgs(placement: NicPlacement, slot: number, fn: number): string[] {
  if (placement.kind === 'root-bus') return [`addr=${slot.toString(16)}.${fn}`];
  return [`bus=${rootPortId(placement.device)}`, `addr=0.${fn}`];
}

/** The root port's function, where it is on the tree (the machine's slot); none on the root bus. */
export function rootPortFunction(placement: NicPlacement, slot: number): PciFunction | undefined {
  return placement.kind === 'root-port' ? { bus: 0, device: slot, fn: 0 } : undefined;
}

/** The NIC's (PF's) function. */
export function nicFunction(placement: NicPlacement, slot: number, fn = 0): PciFunction {
  return placement.kind === 'root-bus' ? { bus: 0, device: slot, fn } : { bus: SECONDARY_BUS, device: 0, fn };
}

/** How a placement reads in messages and the report: `root bus` or `behind pcie-root-port,id=rp0,slot=0`. */
export function describePlacement(placement: NicPlacement): string {
  return placement.kind === 'root-bus' ? 'root bus' : `behind ${placement.device}`;
}
