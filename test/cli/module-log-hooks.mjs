// Module loader hooks for test/cli/lazy-load.e2e.test.ts: appends the URL of every module of the
// built igb-replay (dist/src/) that the process loads to the file named by IGB_REPLAY_MODULE_LOG.
import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  const at = url.indexOf('/dist/src/');
  if (at >= 0 && process.env.IGB_REPLAY_MODULE_LOG) appendFileSync(process.env.IGB_REPLAY_MODULE_LOG, `${url.slice(at + 10)}\n`);
  return nextLoad(url, context);
}
