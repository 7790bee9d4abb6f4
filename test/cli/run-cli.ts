// Runs the built CLI (dist/src/cli/main.js) as a user would. `npm test` builds first; running Jest
// alone needs `npm run build` beforehand, which the error below says.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const MAIN = resolve('dist', 'src', 'cli', 'main.js');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** No colour: FORCE_COLOR (which Jest's workers may inherit) removed, NO_COLOR set. */
export function plainEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  return env;
}

export function runCli(args: readonly string[], input?: Buffer | string): CliResult {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  const result = spawnSync(process.execPath, [MAIN, ...args], {
    env: plainEnv(), encoding: 'utf8', maxBuffer: 256 << 20, ...(input === undefined ? {} : { input }),
  });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const created: string[] = [];

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'igb-replay-e2e-'));
  created.push(dir);
  return dir;
}

/** For afterAll: removes the temp dirs this test file made. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function traceText(name: string): string {
  return readFileSync(join('traces', `${name}.log`), 'latin1');
}

/** Lines of `text` matching `pattern`: the test's own `grep -c`. */
export function grepCount(text: string, pattern: RegExp): number {
  return text.split('\n').filter((line) => pattern.test(line)).length;
}

/** `3,236`: how the text summary prints counts. */
export function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
