// `igb-replay record`: boots a guest under QEMU with everything replay needs and writes the trace,
// its sidecar (how it was made: QEMU, command line, NIC, kernel), the guest console and a capture
// of every frame (pcap). The work
// is in src/record/; this module parses options, shows progress and prints where things went.
// Exit 0 when recorded, 2 for bad options or missing guest files, 3 when QEMU or the guest failed.

import type { Argv, CommandModule } from 'yargs';
import { parseDeviceOption } from '../../replay/device-option.js';
import type { RecordResult } from '../../record/record.js';
import { DEFAULT_KERNEL_PACKAGE } from '../../record/guest.js';
import { DEFAULT_MEMORY_MIB } from '../../record/qemu-command.js';
import { PROJECT_SCENARIOS } from '../../record/scenarios.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { openOutput } from '../output.js';
import { packageVersion } from '../version.js';

export interface RecordArgs {
  readonly output?: string;
  readonly scenario: string;
  readonly device: string;
  readonly kernel?: string;
  readonly initrd?: string;
  readonly append?: string;
  readonly kernelPackage: string;
  readonly smp?: number;
  readonly memory?: number;
  readonly timeout: number;
  readonly qemu?: string;
  readonly keepTemp: boolean;
}

function builder(y: Argv): Argv<RecordArgs> {
  return y
    .options({
      output: { alias: 'o', type: 'string', requiresArg: true, describe: 'Trace file to write; X.json (sidecar) and X.console.log go beside it (default: linux-<K>-<device>-<scenario>.log)' },
      scenario: { type: 'string', default: 'init', requiresArg: true, describe: `What the project's guest does: ${PROJECT_SCENARIOS.join(', ')} (see the README)` },
      device: { type: 'string', default: 'igb', requiresArg: true, describe: 'The NIC: igb or e1000e, with properties (igb,mac=…,x-pcie-flr-init=off); the guest loads the matching driver' },
      kernel: { type: 'string', requiresArg: true, describe: 'Your own guest kernel (with --initrd) instead of the project\'s guest' },
      initrd: { type: 'string', requiresArg: true, describe: 'Your own initrd (with --kernel)' },
      append: { type: 'string', requiresArg: true, describe: 'Kernel command line (default: console=ttyS0 quiet panic=-1 igbrec=SCENARIO)' },
      'kernel-package': { alias: 'k', type: 'string', default: DEFAULT_KERNEL_PACKAGE, requiresArg: true, describe: 'Debian kernel package of the project\'s guest (built once, cached in ~/.cache/igb-replay)' },
      smp: { type: 'number', requiresArg: true, describe: 'vCPUs of the guest (default: 1, or what the scenario needs: 2 for rss)' },
      memory: { type: 'number', requiresArg: true, describe: `Guest RAM in MiB (default: ${DEFAULT_MEMORY_MIB})` },
      timeout: { type: 'number', default: 180, requiresArg: true, describe: 'Seconds the guest may run before the recording is abandoned' },
      qemu: { type: 'string', requiresArg: true, describe: 'QEMU binary (default: $QTEST_QEMU_BINARY, else qemu-system-x86_64 on PATH)' },
      'keep-temp': { type: 'boolean', default: false, describe: 'Keep the work directory (QEMU\'s trace and console) for debugging' },
    })
    .example('$0 record -o init.log', 'Record the Linux igb driver\'s init (load, link up, DHCP) on QEMU\'s igb')
    .example('$0 record --scenario traffic --device e1000e -o e1000e-traffic.log', 'The e1000e driver on QEMU\'s e1000e, with 20 pings')
    .example('$0 record --scenario traffic-mix -o mix.log', 'ICMP, UDP and TCP to a sink on this host; mix.pcap holds every frame')
    .example('$0 record --scenario rss --smp 4 -o rss.log', 'RSS over four vCPUs and queues')
    .example('$0 record -k linux-image-6.12.95+deb12-amd64 -o linux-6.12.log', 'With another Debian kernel')
    .example('$0 record --kernel bzImage --initrd rootfs.cpio.gz --append "console=ttyS0" -o mine.log', 'Your own guest; it must power off when done')
    .example('$0 replay init.log', 'Replay it: the sidecar init.json recreates the same device') as unknown as Argv<RecordArgs>;
}

export function recordCommand(ctx: CliContext): CommandModule<object, RecordArgs> {
  return {
    command: 'record',
    describe: 'Record a Linux NIC driver on QEMU\'s igb/e1000e: boot a guest, keep the trace and a sidecar describing how it was made',
    builder,
    handler: (args) => runRecord(args, ctx),
  };
}

/** `linux-6.1-igb-init.log` for the project's guest, `igb-init.log` for the user's. */
export function defaultOutput(args: Pick<RecordArgs, 'kernel' | 'kernelPackage' | 'scenario'>, model: string): string {
  const version = /^linux-image-(\d+\.\d+)/.exec(args.kernelPackage)?.[1];
  return args.kernel === undefined && version !== undefined ? `linux-${version}-${model}-${args.scenario}.log` : `${model}-${args.scenario}.log`;
}

