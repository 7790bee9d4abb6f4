// The work of `igb-replay minimise` (its options and help: ../commands/minimise.ts), loaded only when
// the command runs, so that --help, --version and the other commands do not load it.

import { basename, extname } from 'node:path';
import { colorFor } from '../color.js';
import { warn, type CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { writeText } from '../output.js';
import { progressReporter } from '../progress.js';
import { renderMinimise } from '../../report/minimise-text.js';
import type { MinimiseArgs } from '../commands/minimise.js';

export async function runMinimise(args: MinimiseArgs, ctx: CliContext): Promise<void> {
  if (args.trace === '-') throw new UsageError('minimise needs a trace file (it is replayed many times)', 'save the trace to a file first');
  const { minimiseTrace } = await import('../../minimise/minimise-trace.js');
  const output = args.output ?? `${basename(args.trace, extname(args.trace)).replace(/\.log$/, '')}.min.log`;
  const progress = progressReporter(ctx, `minimising ${args.trace}`, ' replays');
  const started = Date.now();
  let result;
  try {
    result = await minimiseTrace(args.trace, {
      qemu: args.qemu, device: args.device, time: args.time, maxReplays: args.maxReplays,
      ...(args.line === undefined ? {} : { line: args.line }),
      ...(args.register === undefined ? {} : { register: args.register }),
      ...(args.event === undefined ? {} : { event: args.event }),
      onWarning: (message) => warn(ctx, message),
      onProgress: (replays) => progress.update(replays, args.maxReplays),
    });
  } finally {
    progress.done();
  }
  await writeText(output, result.text, ctx.stdout);
  const report = { result, output, durationMs: Date.now() - started };
  ctx.stdout.write(renderMinimise(report, colorFor(ctx.env, ctx.stdout.isTTY === true)));
}
