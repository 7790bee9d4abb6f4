// What a command may touch of the process: streams and environment are passed in, not imported,
// so commands can be run in-process by tests and nothing reaches for globals behind their back.

import type { Writable } from 'node:stream';
import type { ChalkInstance } from 'chalk';
import { colorFor } from './color.js';

export interface CliContext {
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  /** A command that completes without an error but with a verdict (divergences: 1) sets this. */
  exitCode: number;
}

export function processContext(): CliContext {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, exitCode: 0 };
}

/** Colours for messages on stderr. */
export function stderrColor(ctx: CliContext): ChalkInstance {
  return colorFor(ctx.env, ctx.stderr.isTTY === true);
}

export function warn(ctx: CliContext, message: string): void {
  ctx.stderr.write(`${stderrColor(ctx).yellow('igb-replay: warning:')} ${message}\n`);
}
