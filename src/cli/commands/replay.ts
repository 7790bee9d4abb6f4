// `igb-replay replay TRACE…`: replays each trace's register accesses against a fresh QEMU over
// qtest and compares every read. Exit 0 when nothing diverged, 1 on divergences, 3 when QEMU
// failed (also midway: the partial result is still reported and written). With --baseline, failing
// divergences the baseline accepts do not fail the run; --update-baseline rewrites it; --junit
// writes JUnit XML for CI. TRACE may be a directory or a glob (a corpus); -j runs replays in
// parallel, --shard takes one CI job's share; several --qemu compare builds (replay-matrix.ts);
// --bisect gives git bisect run's exit codes (src/cli/bisect.ts).
import { availableParallelism } from 'node:os';
import type { Argv, CommandModule } from 'yargs';
import { TIME_MODE_CHOICES, type TimeModeChoice } from '../../model/replay.js';
import { parseShard, type Shard } from '../../corpus/shard.js';
import { JUNIT_GROUPINGS, type JunitGrouping } from '../../report/junit-grouping.js';
import { withBisectCodes } from '../bisect.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { barBaseOption, jsonOption, lenientOption, type BuiltOptions } from '../options.js';


export interface ReplayArgs {
  readonly traces: string[];
  readonly device?: string;
  readonly time: TimeModeChoice;
  /** One build, or several to compare (`--qemu A --qemu B`). */
  readonly qemu?: readonly string[];
  readonly strict: boolean;
  readonly dataPath?: boolean;
  readonly json?: string;
  readonly lenient: boolean;
  readonly barBase?: number;
  readonly keepTemp: boolean;
  readonly baseline?: string;
  readonly updateBaseline: boolean;
  readonly junit?: string;
  readonly junitBy: JunitGrouping;
  readonly html?: string;
  readonly jobs: number;
  readonly shard?: Shard;
  readonly bisect: boolean;
}

/** The options as yargs parses them (kebab-case names); the handler gets them with camelCase ones too, as ReplayArgs. */
type ReplayOptions = BuiltOptions<typeof builder>;

