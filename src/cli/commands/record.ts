// `igb-replay record`: boots a guest under QEMU with everything replay needs and writes the trace,
// its sidecar (how it was made: QEMU, command line, NIC, kernel), the guest console and a capture
// of every frame (pcap). The work
// is in src/record/; this module parses options, shows progress and prints where things went.
// Exit 0 when recorded, 2 for bad options or missing guest files, 3 when QEMU or the guest failed.
import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_KERNEL_PACKAGE, DEFAULT_MEMORY_MIB, defaultKernelPackage } from '../../record/defaults.js';
import { DEFAULT_GUEST_ARCH, GUEST_ARCHS, type GuestArch } from '../../devices/guest-arch.js';
import { PROJECT_SCENARIOS } from '../../record/scenarios.js';
import type { CliContext } from '../context.js';
import type { BuiltOptions } from '../options.js';


export interface RecordArgs {
  readonly output?: string;
  readonly scenario: string;
  readonly device: string;
  readonly kernel?: string;
  readonly initrd?: string;
  readonly append?: string;
  /** Default: DEFAULT_KERNEL_PACKAGE for the architecture (kernelPackageOf). */
  readonly kernelPackage?: string;
  readonly arch: GuestArch;
  readonly smp?: number;
  readonly memory?: number;
  readonly timeout: number;
  readonly qemu?: string;
  readonly keepTemp: boolean;
}

/** The options as yargs parses them (kebab-case names); the handler gets them with camelCase ones too, as RecordArgs. */
type RecordOptions = BuiltOptions<typeof builder>;

function builder(y: Argv) {
  return y
    .options({
      output: { alias: 'o', type: 'string', requiresArg: true, describe: 'Trace file to write; X.json (sidecar) and X.console.log go beside it (default: linux-<K>-<device>-<scenario>.log)' },
      scenario: { type: 'string', default: 'init', requiresArg: true, describe: `What the project's guest does: ${PROJECT_SCENARIOS.join(', ')} (see the README)` },
      device: { type: 'string', default: 'igb', requiresArg: true, describe: 'The NIC: igb or e1000e, with properties (igb,mac=…,x-pcie-flr-init=off); the guest loads the matching driver' },
      kernel: { type: 'string', requiresArg: true, describe: 'Your own guest kernel (with --initrd) instead of the project\'s guest' },
      initrd: { type: 'string', requiresArg: true, describe: 'Your own initrd (with --kernel)' },
      append: { type: 'string', requiresArg: true, describe: 'Kernel command line (default: console=ttyS0, ttyAMA0 on aarch64, quiet panic=-1 igbrec=SCENARIO)' },
      'kernel-package': { alias: 'k', type: 'string', requiresArg: true, describe: `Debian kernel package of the project's guest (built once, cached in ~/.cache/igb-replay; default: ${DEFAULT_KERNEL_PACKAGE}, ${defaultKernelPackage('aarch64')} with --arch aarch64)` },
      arch: { type: 'string', choices: GUEST_ARCHS, default: DEFAULT_GUEST_ARCH, requiresArg: true, describe: 'Guest architecture: x86_64 (QEMU\'s q35) or aarch64 (QEMU\'s virt, qemu-system-aarch64; the recording replays on x86 like any other)' },
      smp: { type: 'number', requiresArg: true, describe: 'vCPUs of the guest (default: 1, or what the scenario needs: 2 for rss)' },
      memory: { type: 'number', requiresArg: true, describe: `Guest RAM in MiB (default: ${DEFAULT_MEMORY_MIB})` },
      timeout: { type: 'number', default: 180, requiresArg: true, describe: 'Seconds the guest may run before the recording is abandoned' },
      qemu: { type: 'string', requiresArg: true, describe: 'QEMU binary (default: $QTEST_QEMU_BINARY, else qemu-system-x86_64 on PATH; with --arch aarch64 qemu-system-aarch64 on PATH)' },
      'keep-temp': { type: 'boolean', default: false, describe: 'Keep the work directory (QEMU\'s trace and console) for debugging' },
    })
    .example('$0 record -o init.log', 'Record the Linux igb driver\'s init (load, link up, DHCP) on QEMU\'s igb')
    .example('$0 record --scenario traffic --device e1000e -o e1000e-traffic.log', 'The e1000e driver on QEMU\'s e1000e, with 20 pings')
    .example('$0 record --scenario traffic-mix -o mix.log', 'ICMP, UDP and TCP to a sink on this host; mix.pcap holds every frame')
    .example('$0 record --scenario rss --smp 4 -o rss.log', 'RSS over four vCPUs and queues')
    .example('$0 record -k linux-image-6.12.95+deb12-amd64 -o linux-6.12.log', 'With another Debian kernel')
    .example('$0 record --arch aarch64 --scenario traffic-mix -o arm64-mix.log', 'An arm64 guest on QEMU\'s virt machine (apt install qemu-system-arm)')
    .example('$0 record --kernel bzImage --initrd rootfs.cpio.gz --append "console=ttyS0" -o mine.log', 'Your own guest; it must power off when done')
    .example('$0 replay init.log', 'Replay it: the sidecar init.json recreates the same device');
}

/** The kernel package of the project's guest: the one given, else the default build for the architecture. */
export function kernelPackageOf(args: Pick<RecordArgs, 'kernelPackage' | 'arch'>): string {
  return args.kernelPackage ?? defaultKernelPackage(args.arch);
}

export function recordCommand(ctx: CliContext): CommandModule<object, RecordOptions> {
  return {
    command: 'record',
    describe: 'Record a Linux NIC driver on QEMU\'s igb/e1000e: boot a guest, keep the trace and a sidecar describing how it was made',
    builder,
    handler: async (args) => (await import('../handlers/record.js')).runRecord(args, ctx),
  };
}
