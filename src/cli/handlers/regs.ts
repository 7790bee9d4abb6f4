// The work of `igb-replay regs` (its options and help: ../commands/regs.ts), loaded only when
// the command runs, so that --help, --version and the other commands do not load it.

import { listRegisters } from '../../analysis/register-layout.js';
import { lookupRegister, parseNumber } from '../../analysis/register-lookup.js';
import { registersFor } from '../../regs/index.js';
import { renderRegisterInfo, renderRegisterListing } from '../../report/register-text.js';
import { colorFor } from '../color.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { jsonHint } from '../options.js';
import { writeJson, writeText } from '../output.js';
import type { RegsArgs } from '../commands/regs.js';

export async function runRegs(args: RegsArgs, ctx: CliContext): Promise<void> {
  const c = colorFor(ctx.env, ctx.stdout.isTTY === true);
  const space = args.phy ? 'phy' : 'mmio';
  const db = registersFor(args.device);
  if (args.list) {
    if (args.register !== undefined) throw new UsageError('give either a register or --list, not both');
    const listing = listRegisters(args.phy ? db.allPhy() : db.all(), space, args.block);
    if (args.json !== undefined) await writeJson(args.json, listing, ctx.stdout);
    else await writeText(undefined, renderRegisterListing(listing, c), ctx.stdout);
    return;
  }
  if (args.register === undefined) {
    const took = args.json !== undefined && args.json !== '-' ? jsonHint(args.json) : undefined;
    throw new UsageError('name a register (or an offset), or use --list', took ?? 'e.g. igb-replay regs STATUS 0x80080483');
  }
  if (args.block !== undefined) throw new UsageError('--block only applies to --list');
  const info = lookupRegister(db, args.register, space, parseValue(args.value, args.phy ? 16 : 32));
  if (args.json !== undefined) await writeJson(args.json, info, ctx.stdout);
  else await writeText(undefined, renderRegisterInfo(info, c), ctx.stdout);
}

function parseValue(text: string | undefined, width: number): number | undefined {
  if (text === undefined) return undefined;
  const value = parseNumber(text.trim());
  if (value === undefined || value > 2 ** width - 1) {
    throw new UsageError(`VALUE must be a ${width}-bit number such as 0x${'8'.padEnd(width / 4, '0')} or 1234, got ${JSON.stringify(text)}`);
  }
  return value;
}