function builder(y: Argv) {
  return y
    .positional('traces', { type: 'string', array: true, demandOption: true, describe: 'QEMU trace logs (plain or gzip), directories of traces, or quoted globs' })
    .options({
      device: { type: 'string', requiresArg: true, describe: 'Target -device: igb, e1000e, with properties (igb,mac=…); default: the recording\'s, from the sidecar X.json beside X.log, else igb' },
      time: { choices: TIME_MODE_CHOICES, default: 'auto' as TimeModeChoice, describe: 'Virtual time: auto picks clock-step with the qtest accelerator, else markers' },
      // An array taking one value per --qemu: repeatable (the repeat check lets arrays repeat), and
      // `--qemu A TRACE` still leaves TRACE a positional.
      qemu: { type: 'string', array: true, nargs: 1, requiresArg: true, coerce: stringList, describe: 'QEMU binary (default: $QTEST_QEMU_BINARY, else qemu-system-x86_64 on PATH); repeat to compare builds, the first being the reference; NAME=PATH names one' },
      strict: { type: 'boolean', default: false, describe: 'Count differences in volatile registers (statistics, free-running clocks) as divergences' },
      'data-path': { type: 'boolean', describe: 'Replay the recorded transmits (TX rings and buffers seeded from the recording\'s frame capture) and compare the frames the target sends. Default: on when the target QEMU has the qtest accelerator; --data-path also without it (frames are let out by running the clock an instant), --no-data-path: registers only' },
      json: jsonOption('the full result (schema igb-replay/replay-report; igb-replay/matrix-report with several --qemu)'),
      lenient: lenientOption,
      'bar-base': barBaseOption,
      'keep-temp': { type: 'boolean', default: false, describe: "Keep QEMU's temp dir (its log and sockets) for debugging" },
      baseline: { type: 'string', requiresArg: true, describe: 'Accepted divergences (igb-replay/baseline JSON): they do not fail the run' },
      'update-baseline': { type: 'boolean', default: false, describe: 'Write the current failing divergences to the --baseline FILE, exit 0' },
      junit: { type: 'string', requiresArg: true, describe: 'Write JUnit XML to FILE: a testsuite per trace, a testcase per register read (or phase); with several --qemu a testsuite per build' },
      'junit-by': { choices: JUNIT_GROUPINGS, default: 'register' as const, describe: 'JUnit test cases: one per register read, or one per phase of the recording (probe, reset, …)' },
      html: { type: 'string', requiresArg: true, describe: 'Write a self-contained HTML report to FILE: timeline, heat map, filterable divergences; builds side by side with several --qemu' },
      jobs: { alias: 'j', type: 'number', requiresArg: true, default: availableParallelism(), coerce: positiveInteger('jobs'), describe: 'Replays run at once, each against its own QEMU (default: the number of cores); output keeps the input order' },
      shard: { type: 'string', requiresArg: true, coerce: parseShard, describe: 'Replay only share i of n of the traces (CI matrices; deterministic by trace path); `igb-replay merge` joins the JSON of every share' },
      bisect: { type: 'boolean', default: false, describe: 'Exit codes for git bisect run: 0 good, 1 bad, 125 the QEMU under test does not start (skip), 128 anything else (stop)' },
    })
    .example('$0 replay traces/linux-6.1-init.log', 'Replay a Linux igb init against QEMU\'s igb and check every read')
    .example('$0 replay traces/', 'Every trace in a directory, as many at once as there are cores')
    .example('$0 replay traces/linux-6.1-init.log --device e1000e', 'What does the igb driver need that e1000e lacks?')
    .example('$0 replay traces/ --qemu /usr/bin/qemu-system-x86_64 --qemu ~/qemu/build/qemu-system-x86_64', 'Which traces behave differently on my build than on the installed one, and where?')
    .example('$0 replay traces/ --shard 2/4 --json shard-2.json', 'One CI job\'s share of the corpus; `igb-replay merge shard-*.json` joins them')
    .example('$0 replay trace.log --json result.json --strict', 'Full result as JSON; volatile registers count too')
    .example('$0 replay traces/linux-6.1-vlan.log --data-path', 'Also send the recorded frames through the TX rings and compare what the target puts on the wire')
    .example('$0 replay trace.log --device e1000e --baseline b.json --update-baseline', 'Accept the current divergences; later runs with --baseline b.json fail only on new ones')
    .example('$0 replay trace.log --junit junit.xml', 'JUnit XML for CI test reports')
    .example('$0 replay trace.log --junit junit.xml --junit-by phase', 'One JUnit test case per phase (probe, NVM/PHY identification, link-up, …)')
    .example('$0 replay trace.log --device e1000e --html report.html', 'A browsable report: timeline, heat map, first divergence')
    .example('QTEST_QEMU_BINARY=~/qemu/build/qemu-system-x86_64 $0 replay trace.log', 'Against your own QEMU build')
    .example('git bisect run $0 replay trace.log --bisect --qemu build/qemu-system-x86_64', 'Which commit broke it (scripts/bisect-qemu.sh also builds each step)');
}

/** `--qemu` given once is a string, repeated an array. */
function stringList(value: unknown): string[] | undefined {
  return value === undefined ? undefined : [value].flat().map((v) => String(v));
}

function positiveInteger(name: string): (value: unknown) => number {
  return (value) => {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number >= 1, got ${JSON.stringify(value)}`);
    return n;
  };
}

export function replayCommand(ctx: CliContext): CommandModule<object, ReplayOptions> {
  return {
    command: 'replay <traces..>',
    describe: 'Replay traces against QEMU over qtest and compare every read with the recording',
    builder,
    handler: (args) => withBisectCodes(args.bisect, async () => (await import('../handlers/replay.js')).runReplay(args, ctx)),
  };
}
