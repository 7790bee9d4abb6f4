// A reference for `npm run bench:parse`, not a tool: the least any Node command-line tool does to
// answer what `grep -cE PATTERN FILE` answers. It starts Node, loads yargs (the argument parser
// every igb-replay command loads, a fixed choice) and counts the lines of FILE that match PATTERN,
// reading 1 MiB at a time as latin1. Its speed against grep's, measured in the same rounds, is the
// ceiling for `igb-replay parse`, which does this and then parses every access and event.
//
// Usage: node dist/bench/floor-count.js FILE PATTERN

import { closeSync, openSync, readSync } from 'node:fs';

const { default: yargs } = await import('yargs');
const [file, pattern] = yargs(process.argv.slice(2)).parseSync()._.map(String);
if (file === undefined || pattern === undefined) throw new Error('usage: floor-count FILE PATTERN');
const matcher = new RegExp(pattern);
const fd = openSync(file, 'r');
const chunk = Buffer.allocUnsafe(1 << 20);
let rest = '';
let count = 0;
for (let got = readSync(fd, chunk); got > 0; got = readSync(fd, chunk)) {
  const text = rest + chunk.toString('latin1', 0, got);
  let start = 0;
  for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
    if (matcher.test(text.slice(start, end))) count++;
    start = end + 1;
  }
  rest = text.slice(start);
}
if (rest.length > 0 && matcher.test(rest)) count++;
closeSync(fd);
console.log(count);
