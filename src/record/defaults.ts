// The recording's defaults, in a module of their own: `record --help` shows them without loading
// the recording stack (guest builder, QEMU command line, reaper).

/** The kernel build-guest.sh uses by default; passed explicitly so the cache name says it. */
export const DEFAULT_KERNEL_PACKAGE = 'linux-image-6.1.0-56-amd64';

export const DEFAULT_MEMORY_MIB = 512;
export const DEFAULT_SMP = 1;
