// `igb-replay regs NAME|OFFSET [VALUE]`: what a register is, its fields, and a value decoded field
// by field; `igb-replay regs --list [--block NAME]` lists the database; `--device e1000e` uses the
// 82574L database instead of the igb one.
import type { Argv, CommandModule } from 'yargs';
import { FUNCTIONAL_BLOCKS, type FunctionalBlock } from '../../model/register.js';
import { DEVICE_MODELS, type DeviceModel } from '../../devices/table.js';
import type { CliContext } from '../context.js';
import { jsonOption } from '../options.js';


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
    .example('$0 regs --device e1000e 0x2900', 'The e1000e (82574L) register at 0x2900 (RDBAL(1))');
}

export function regsCommand(ctx: CliContext): CommandModule<object, RegsArgs> {
  return {
    command: 'regs [register] [value]',
    describe: 'Describe a register (name or offset), decode a value, or list the register database',
    builder,
    handler: async (args) => (await import('../handlers/regs.js')).runRegs(args, ctx),
  };
}
