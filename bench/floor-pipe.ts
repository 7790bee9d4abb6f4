// A reference for `npm run bench:replay`, not a tool: the least any Node command-line tool does to
// replay a qtest script. It starts Node, loads yargs (the argument parser every igb-replay command
// loads, a fixed choice), spawns QEMU with the given arguments, pipes SCRIPT (one qtest command a
// line) into it at once and exits when every reply has arrived: no parsing, no planning, no
// checking. Its whole-process speed against the raw pipe's, measured in the same run, is the
// ceiling for `igb-replay replay` of the same accesses.
//
// Usage: node dist/bench/floor-pipe.js SCRIPT QEMU [QEMU ARGS...]

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const { default: yargs } = await import('yargs');
const [scriptFile, qemu, ...args] = yargs(process.argv.slice(2)).parserConfiguration({ 'unknown-options-as-args': true }).parseSync()._.map(String);
if (scriptFile === undefined || qemu === undefined) throw new Error('usage: floor-pipe SCRIPT QEMU [ARGS...]');
const script = readFileSync(scriptFile, 'latin1');
let expected = 0;
for (let at = script.indexOf('\n'); at >= 0; at = script.indexOf('\n', at + 1)) expected++;

const child = spawn(qemu, args, { stdio: ['pipe', 'pipe', 'inherit'] });
let replies = 0;
child.stdout.setEncoding('latin1').on('data', (chunk: string) => {
  // Without IRQ interception (never asked for here) every line QEMU's qtest writes is a reply.
  for (let at = chunk.indexOf('\n'); at >= 0; at = chunk.indexOf('\n', at + 1)) replies++;
  if (replies >= expected) child.kill('SIGKILL');
});
child.stdin.on('error', () => undefined);
child.stdin.end(script);
child.on('close', () => {
  if (replies < expected) {
    console.error(`QEMU ended after ${replies} of ${expected} replies`);
    process.exitCode = 1;
  }
});