/** The command line as the sidecar's recorded_by shows it. */
export function invocation(args: RecordArgs, output: string): string {
  const parts = ['igb-replay', 'record', '--scenario', args.scenario, '--device', args.device, '-o', output];
  if (args.kernel !== undefined) parts.push('--kernel', args.kernel, '--initrd', args.initrd ?? '');
  else parts.push('-k', args.kernelPackage);
  if (args.append !== undefined) parts.push('--append', JSON.stringify(args.append));
  if (args.smp !== undefined) parts.push('--smp', String(args.smp));
  if (args.memory !== undefined) parts.push('--memory', String(args.memory));
  parts.push('--timeout', String(args.timeout));
  return `${parts.join(' ')} (igb-replay ${packageVersion()})`;
}

/** QEMU's -smp limit for q35 is far higher; a recording under TCG with more vCPUs would crawl. */
const MAX_SMP = 64;
/** Below this the Debian kernel does not boot the project's guest. */
const MIN_MEMORY_MIB = 128;

/** --timeout, --smp and --memory: numbers QEMU accepts, checked before anything starts. */
export function checkMachineOptions(args: Pick<RecordArgs, 'timeout' | 'smp' | 'memory'>): void {
  if (!(args.timeout > 0)) throw new UsageError(`--timeout must be a positive number of seconds, got ${args.timeout}`, 'e.g. --timeout 300');
  if (args.smp !== undefined && !(Number.isInteger(args.smp) && args.smp >= 1 && args.smp <= MAX_SMP)) {
    throw new UsageError(`--smp must be a whole number of vCPUs from 1 to ${MAX_SMP}, got ${args.smp}`, 'e.g. --smp 2');
  }
  if (args.memory !== undefined && !(Number.isInteger(args.memory) && args.memory >= MIN_MEMORY_MIB)) {
    throw new UsageError(`--memory must be a whole number of MiB, at least ${MIN_MEMORY_MIB}, got ${args.memory}`, 'e.g. --memory 1024');
  }
}

export async function runRecord(args: RecordArgs, ctx: CliContext): Promise<void> {
  checkMachineOptions(args);
  const device = parseDeviceOption(args.device);
  const output = args.output ?? defaultOutput(args, device.model);
  // Loaded on demand: only this command needs the recording stack.
  const { recordTrace } = await import('../../record/record.js');
  const status = statusLine(ctx);
  let result: RecordResult;
  try {
    result = await recordTrace({
      output, scenario: args.scenario, device: { model: device.model, mac: device.mac, properties: device.properties },
      qemu: args.qemu, kernel: args.kernel, initrd: args.initrd, append: args.append, kernelPackage: args.kernelPackage,
      smp: args.smp, memoryMiB: args.memory,
      timeoutS: args.timeout, recordedBy: invocation(args, output), env: ctx.env, keepTemp: args.keepTemp,
      onLog: (line) => { if (!line.includes('up to date')) status.log(line); },
      onProgress: status.update,
    });
  } finally {
    status.done();
  }
  await printSummary(result, ctx);
}

async function printSummary(result: RecordResult, ctx: CliContext): Promise<void> {
  const s = result.sidecar;
  const n = (value: number | undefined): string => (value ?? 0).toLocaleString('en-US');
  const kernel = s.kernel_package === undefined ? '' : `, ${s.kernel_package} ${s.kernel_version ?? ''}`.trimEnd();
  const out = await openOutput(undefined, ctx.stdout);
  out.write([
    `Recorded  ${result.trace}: ${n(s.lines)} lines, ${n(s.bytes)} bytes, ${n(result.coreReads)} register reads, in ${(result.durationMs / 1000).toFixed(1)} s`,
    `Sidecar   ${result.sidecarPath} (${s.qemu_version ?? 'QEMU'}, -device ${s.device ?? '?'}${kernel}, ${n(s.memory_mib)} MiB, ${n(s.smp)} vCPU)`,
    `Frames    ${result.pcapPath}: ${n(s.pcap?.frames)} frames, ${n(s.pcap?.bytes)} bytes`,
    `Console   ${result.consolePath}`,
    `Replay:   igb-replay replay ${result.trace}`,
    '',
  ].join('\n'));
  await out.close();
}

/** Lines captured and time elapsed, redrawn on stderr while QEMU runs: on a terminal only, never in CI. */
function statusLine(ctx: CliContext): { update: (lines: number, elapsedMs: number) => void; log: (line: string) => void; done: () => void } {
  const enabled = ctx.stderr.isTTY === true && ctx.env.CI === undefined;
  let shown = false;
  const clear = (): void => {
    if (shown) ctx.stderr.write('\r\u001b[K');
    shown = false;
  };
  return {
    update: (lines, elapsedMs) => {
      if (!enabled) return;
      ctx.stderr.write(`\rrecording: ${lines.toLocaleString('en-US')} trace lines, ${(elapsedMs / 1000).toFixed(0)} s\u001b[K`);
      shown = true;
    },
    // The guest build's own messages (downloads) are worth seeing wherever stderr goes.
    log: (line) => {
      clear();
      ctx.stderr.write(`igb-replay: ${line}\n`);
    },
    done: clear,
  };
}
