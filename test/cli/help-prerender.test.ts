// Start-up: yargs renders a command's whole help after starting its handler, in case the handler
// asks for it later; none does here, so run.ts skips that rendering (20-30 ms of every run). The
// check runs a real command (`regs CTRL`, no QEMU) and asks yargs whether it cached a help text; a
// yargs that renamed its hook would make this fail rather than silently bring the cost back.
import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import type { CliContext } from '../../src/cli/context.js';
import { buildCli, yargsUsage } from '../../src/cli/run.js';

function context(): CliContext {
  return { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: { NO_COLOR: '1' }, exitCode: 0 };
}

describe('a command run does not pre-render the help', () => {
  it('runs regs CTRL without caching a help message', async () => {
    const ctx = context();
    const out: Buffer[] = [];
    ctx.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    const cli = buildCli(['regs', 'CTRL'], ctx);
    const usage = yargsUsage(cli);
    expect(typeof usage?.hasCachedHelpMessage).toBe('function');
    await cli.parseAsync();
    expect(Buffer.concat(out).toString()).toContain('Device Control');
    expect(usage?.hasCachedHelpMessage?.()).toBe(false);
  });

});
