// The guest architectures a recording can run: one row each, the one home of what differs between
// them (QEMU binary, machine, serial console, Debian architecture, where guest RAM starts). The
// device model is the same code whatever the machine, so every recording replays on the replay's
// own x86 q35 qtest machine; what an architecture changes for a replay is where the guest's RAM,
// and so its descriptor rings and buffers, lie (`ramBase`).

export const GUEST_ARCHS = ['x86_64', 'aarch64'] as const;
export type GuestArch = typeof GUEST_ARCHS[number];
export const DEFAULT_GUEST_ARCH: GuestArch = 'x86_64';

export interface GuestArchRow {
  /** The QEMU binary looked up on PATH when --qemu does not name one. */
  readonly qemuName: string;
  /** Machine and CPU arguments. */
  readonly machineArgs: readonly string[];
  /** The same with the NIC's VFs at work (SR-IOV), where the machine needs another option. */
  readonly sriovMachineArgs?: readonly string[];
  /** The serial console the guest writes its IGBREC: lines to. */
  readonly console: string;
  /** Kernel arguments this machine wants on top of the project's. */
  readonly appendExtra: readonly string[];
  /** Debian's name of the architecture: build-guest.sh --arch and the kernel package's suffix. */
  readonly debianArch: string;
  /** Guest-physical address where RAM starts: the recorded DMA addresses lie above it. */
  readonly ramBase: number;
  /** How to get that binary when it is missing (undefined: the replay's own hint). */
  readonly installHint?: string;
}

export const GUEST_ARCH_TABLE: Readonly<Record<GuestArch, GuestArchRow>> = {
  // pci=noearly,lastbus=0 keeps the kernel's scans of 256 empty buses out of the trace (x86 options).
  x86_64: {
    qemuName: 'qemu-system-x86_64', machineArgs: ['-M', 'q35'], console: 'ttyS0', appendExtra: ['pci=noearly,lastbus=0'],
    debianArch: 'amd64', ramBase: 0,
  },
  // virt's RAM starts at 1 GiB; TCG's `max` CPU runs Debian's arm64 kernel. The kernel enumerates
  // the PCIe host bridge itself (no firmware), so BARs are the kernel's own choice.
  aarch64: {
    qemuName: 'qemu-system-aarch64', machineArgs: ['-M', 'virt', '-cpu', 'max'], console: 'ttyAMA0', appendExtra: [],
    // With virt's 64-bit PCI window (512 GiB up) the kernel puts the VFs' 64-bit BARs there, and no
    // VF register access reached QEMU's igb (none in its trace; igbvf: "PF still resetting", the VF
    // never got a link). Without it (highmem=off) they go in the 32-bit window and the VFs work.
    sriovMachineArgs: ['-M', 'virt,highmem=off', '-cpu', 'max'],
    debianArch: 'arm64', ramBase: 0x4000_0000,
    installHint: 'install QEMU for arm (Debian 12: apt install -t bookworm-backports qemu-system-arm) or pass --qemu PATH',
  },
};

function isGuestArch(name: string): name is GuestArch {
  return (GUEST_ARCHS as readonly string[]).includes(name);
}

/** The architecture a sidecar names (absent: recordings made before there was a choice, all x86). */
export function guestArchOf(name: string | undefined): GuestArch | undefined {
  if (name === undefined) return DEFAULT_GUEST_ARCH;
  return isGuestArch(name) ? name : undefined;
}
