// The work of `igb-replay record` (its options and help: ../commands/record.ts), loaded only when
// the command runs, so that --help, --version and the other commands do not load it.

import { parseDeviceOption } from '../../replay/device-option.js';
import type { RecordResult } from '../../record/record.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { openOutput } from '../output.js';
import { packageVersion } from '../version.js';
import { kernelPackageOf, type RecordArgs } from '../commands/record.js';
import { DEFAULT_GUEST_ARCH } from '../../devices/guest-arch.js';

/**
 * `linux-6.1-igb-init.log` for the project's guest, `igb-init.log` for the user's; another
 * architecture than x86 says so (`linux-6.1-aarch64-igb-init.log`).
 */
export function defaultOutput(args: Pick<RecordArgs, 'kernel' | 'kernelPackage' | 'scenario' | 'arch'>, model: string): string {
  const version = /^linux-image-(\d+\.\d+)/.exec(kernelPackageOf(args))?.[1];
  const name = args.arch === DEFAULT_GUEST_ARCH ? `${model}-${args.scenario}` : `${args.arch}-${model}-${args.scenario}`;
  return args.kernel === undefined && version !== undefined ? `linux-${version}-${name}.log` : `${name}.log`;
}

/** The command line as the sidecar's recorded_by shows it. */
export function invocation(args: RecordArgs, output: string): string {
  const parts = ['igb-replay', 'record', '--scenario', args.scenario, '--device', args.device, '-o', output];
  if (args.kernel !== undefined) parts.push('--kernel', args.kernel, '--initrd', args.initrd ?? '');
  else parts.push('-k', kernelPackageOf(args));
  if (args.arch !== DEFAULT_GUEST_ARCH) parts.push('--arch', args.arch);
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
      qemu: args.qemu, kernel: args.kernel, initrd: args.initrd, append: args.append, kernelPackage: kernelPackageOf(args), arch: args.arch,
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
