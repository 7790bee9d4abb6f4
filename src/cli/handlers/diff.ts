// The work of `igb-replay diff` (its options and help: ../commands/diff.ts), loaded only when
// the command runs, so that --help, --version and the other commands do not load it.

import { diffTraces } from '../../diff/compare.js';
import { readTracePair } from '../../diff/read-pair.js';
import { parseSelectors } from '../../diff/registers.js';
import { recordsVerdicts } from '../../formats/detect.js';
import type { BlockName } from '../../analysis/trace-summary.js';
import { commonDevice, sniffRecordedDevice } from '../../trace/head.js';
import { registersFor } from '../../regs/index.js';
import { renderDiff } from '../../report/diff-text.js';
import { colorFor } from '../color.js';
import { warn, type CliContext } from '../context.js';
import { EXIT_DIVERGENCES, EXIT_OK, UsageError } from '../errors.js';
import { resultDestination } from '../options.js';
import { isTTY, writeJson, writeText } from '../output.js';
import { warnMalformed } from './parse.js';
import { BLOCKS, type DiffArgs } from '../commands/diff.js';

export async function runDiff(args: DiffArgs, ctx: CliContext): Promise<void> {
  if (args.a === '-' && args.b === '-') throw new UsageError('only one of A and B can be standard input', 'give a file for the other');
  const block = parseBlock(args.block);
  const destination = resultDestination(args, ctx);
  // Both traces are named with one database: the device they were recorded on.
  const onWarning = (message: string): void => warn(ctx, message);
  const db = registersFor(commonDevice(await sniffRecordedDevice(args.a, onWarning), await sniffRecordedDevice(args.b, onWarning)).model);
  const registers = args.registers?.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const selectors = registers === undefined ? undefined : parseSelectors(db, registers);
  if (registers !== undefined && registers.length === 0) throw new UsageError('--registers needs at least one name or offset');
  const pair = await readTracePair(args.a, args.b, db, { lenient: args.lenient, barBase: args.barBase, stdin: ctx.stdin });
  const result = diffTraces(pair.a, pair.b, pair.table, db, {
    ignoreVolatile: args.ignoreVolatile,
    ignoreVerdicts: pair.reads.some((read) => !recordsVerdicts(read.dialect)),
    ...(registers === undefined ? {} : { registers, selectors }),
    ...(block === undefined ? {} : { block }),
  });
  if (destination.json) await writeJson(destination.path, result, ctx.stdout);
  else await writeText(destination.path, renderDiff(result, { color: colorFor(ctx.env, isTTY(destination.path, ctx)), limit: args.limit }), ctx.stdout);
  for (const read of pair.reads) warnMalformed(ctx, read.file, read.stats.malformedLines, read.stats.malformedExamples);
  ctx.exitCode = result.equivalent ? EXIT_OK : EXIT_DIVERGENCES;
}

function parseBlock(block: string | undefined): BlockName | undefined {
  if (block === undefined) return undefined;
  const found = BLOCKS.find((b) => b === block.trim().toLowerCase());
  if (found === undefined) throw new UsageError(`unknown block ${JSON.stringify(block)}`, `blocks: ${BLOCKS.join(', ')}`);
  return found;
}
