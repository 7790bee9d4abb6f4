// What a `replay` command replays: its corpus (files, directories, globs; one CI shard of it) and
// its QEMU builds, and running every trace against every build with up to -j replays at once, the
// results coming back in corpus order, one row per trace and one cell per build.

import type { TimeModeChoice } from '../model/replay.js';
import type { ShardInfo } from '../model/shard.js';
import { discoverTraces } from '../corpus/discover.js';
import { selectShard, type Shard } from '../corpus/shard.js';
import { parseBuilds, type BuildSpec } from '../matrix/builds.js';
import type { CellOutcome, CellRequest } from '../parallel/cell.js';
import { runCells } from '../parallel/run-cells.js';
import { warn, type CliContext } from './context.js';
import { UsageError } from './errors.js';
import { dashArg } from './options.js';
import { progressReporter } from './progress.js';

/** The options of `replay` a corpus run reads. */
export interface CorpusArgs {
  readonly traces: readonly string[];
  readonly qemu?: readonly string[];
  readonly shard?: Shard;
  readonly baseline?: string;
  readonly device?: string;
  readonly time: TimeModeChoice;
  readonly strict: boolean;
  readonly dataPath?: boolean;
  readonly lenient: boolean;
  readonly barBase?: number;
  readonly keepTemp: boolean;
  readonly jobs: number;
}

export interface Corpus {
  /** The traces to replay (this shard's), in corpus order. */
  readonly traces: readonly string[];
  readonly shard?: ShardInfo;
  readonly builds: readonly BuildSpec[];
}

/** `onSkip`: a file named on the command line that is left out, and why. */
export async function prepareCorpus(args: CorpusArgs, onSkip?: (message: string) => void): Promise<Corpus> {
  const paths = args.traces.map((t) => dashArg(t));
  if (paths.includes('-')) throw new UsageError('replay needs trace files (stdin cannot be replayed twice)', 'save the trace to a file first');
  const builds = parseBuilds(args.qemu);
  if (builds.length > 1 && args.baseline !== undefined) {
    throw new UsageError('--baseline compares one build with accepted divergences; with several --qemu the first build is the baseline of the others',
      'replay each build alone with --baseline, or compare builds without it');
  }
  const selection = selectShard(await discoverTraces(paths, onSkip), args.shard);
  const shard = args.shard === undefined ? undefined : { ...args.shard, corpus: selection.corpus, positions: selection.positions };
  return { traces: selection.traces, builds, ...(shard === undefined ? {} : { shard }) };
}

/** Every trace against every build: one row per trace, one outcome per build. */
export async function runCorpus(corpus: Corpus, args: CorpusArgs, ctx: CliContext, time: TimeModeChoice = args.time): Promise<CellOutcome[][]> {
  const keepEvents = corpus.builds.length > 1;
  const requests: CellRequest[] = corpus.traces.flatMap((trace) => corpus.builds.map((build): CellRequest => ({
    trace, lenient: args.lenient, ...(args.barBase === undefined ? {} : { barBase: args.barBase }), keepEvents,
    prepare: {
      time, strict: args.strict, keepTempDir: args.keepTemp, ...(args.dataPath === undefined ? {} : { dataPath: args.dataPath }),
      ...(args.device === undefined ? {} : { device: args.device }), ...(build.qemu === undefined ? {} : { qemu: build.qemu }),
    },
  })));
  // A trace replayed on several builds is loaded once per build: say its warnings once.
  const warned = new Set<string>();
  const onWarning = (message: string): void => {
    if (!warned.has(message)) warn(ctx, message);
    warned.add(message);
  };
  const single = requests.length === 1;
  const progress = progressReporter(ctx, single ? `replaying ${requests[0]!.trace}` : 'replaying', single ? '' : ' replays');
  try {
    const outcomes = await runCells(requests, {
      jobs: args.jobs, onWarning,
      ...(single ? { onCellProgress: progress.update } : { onProgress: progress.update }),
    });
    const width = corpus.builds.length;
    return corpus.traces.map((_, i) => outcomes.slice(i * width, (i + 1) * width));
  } finally {
    progress.done();
  }
}
