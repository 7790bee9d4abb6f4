// `igb-replay merge REPORT.json…`: joins the JSON reports of the CI jobs that each replayed one
// shard of a corpus (`replay --shard i/n --json FILE`) into one report, written and judged as a
// single `replay` of the whole corpus would have been: text, --json, --junit, --html, and the same
// exit status (0, 1 divergences or a regression, 3 a replay stopped early). Every shard must be
// there. Also joins whole runs (reports without shards), in the order given.
import type { Argv, CommandModule } from 'yargs';
import { JUNIT_GROUPINGS, type JunitGrouping } from '../../report/junit-grouping.js';
import type { CliContext } from '../context.js';
import { jsonOption, type BuiltOptions } from '../options.js';


export interface MergeArgs {
  readonly reports: string[];
  readonly json?: string;
  readonly junit?: string;
  readonly junitBy: JunitGrouping;
  readonly html?: string;
}

/** The options as yargs parses them (kebab-case names); the handler gets them with camelCase ones too, as MergeArgs. */
type MergeOptions = BuiltOptions<typeof builder>;

function builder(y: Argv) {
  return y
    .positional('reports', { type: 'string', array: true, demandOption: true, describe: 'JSON reports of `replay --json` (one per shard)' })
    .options({
      json: jsonOption('the merged report'),
      junit: { type: 'string', requiresArg: true, describe: 'Write JUnit XML of the merged report to FILE' },
      'junit-by': { choices: JUNIT_GROUPINGS, default: 'register' as const, describe: 'JUnit test cases of a one-build report: one per register read, or one per phase' },
      html: { type: 'string', requiresArg: true, describe: 'Write a self-contained HTML report of the merged report to FILE' },
    })
    .example('$0 merge results/shard-*.json --junit junit.xml', 'The CI job after the shard jobs: one report, one verdict')
    .example('$0 merge shard-1.json shard-2.json --json all.json --html all.html', 'The whole corpus as JSON and HTML');
}

export function mergeCommand(ctx: CliContext): CommandModule<object, MergeOptions> {
  return {
    command: 'merge <reports..>',
    describe: 'Join the JSON reports of sharded replays (replay --shard i/n) into one report',
    builder,
    handler: async (args) => (await import('../handlers/merge.js')).runMerge(args, ctx),
  };
}
