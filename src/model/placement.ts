// Where the NIC sits on the recorded machine's PCI tree: a fact of the recording (its sidecar's
// `pcie_root_port`), kept here with no dependencies so that loading a trace does not load the
// target's modules; src/target/topology.ts turns it into QEMU arguments and PCI functions.

/** The NIC on the root bus, or behind a root port made by `device` (`pcie-root-port,id=rp0,slot=0`). */
export type NicPlacement = { readonly kind: 'root-bus' } | { readonly kind: 'root-port'; readonly device: string };

export const ROOT_BUS: NicPlacement = { kind: 'root-bus' };
