// `igb-replay parse TRACE`: a summary of a trace (text or JSON), or the trace's records streamed
// out as JSON Lines or CSV. The summary is an aggregate built while reading; the streams render
// each record as it is parsed and never hold the trace.
import type { Argv, CommandModule } from 'yargs';
import type { CliContext } from '../context.js';
import { barBaseOption, dashArg, jsonOption, lenientOption, nonNegativeInteger, outputOption } from '../options.js';


export interface ParseArgs {
  readonly trace: string;
  readonly lenient: boolean;
  readonly barBase?: number;
  // The output switches have no default: yargs' conflicts() would count a default as given.
  /** `--json [FILE]`: the file, or `-` for stdout. */
  readonly json?: string;
  readonly jsonl?: boolean;
  readonly csv?: boolean;
  readonly output?: string;
  readonly top: number;
}

function builder(y: Argv): Argv<ParseArgs> {
  return y
    .positional('trace', { type: 'string', demandOption: true, coerce: dashArg, describe: 'QEMU trace log (plain or gzip); - for stdin' })
    .options({
      lenient: lenientOption,
      'bar-base': barBaseOption,
      json: jsonOption('the summary (schema igb-replay/parse-summary)'),
      jsonl: { type: 'boolean', describe: 'Stream every access and marker record as one JSON object per line (to -o FILE or stdout)' },
      csv: { type: 'boolean', describe: 'Stream the accesses as CSV with a header row (to -o FILE or stdout)' },
      output: { ...outputOption, alias: 'o', coerce: dashArg, describe: 'Write the text summary, --jsonl or --csv to FILE (written to a temporary file and renamed when complete)' },
      top: { type: 'number', default: 20, coerce: nonNegativeInteger('top'), describe: 'Registers to list in the summary (0: all)' },
    })
    .conflicts('json', ['jsonl', 'csv'])
    .conflicts('jsonl', 'csv')
    .example('$0 parse traces/linux-6.1-init.log', 'Summary: lines, accesses, markers, registers, QEMU verdicts')
    .example('$0 parse trace.log.gz --json summary.json', 'The summary as JSON, written atomically to a file')
    .example('$0 parse trace.log --jsonl | jq -c \'select(.verdict != "ok")\'', 'Stream records; pick the accesses QEMU flagged')
    .example('$0 parse trace.log --csv -o accesses.csv', 'The access stream as CSV')
    .example('zcat trace.log.gz | $0 parse - --lenient', 'Read stdin; skip and count malformed lines');
}

export function parseCommand(ctx: CliContext): CommandModule<object, ParseArgs> {
  return {
    command: 'parse <trace>',
    describe: 'Summarise a QEMU igb trace, or stream its records as JSON Lines or CSV',
    builder,
    handler: async (args) => (await import('../handlers/parse.js')).runParse(args, ctx),
  };
}
