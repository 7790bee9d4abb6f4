// Start-up: each command's implementation is imported only when the command runs (its handler's
// `await import()`), so --version, --help and parse do not load the replay engine, the target, the
// report renderers or another command's stack. Checked on the built CLI with a module loader hook
// that logs every module of dist/src/ the process loads.
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MAIN, plainEnv, removeTempDirs, tempDir } from './run-cli.js';

afterAll(removeTempDirs);

const HOOK = resolve('test', 'cli', 'module-log.mjs');

/** The dist/src/ modules `igb-replay ARGS` loads, e.g. `cli/run.js`, `replay/engine.js`. */
function loadedModules(args: readonly string[]): { modules: string[]; status: number | null } {
  const log = join(tempDir(), 'modules.log');
  const run = spawnSync(process.execPath, ['--import', HOOK, MAIN, ...args], {
    env: { ...plainEnv(), IGB_REPLAY_MODULE_LOG: log }, encoding: 'utf8',
  });
  const modules = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  return { modules, status: run.status };
}

/** Modules of the replay engine, the target, the renderers and the other commands' stacks. */
const HEAVY = [/^replay\//, /^target\/(?!errors\.js$)/, /^matrix\//, /^checks\//, /^baseline\//, /^parallel\//, /^minimise\//,
  /^export\//, /^diff\//, /^record\/(?!defaults\.js$|scenarios\.js$)/, /^report\/(replay-text|html|junit\.js|matrix|summary-text|events-text)/];

const heavy = (modules: readonly string[]): string[] => modules.filter((m) => HEAVY.some((re) => re.test(m)));

describe('commands load their implementation only when they run', () => {
  it.each(['--version', '--help', 'replay --help', 'record --help'])('%s loads no implementation', (line) => {
    const { modules, status } = loadedModules(line.split(' '));
    expect(status).toBe(0);
    expect(modules).toContain('cli/run.js');
    expect(modules.filter((m) => m.startsWith('cli/handlers/'))).toEqual([]);
    expect(heavy(modules)).toEqual([]);
    // Nothing that reads traces or register tables either.
    expect(modules.filter((m) => /^(formats|trace|analysis)\/|^regs\/(?!errors\.js$)/.test(m))).toEqual([]);
  });

  it('parse loads its own handler and the trace reader, not the replay engine or the renderers of other commands', () => {
    const { modules, status } = loadedModules(['parse', join('traces', 'linux-6.1-init.log')]);
    expect(status).toBe(0);
    expect(modules).toContain('cli/handlers/parse.js');
    expect(modules).toContain('trace/load.js');
    expect(modules.filter((m) => m.startsWith('cli/handlers/') && m !== 'cli/handlers/parse.js')).toEqual([]);
    expect(heavy(modules)).toEqual([]);
  });

  it('replay does load the replay engine (the hook sees it)', () => {
    const { modules, status } = loadedModules(['replay', join(tempDir(), 'missing.log')]);
    expect(status).toBe(2);
    expect(modules).toContain('cli/handlers/replay.js');
    expect(heavy(modules).some((m) => m.startsWith('replay/'))).toBe(true);
  });
});
