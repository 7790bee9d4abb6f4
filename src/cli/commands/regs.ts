// `igb-replay regs NAME|OFFSET [VALUE]`: what a register is, its fields, and a value decoded field
// by field; `igb-replay regs --list [--block NAME]` lists the database; `--device e1000e` uses the
// 82574L database instead of the igb one.

import type { Argv, CommandModule } from 'yargs';
import { FUNCTIONAL_BLOCKS, type FunctionalBlock } from '../../model/register.js';
import { listRegisters } from '../../analysis/register-layout.js';
import { lookupRegister, parseNumber } from '../../analysis/register-lookup.js';
import { DEVICE_MODELS, registersFor, type DeviceModel } from '../../regs/index.js';
import { renderRegisterInfo, renderRegisterListing } from '../../report/register-text.js';
import { colorFor } from '../color.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { jsonHint, jsonOption } from '../options.js';
import { writeJson, writeText } from '../output.js';

export interface RegsArgs {
  readonly register?: string;
  readonly value?: string;
  readonly phy: boolean;
  readonly list: boolean;
  readonly block?: FunctionalBlock;
  /** `--json [FILE]`: the file, or `-` for stdout. */
  readonly json?: string;
  readonly device: DeviceModel;
}

function builder(y: Argv): Argv<RegsArgs> {
  return y
    // Strings, not numbers: yargs would turn 0xc0c0 into 49344 and lose how the user wrote it.
    .positional('register', { type: 'string', describe: 'Register name (STATUS, rdbal(3), RDBAL3) or offset (0xc0c0, 49344)' })
    .positional('value', { type: 'string', describe: 'A value to decode field by field (0x80080483 or decimal)' })
    .options({
      phy: { type: 'boolean', default: false, describe: 'Look up PHY (MII) registers reached through MDIC instead of BAR0' },
      list: { type: 'boolean', default: false, describe: 'List the registers (of one block with --block)' },
      block: { type: 'string', choices: FUNCTIONAL_BLOCKS, requiresArg: true, describe: 'With --list: only this functional block' },
      json: jsonOption('the register or the list (schemas igb-replay/register, igb-replay/register-list)'),
      device: { type: 'string', choices: DEVICE_MODELS, default: 'igb' as DeviceModel, requiresArg: true, describe: "Whose register database: QEMU's igb (82576) or e1000e (82574L)" },
    })
    .example('$0 regs STATUS 0x80080483', 'Decode a STATUS value: FD, LU, SPEED, ...')
    .example('$0 regs 0xc0c0', 'Which register is at BAR0 offset 0xc0c0 (RDBAL(3))')
    .example('$0 regs rdbal(3)', 'An array element by name')
    .example('$0 regs --phy BMSR 0x796d', 'A PHY register and value')
    .example('$0 regs --list --block statistics', 'The statistics registers')
    .example('$0 regs --device e1000e 0x2900', 'The e1000e (82574L) register at 0x2900 (RDBAL(1))') as unknown as Argv<RegsArgs>;
}

export function regsCommand(ctx: CliContext): CommandModule<object, RegsArgs> {
  return {
    command: 'regs [register] [value]',
    describe: 'Describe a register (name or offset), decode a value, or list the register database',
    builder,
    handler: (args) => runRegs(args, ctx),
  };
}

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
