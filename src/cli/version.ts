// The version shown by --version: read from our package.json, which sits three levels above the
// compiled file (dist/src/cli) and two above the source file (src/cli, under Jest).

import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  for (const relative of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'igb-replay' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not at this level; try the next.
    }
  }
  return 'unknown';
}
