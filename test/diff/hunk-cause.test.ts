// A hunk right after a read that came back different names that read as its likely cause: on
// SYNTHETIC QEMU-log traces written here (not recordings), small enough to check by hand.
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffTraces, HUNK_CAUSE_WINDOW } from '../../src/diff/compare.js';
import { readTracePair } from '../../src/diff/read-pair.js';
import type { Hunk } from '../../src/diff/result.js';
import { igbRegisters } from '../../src/regs/index.js';

const dir = mkdtempSync(join(tmpdir(), 'igb-replay-hunk-cause-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (offset: number, value: number): string => `e1000e_core_read Read from register 0x${offset.toString(16)}, 4 byte(s), value: 0x${value.toString(16)}`;
const write = (offset: number, value: number): string => `e1000e_core_write Write to register 0x${offset.toString(16)}, 4 byte(s), value: 0x${value.toString(16)}`;

async function diffText(a: string[], b: string[]): Promise<Hunk[]> {
  const pathA = join(dir, 'a.log');
  const pathB = join(dir, 'b.log');
  writeFileSync(pathA, `${a.join('\n')}\n`);
  writeFileSync(pathB, `${b.join('\n')}\n`);
  const db = igbRegisters();
  const pair = await readTracePair(pathA, pathB, db);
  return diffTraces(pair.a, pair.b, pair.table, db, { ignoreVolatile: true }).differences.filter((d): d is Hunk => d.type === 'hunk');
}

describe('hunk causes (synthetic traces)', () => {
  it('names the changed read the driver branched on', async () => {
    // A: the link is up (STATUS.LU), the driver sets CTRL.SLU; B: link down, it goes on to poll MDIC.
    const [hunk] = await diffText(
      [read(0x8, 0x80080483), write(0x0, 0x40), read(0x8, 0x80080483)],
      [read(0x8, 0x80080481), write(0x20, 0x8210000), read(0x8, 0x80080483)],
    );
    expect(hunk?.after).toEqual({ register: 'STATUS', a: { seq: 0, line: 1 }, b: { seq: 0, line: 1 }, expected: 0x80080483, actual: 0x80080481 });
  });

  it('names no cause when the changed read is further back than the window', async () => {
    const filler = Array.from({ length: HUNK_CAUSE_WINDOW + 1 }, (_, i) => write(0x5200 + 4 * (i % 128), i));
    const [hunk] = await diffText(
      [read(0x8, 0x80080483), ...filler, write(0x0, 0x40)],
      [read(0x8, 0x80080481), ...filler, write(0x20, 0x8210000)],
    );
    expect(hunk).toBeDefined();
    expect(hunk?.after).toBeUndefined();
  });
});
