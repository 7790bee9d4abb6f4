// igb-replay command line: yargs command modules, and the one place that turns errors into exit
// codes and messages. Results go to stdout, messages to stderr.

import yargs, { type Argv, type CommandModule, type MiddlewareFunction } from 'yargs';
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
import { checkOptionTokens, type OptionTable } from './option-check.js';
import { jsonTookArgument, protectDash } from './options.js';
import { packageVersion } from './version.js';

/** A command as the list holds it: its usage line and how it adds itself (each has its own argument type). */
export interface CliCommand {
  /** `replay <traces..>`: the name, then the positionals. */
  readonly usage: string;
  readonly add: (cli: Argv) => void;
}

function listed<U>(module: CommandModule<object, U>): CliCommand {
  return { usage: String(module.command), add: (cli) => { cli.command(module); } };
}

/** Every command, in the order --help lists them. */
export function cliCommands(ctx: CliContext): CliCommand[] {
  return [listed(parseCommand(ctx)), listed(regsCommand(ctx)), listed(replayCommand(ctx)), listed(triageCommand(ctx)),
    listed(diffCommand(ctx)), listed(exportCommand(ctx)), listed(recordCommand(ctx)), listed(minimiseCommand(ctx)), listed(mergeCommand(ctx))];
}

/** The command line, ready to parse: main() runs it; tests add a middleware to stop before a handler. */
export function buildCli(argv: readonly string[], ctx: CliContext): Argv {
  const command = argv.find((a) => !a.startsWith('-'));
  const args = protectDash(argv);
  const cli = yargs(args)
    .scriptName('igb-replay')
    .usage('$0 <command> [options]\n\nParse QEMU igb (Intel 82576) driver traces; replay them against QEMU over qtest.');
  for (const command of cliCommands(ctx)) command.add(cli);
  skipHelpPrerender(cli);
  return cli
    // Before yargs' validation and the options' coerce checks, which would see an array or NaN.
    .middleware(optionCheck(args), true)
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
      const text = error?.message ?? message ?? 'invalid command line';
      const missing = /^Not enough non-option arguments/.test(text) ? jsonTookArgument(args) : undefined;
      throw new UsageError(text, missing ?? `see ${help}`);
    });
}

export async function main(argv: readonly string[], ctx: CliContext): Promise<number> {
  const cli = buildCli(argv, ctx);
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

/** The part of yargs' internal usage object the start-up touches (yargs 18, build/lib/usage.js). */
interface YargsUsageInternals {
  cacheHelpMessage?: () => void;
  hasCachedHelpMessage?: () => boolean;
}

/**
 * yargs 18's internal methods (build/lib/yargs-factory.js, `getInternalMethods`), which @types/yargs
 * does not declare: declared here as optional, so a later yargs without them is handled.
 */
declare module 'yargs' {
  // T: the declaration merges with @types/yargs' `Argv<T>`, whose type parameter it must repeat.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface Argv<T> {
    getInternalMethods?: () => { getUsageInstance?: () => YargsUsageInternals };
  }
}

/** yargs' usage object, through its internal methods; undefined if a later yargs has none. */
export function yargsUsage(cli: Argv): YargsUsageInternals | undefined {
  return cli.getInternalMethods?.().getUsageInstance?.();
}

/**
 * yargs renders a command's whole help text right after starting its handler, in case the handler
 * later calls showHelp() (it then shows the command's help, not the top level's). No handler here
 * does, and the rendering (cliui wrapping and measuring every option and example, string-width's
 * emoji regex) cost 20-30 ms of every run's start-up. --help and usage errors render as before:
 * only the cache is skipped. If a later yargs renames the hook, this does nothing.
 */
function skipHelpPrerender(cli: Argv): void {
  const usage = yargsUsage(cli);
  if (typeof usage?.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/**
 * The checks of option-check.ts as a yargs middleware. yargs 18 passes itself to a middleware, its
 * option table then being the command's; @types/yargs (17) does not declare that argument, so it is
 * optional here (and always given).
 */
function optionCheck(argv: readonly string[]): MiddlewareFunction {
  return (args: { readonly _: readonly (string | number)[] }, y?: { getOptions(): OptionTable }): void => {
    if (y === undefined) throw new TypeError('yargs passed no instance to the option-check middleware');
    checkOptionTokens(argv, y.getOptions(), String(args._[0] ?? ''));
  };
}
