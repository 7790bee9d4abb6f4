// The recording's defaults, in a module of their own: `record --help` shows them without loading
// the recording stack (guest builder, QEMU command line, reaper).

import { GUEST_ARCH_TABLE, type GuestArch } from '../devices/guest-arch.js';

/** The kernel build-guest.sh uses by default (x86); passed explicitly so the cache name says it. */
export const DEFAULT_KERNEL_PACKAGE = 'linux-image-6.1.0-56-amd64';

/** The same kernel build for another guest architecture (Debian names its packages by architecture). */
export function defaultKernelPackage(arch: GuestArch): string {
  return DEFAULT_KERNEL_PACKAGE.replace(/-amd64$/, `-${GUEST_ARCH_TABLE[arch].debianArch}`);
}

export const DEFAULT_MEMORY_MIB = 512;
export const DEFAULT_SMP = 1;
