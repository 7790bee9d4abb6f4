// `igb-replay replay TRACE…`: replays each trace's register accesses against a fresh QEMU over
// qtest and compares every read. Exit 0 when nothing diverged, 1 on divergences, 3 when QEMU
// failed (also midway: the partial result is still reported and written).

import type { Argv, CommandModule } from 'yargs';
import type { ReplayResult } from '../../model/replay.js';
import { DeviceOptionError } from '../../replay/device-option.js';
import type { TimeModeChoice } from '../../replay/qemu-target.js';
import { isFailing, renderReplay } from '../../report/replay-text.js';
import { colorFor } from '../color.js';
import type { CliContext } from '../context.js';
import { EXIT_DIVERGENCES, EXIT_TARGET, UsageError } from '../errors.js';
import { dashArg, lenientOption } from '../options.js';
import { openOutput, ReaderGone } from '../output.js';
import { progressReporter } from '../progress.js';

export interface ReplayArgs {
  readonly traces: string[];
  readonly device: string;
  readonly time: TimeModeChoice;
  readonly qemu?: string;
  readonly strict: boolean;
  readonly json?: string;
  readonly lenient: boolean;
  readonly keepTemp: boolean;
}

const TIME_CHOICES: readonly TimeModeChoice[] = ['auto', 'frozen', 'markers', 'clock-step'];

function builder(y: Argv): Argv<ReplayArgs> {
  return y
    .positional('traces', { type: 'string', array: true, demandOption: true, describe: 'QEMU trace logs (plain or gzip)' })
    .options({
      device: { type: 'string', default: 'igb', requiresArg: true, describe: 'Target -device: igb, e1000e, with properties (igb,mac=…)' },
      time: { choices: TIME_CHOICES, default: 'auto', describe: 'Virtual time: auto picks clock-step with the qtest accelerator, else markers' },
      qemu: { type: 'string', requiresArg: true, describe: 'QEMU binary (default: $QTEST_QEMU_BINARY, else qemu-system-x86_64 on PATH)' },
      strict: { type: 'boolean', default: false, describe: 'Count differences in volatile registers (statistics, free-running clocks) as divergences' },
      json: { type: 'string', requiresArg: true, coerce: dashArg, describe: 'Write the full result to FILE (- for stdout) as JSON, schema igb-replay/replay-report' },
      lenient: lenientOption,
      'keep-temp': { type: 'boolean', default: false, describe: "Keep QEMU's temp dir (its log and sockets) for debugging" },
    })
    .example('$0 replay traces/linux-6.1-init.log', 'Replay a Linux igb init against QEMU\'s igb and check every read')
    .example('$0 replay traces/linux-6.1-init.log --device e1000e', 'What does the igb driver need that e1000e lacks?')
    .example('$0 replay trace.log --json result.json --strict', 'Full result as JSON; volatile registers count too')
    .example('QTEST_QEMU_BINARY=~/qemu/build/qemu-system-x86_64 $0 replay trace.log', 'Against your own QEMU build') as unknown as Argv<ReplayArgs>;
}

export function replayCommand(ctx: CliContext): CommandModule<object, ReplayArgs> {
  return {
    command: 'replay <traces..>',
    describe: 'Replay traces against QEMU over qtest and compare every read with the recording',
    builder,
    handler: (args) => runReplay(args, ctx),
  };
}

export async function runReplay(args: ReplayArgs, ctx: CliContext): Promise<void> {
  // Loaded on demand: the replay stack (QEMU target, qtest client) is not needed by other commands.
  const { replayTrace } = await import('../../replay/replay-trace.js');
  const results: ReplayResult[] = [];
  for (const trace of args.traces.map((t) => dashArg(t))) {
    if (trace === '-') throw new UsageError('replay needs trace files (stdin cannot be replayed twice)', 'save the trace to a file first');
    const progress = progressReporter(ctx, `replaying ${trace}`);
    try {
      results.push(await replayTrace(trace, {
        qemu: args.qemu, device: args.device, time: args.time, strict: args.strict, lenient: args.lenient,
        keepTempDir: args.keepTemp, onProgress: progress.update,
      }));
    } catch (error) {
      if (error instanceof DeviceOptionError) throw new UsageError(error.message, error.hint);
      throw error;
    } finally {
      progress.done();
    }
  }
  await report(results, args, ctx);
  ctx.exitCode = exitCodeOf(results, args.strict);
}

function exitCodeOf(results: readonly ReplayResult[], strict: boolean): number {
  if (results.some((r) => !r.completed)) return EXIT_TARGET;
  const diverged = results.some((r) => r.divergences.some((d) => isFailing(d.class, { strict })));
  return diverged ? EXIT_DIVERGENCES : 0;
}

async function report(results: readonly ReplayResult[], args: ReplayArgs, ctx: CliContext): Promise<void> {
  if (args.json !== undefined) {
    const json = `${JSON.stringify({ schema: 'igb-replay/replay-report', version: 1, results }, null, 2)}\n`;
    await write(args.json, json, ctx);
    if (args.json === '-') return;
  }
  const color = colorFor(ctx.env, ctx.stdout.isTTY === true);
  await write(undefined, results.map((r) => renderReplay(r, color, { strict: args.strict })).join('\n'), ctx);
}

async function write(path: string | undefined, text: string, ctx: CliContext): Promise<void> {
  const out = await openOutput(path === '-' ? undefined : path, ctx.stdout);
  try {
    out.write(text);
    await out.close();
  } catch (error) {
    await out.abort();
    if (error instanceof ReaderGone || out.readerGone) return;
    throw error;
  }
}
