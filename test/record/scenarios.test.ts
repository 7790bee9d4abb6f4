// The recorder's scenario table and the guest script agree: every scenario `record` offers is
// a case of scripts/guest/init, and every marker the recorder requires is one the script prints.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { PROJECT_SCENARIOS, scenarioSpec } from '../../src/record/scenarios.js';

const INIT = readFileSync('scripts/guest/init', 'utf8');
/** The labels of the script's `case "$scenario" in` (lines like `traffic-mix)`). */
const CASES = [...INIT.matchAll(/^([a-z0-9-]+)\)$/gm)].map((match) => match[1]);
/** The literal start of each `say "…"` of the script, up to its first shell expansion. */
const SAID = [...INIT.matchAll(/\bsay "([^"$]*)/g)].map((match) => match[1]!);

describe('PROJECT_SCENARIOS', () => {
  it('are cases of scripts/guest/init (all but mmiotrace, which needs the recording script)', () => {
    expect([...PROJECT_SCENARIOS].sort()).toEqual(CASES.filter((name) => name !== 'mmiotrace').sort());
  });

  it('include the first three, unchanged, and the data-path scenarios', () => {
    expect(PROJECT_SCENARIOS.slice(0, 3)).toEqual(['init', 'traffic', 'reload']);
    expect(PROJECT_SCENARIOS).toEqual(expect.arrayContaining(['traffic-mix', 'vlan', 'jumbo', 'multicast', 'rss', 'nomsi', 'linkflap', 'sriov']));
  });

  it.each(PROJECT_SCENARIOS.map((name) => [name]))('%s: each required marker is printed by the script', (name) => {
    for (const marker of scenarioSpec(name)?.requiredMarkers ?? []) {
      const text = marker.replace(/^IGBREC: /, '');
      // The marker is a prefix of a console line: some say prints it, or starts with it and goes on
      // with an expansion (`say "mtu $(cat …)"` prints "mtu 9000").
      expect(SAID.filter((literal) => literal.startsWith(text) || (literal.length >= 3 && text.startsWith(literal)))).not.toEqual([]);
    }
  });
});

describe('scenarioSpec', () => {
  it('knows what the machine needs', () => {
    expect(scenarioSpec('rss')?.smp).toBe(2);
    expect(scenarioSpec('nomsi')?.appendExtra).toBe('pci=nomsi');
    expect(scenarioSpec('linkflap')?.hostLink).toBe(true);
    expect(scenarioSpec('sriov')).toMatchObject({ rootPort: true, models: ['igb'] });
    expect(scenarioSpec('msi')).toMatchObject({ hostSink: true, models: ['e1000e'] });
    expect(scenarioSpec('traffic-mix')?.hostSink).toBe(true);
    expect(scenarioSpec('oversize')?.hostFrames).toBe(true);
    expect(scenarioSpec('init')).toEqual({ name: 'init', summary: 'load the driver, link up, DHCP' });
  });

  it('is undefined for a name the guest does not know', () => {
    expect(scenarioSpec('bogus')).toBeUndefined();
  });
});
