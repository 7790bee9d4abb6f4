// The work of `igb-replay export` (its options and help: ../commands/export.ts), loaded only when
// the command runs, so that --help, --version and the other commands do not load it.

import { basename } from 'node:path';
import { warn, type CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { writeText } from '../output.js';
import type { ExportArgs } from '../commands/export.js';

export async function runExport(args: ExportArgs, ctx: CliContext): Promise<void> {
  if (args.qtest === args.cTest) throw new UsageError('choose one of --qtest or --c-test', 'igb-replay export TRACE --qtest -o FILE');
  if (args.clockStep && !args.qtest) throw new UsageError('--clock-step applies to --qtest only', 'the C test always steps the clock (libqtest runs -accel qtest)');
  if (args.trace === '-') throw new UsageError('export needs a trace file', 'save the trace to a file first');
  // Loaded on demand, like the replay stack in `replay`.
  const [{ loadTrace }, { targetDevice }, { registersFor }, { exportPlan }] = await Promise.all([
    import('../../trace/load.js'), import('../../replay/prepare.js'), import('../../regs/database.js'), import('../../export/steps.js'),
  ]);
  const trace = await loadTrace(args.trace, { lenient: args.lenient, onWarning: (message) => warn(ctx, message) });
  const plan = exportPlan(args.trace, trace.records ?? [], registersFor(trace.device.model), targetDevice(trace, args.device), trace.device.placement);
  const name = args.name ?? basename(args.trace).replace(/\.log(\.gz)?$/, '');
  if (args.cTest) {
    const { renderCTest } = await import('../../export/c-test.js');
    await writeText(args.output, renderCTest(plan, { name }), ctx.stdout);
    return;
  }
  const [{ qtestScript, renderScript, renderCompanion }, { scriptQemuArgs, shellWords }] = await Promise.all([
    import('../../export/qtest-script.js'), import('../../export/qemu-command.js'),
  ]);
  const script = qtestScript(plan, args.clockStep ? 'clock-step' : 'frozen');
  await writeText(args.output, renderScript(script), ctx.stdout);
  if (args.output !== undefined && args.output !== '-') {
    const companion = `${args.output}.sh`;
    await writeText(companion, renderCompanion(plan, script, args.output), ctx.stdout, 0o755);
    ctx.stderr.write(`wrote ${args.output} (${script.lines.length} qtest commands) and ${companion}, which runs it: sh ${companion}\n`);
  } else {
    // The script itself cannot say how to run it: tell the user on stderr.
    ctx.stderr.write(`run with: qemu-system-x86_64 ${shellWords(scriptQemuArgs(plan.device, script.time, plan.placement))} < SCRIPT\n`);
  }
}
