// Shared set-up of the `record` end-to-end tests: one recording with the built CLI into a fresh
// temp dir, timed on stderr (the first run of a guest also builds it), its sidecar read once it
// succeeded.
import { join } from 'node:path';
import { readSidecar, type Sidecar } from '../../src/trace/sidecar.js';
import { runCli, tempDir, type CliResult } from '../cli/run-cli.js';

export interface Recording {
  readonly dir: string;
  readonly trace: string;
  readonly run: CliResult;
  /** Undefined when the recording failed (the tests then fail on `run.status`). */
  readonly sidecar?: Sidecar;
}

/** `igb-replay record ARGS -o DIR/NAME.log`; `label` names it in the timing line. */
export async function recordInto(name: string, args: readonly string[], label: string): Promise<Recording> {
  const dir = tempDir();
  const trace = join(dir, `${name}.log`);
  const started = Date.now();
  const run = runCli(['record', ...args, '-o', trace]);
  process.stderr.write(`${label}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return { dir, trace, run, ...(run.status === 0 ? { sidecar: await readSidecar(join(dir, `${name}.json`)) } : {}) };
}
