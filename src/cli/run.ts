// igb-replay command line: yargs command modules, and the one place that turns errors into exit
// codes and messages. Results go to stdout, messages to stderr.

import yargs from 'yargs';
import { diffCommand } from './commands/diff.js';
import { exportCommand } from './commands/export.js';
import { mergeCommand } from './commands/merge.js';
import { minimiseCommand } from './commands/minimise.js';
import { parseCommand } from './commands/parse.js';
import { recordCommand } from './commands/record.js';
import { regsCommand } from './commands/regs.js';
import { replayCommand } from './commands/replay.js';
import { triageCommand } from './commands/triage.js';
import { stderrColor, type CliContext } from './context.js';
import { reportError, UsageError } from './errors.js';
import { protectDash } from './options.js';
import { packageVersion } from './version.js';

export async function main(argv: readonly string[], ctx: CliContext): Promise<number> {
  const command = argv.find((a) => !a.startsWith('-'));
  const cli = yargs(protectDash(argv))
    .scriptName('igb-replay')
    .usage('$0 <command> [options]\n\nParse QEMU igb (Intel 82576) driver traces; replay them against QEMU over qtest.')
    .command(parseCommand(ctx))
    .command(regsCommand(ctx))
    .command(replayCommand(ctx))
    .command(triageCommand(ctx))
    .command(diffCommand(ctx))
    .command(exportCommand(ctx))
    .command(recordCommand(ctx))
    .command(minimiseCommand(ctx))
    .command(mergeCommand(ctx))
    .demandCommand(1, 'name a command: replay, merge, diff, parse, triage, regs, record, export or minimise')
    .recommendCommands()
    .strict()
    .help()
    .alias('h', 'help')
    .version(packageVersion())
    .epilogue('Exit status: 0 success, 1 divergences found, 2 usage or input error, 3 QEMU/target failure, 4 internal error.')
    .wrap(Math.min(120, ctx.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message: string | undefined, error: Error | undefined) => {
      // yargs reports its own validation errors (and option coerce errors, wrapped as YError) here.
      if (error !== undefined && error.name !== 'YError') throw error;
      const help = command === undefined ? 'igb-replay --help' : `igb-replay ${command} --help`;
      throw new UsageError(error?.message ?? message ?? 'invalid command line', `see ${help}`);
    });
  try {
    await cli.parseAsync();
    return ctx.exitCode;
  } catch (error) {
    const report = reportError(error);
    const c = stderrColor(ctx);
    ctx.stderr.write(`${c.red('igb-replay: error:')} ${report.message}\n`);
    if (report.hint !== undefined) ctx.stderr.write(`  ${c.dim('hint:')} ${report.hint}\n`);
    if (report.stack !== undefined) ctx.stderr.write(`${report.stack}\n`);
    return report.exitCode;
  }
}
