// scripts/check-c-test.sh: the exported C tests compile against QEMU's own libqtest headers (from
// the installed QEMU's Debian source package, downloaded once and cached), with QEMU's warning
// flags and -Werror. Also shows the check can fail: a broken file is reported and exits non-zero.
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDirs, runCli, tempDir } from '../cli/run-cli.js';
import { INIT_TRACE } from '../replay/replay-env.js';

afterAll(removeTempDirs);

/** The first run downloads the QEMU source (about 40 MB); later runs take a few seconds. */
const FIRST_RUN_MS = 300_000;

function check(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('bash', ['scripts/check-c-test.sh', ...args], { encoding: 'utf8', timeout: FIRST_RUN_MS, stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('scripts/check-c-test.sh', () => {
  it('compiles the tests exported from linux-6.1-init.log for igb and e1000e', () => {
    const result = check([]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`OK    ${INIT_TRACE} --device igb`);
    expect(result.stdout).toContain(`OK    ${INIT_TRACE} --device e1000e`);
  }, FIRST_RUN_MS);

  it('fails on a test that does not compile (an undeclared helper)', () => {
    const dir = tempDir();
    const good = join(dir, 'good-test.c');
    expect(runCli(['export', INIT_TRACE, '--c-test', '-o', good]).status).toBe(0);
    const bad = join(dir, 'bad-test.c');
    writeFileSync(bad, readFileSync(good, 'utf8').replace('g_assert_cmphex(rd(r, 0x00008)', 'g_assert_cmphex(read_register(r, 0x00008)'));
    const result = check([good, bad]);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain(`OK    ${good}`);
    expect(result.stdout).toContain(`FAIL  ${bad}`);
    expect(result.stderr).toContain('read_register');
  }, FIRST_RUN_MS);
});
