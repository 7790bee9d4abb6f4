// What makes two accesses the same token in a diff: a VF's config register is not the PF's.
import { describe, expect, it } from '@jest/globals';
import type { Access } from '../../src/model/access.js';
import { TokenTable } from '../../src/diff/tokens.js';

function config(kind: 'read' | 'write', vf?: number): Access {
  return {
    type: 'access', seq: 0, line: 1, kind, space: 'pci-config', offset: 0x4, size: 2, value: 0x406, verdict: 'ok', events: [],
    ...(vf === undefined ? {} : { vf }),
  };
}

describe('TokenTable', () => {
  it('tells the config accesses of the PF and of each VF apart, and keeps the VF for naming', () => {
    const table = new TokenTable();
    for (const kind of ['read', 'write'] as const) {
      const ids = [config(kind), config(kind, 0), config(kind, 1), config(kind, 0)].map((a) => table.intern(a));
      expect(new Set(ids).size).toBe(3);
      expect(ids[1]).toBe(ids[3]);
      expect(table.info(ids[2]!).vf).toBe(1);
      expect(table.info(ids[0]!).vf).toBeUndefined();
    }
  });
});
