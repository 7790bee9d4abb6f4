// The --html report: escaping on a synthetic result with hostile trace content, and the real
// report of a replay against QEMU opened in headless Chromium (playwright-core, Debian's chromium at
// /usr/bin/chromium; the test fails, never skips, when it is missing).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { READ_CLASSES, ZERO_COUNTS, type Divergence, type ReadClass, type ReplayResult } from '../../src/model/replay.js';
import { renderHtml } from '../../src/report/html.js';
import { buildReplayReport } from '../../src/replay/report.js';
import { removeTempDirs, runCli, tempDir } from '../cli/run-cli.js';
import { INIT_TRACE, requireQemu } from '../replay/replay-env.js';
import { eventsNotCompared } from '../../src/model/events.js';

const CHROMIUM = '/usr/bin/chromium';
const HOSTILE = `<script>alert(1)</script>"'</script><!--`;

/** Synthetic: not a replay, a result made up to carry hostile strings everywhere trace content goes. */
function syntheticResult(): ReplayResult {
  const divergence: Divergence = {
    seq: 1, line: 7, space: 'mmio', offset: 8, register: HOSTILE, block: `blk"${HOSTILE}`, expected: 0x83, actual: 0x3,
    class: 'mismatch', reason: `reason ${HOSTILE}`, fields: [{ field: `F${HOSTILE}`, expected: 1, actual: 0 }],
  };
  return {
    schema: 'igb-replay/replay-result', version: 1, trace: `traces/${HOSTILE}.log`,
    target: { binary: `qemu${HOSTILE}`, version: HOSTILE, device: `igb,${HOSTILE}`, qtestAccelerator: false, timeMode: 'markers' },
    completed: false, stopped: { seq: 1, line: 7, reason: HOSTILE },
    notices: [`notice ${HOSTILE}`],
    events: {
      ...eventsNotCompared(''), compared: true, tally: { compared: 2, excluded: [{ reason: HOSTILE, events: 1 }] },
      divergences: [{
        class: 'interrupt-missing', line: 7, seq: 1, place: { kind: 'access', access: 'write', register: HOSTILE, value: 2 }, subject: `vector ${HOSTILE}`,
        expected: `notified ${HOSTILE}`, actual: HOSTILE, fields: [{ field: HOSTILE, expected: 1, actual: 0 }], reason: HOSTILE, phase: HOSTILE,
      }],
    },
    counts: { ...ZERO_COUNTS, recorded: 1, oneByOne: 1, accesses: 1, registerReads: 1, reads: 1, compared: 1 },
    byClass: { ...Object.fromEntries(READ_CLASSES.map((c) => [c, 0])), mismatch: 1 } as Record<ReadClass, number>,
    divergences: [divergence], phases: [], unknownInTarget: [], registersRead: [{ register: HOSTILE, block: HOSTILE, reads: 1 }], lastLine: 7, durationMs: 1,
  };
}

describe('renderHtml (synthetic result)', () => {
  it('escapes hostile register, block, reason, field, event, notice and trace strings', () => {
    const html = renderHtml(buildReplayReport([syntheticResult()], { strict: false }));
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<!--');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;');
    // Exactly the two script elements the report itself has, each closed once.
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).not.toMatch(/https?:\/\//);
  });
});

describe('replay --html (QEMU, headless Chromium)', () => {
  let report: string;

  beforeAll(() => {
    requireQemu();
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get update && apt-get install -y chromium); .ci/run does`);
    }
    report = join(tempDir(), 'out.html');
    const run = runCli(['replay', INIT_TRACE, '--device', 'e1000e', '--html', report]);
    expect(run.status).toBe(1);
  }, 180_000);

  afterAll(removeTempDirs);

  it('renders FAIL, a timeline with read and event ticks and phase bands, a heat map, the first divergence, and filters rows', async () => {
    const html = readFileSync(report, 'utf8');
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('request', (request) => {
        if (!request.url().startsWith('file:')) requests.push(request.url());
      });
      await page.goto(pathToFileURL(resolve(report)).href, { waitUntil: 'load' });

      expect(await page.title()).toMatch(/^igb-replay: FAIL/);
      expect(await page.locator('h1 .verdict').textContent()).toBe('FAIL');
      expect(await page.locator('svg.timeline line.tick').count()).toBeGreaterThan(0);
      expect(await page.locator('table.heatmap .cell').count()).toBeGreaterThan(0);
      // What differs first is realize and reset (igb resets its VFs there; e1000e has none), then the first failing read.
      expect(await page.locator('.first-divergence').count()).toBe(1);
      expect(await page.locator('.first-divergence.event b').first().textContent()).toBe('igb_core_vf_reset');
      expect(await page.locator('.first-divergence.event').textContent()).toContain('at device realize and reset, before the first access: the recording: VF7; the target: none');
      expect(await page.locator('.first-read-divergence table.fields tr').count()).toBeGreaterThan(1);

      const rows = page.locator('table.divergences tbody tr');
      const total = await rows.count();
      expect(total).toBeGreaterThan(1);
      const kind = page.locator('select.kind-filter');
      await kind.selectOption('read');
      await page.locator('input.filter').fill('STATUS');
      const visible = page.locator('table.divergences tbody tr:visible');
      const shown = await visible.count();
      expect(shown).toBeGreaterThan(0);
      expect(shown).toBeLessThan(total);
      const registers = await visible.locator('td.what').allTextContents();
      for (const register of registers) expect(register).toContain('STATUS');
      for (const k of await visible.locator('td.kind').allTextContents()) expect(k).toBe('read');

      // Device-event differences: their own lane on the timeline, the tally, and rows of kind event.
      expect(await page.locator('svg.timeline line.event-tick.interrupt-missing').count()).toBeGreaterThan(0);
      expect(await page.locator('.events-tally table.excluded tr').count()).toBeGreaterThan(2);
      expect(await page.locator('.events-tally .by-class').textContent()).toMatch(/interrupt-missing [1-9]/);
      await kind.selectOption('event');
      await page.locator('input.filter').fill('MSI-X vector 1');
      const vector = page.locator('table.divergences tbody tr:visible');
      expect(await vector.count()).toBeGreaterThan(0);
      expect(new Set(await vector.locator('td.what').allTextContents())).toEqual(new Set(['MSI-X vector 1']));
      expect(await vector.first().locator('td.where').textContent()).toBe('EICS write');
      expect(await vector.first().locator('td.expected').textContent()).toBe('notified MSI-X vector 1');
      expect(await vector.first().locator('td.actual').textContent()).toBe('none');
      await kind.selectOption('');
      // Phase bands on the timeline and the phase table; the filter also matches phases.
      expect(await page.locator('svg.timeline rect.phase').count()).toBeGreaterThan(5);
      expect(await page.locator('svg.timeline rect.phase.nvm-phy-id title').first().textContent()).toMatch(/^nvm-phy-id: lines \d+–\d+, \d+ failing/);
      expect(await page.locator('table.phases tr.phase-row.failing').count()).toBeGreaterThan(0);
      await page.locator('input.filter').fill('nvm-phy-id #2');
      const phases = await page.locator('table.divergences tbody tr:visible td.phase').allTextContents();
      expect(phases.length).toBeGreaterThan(0);
      for (const phase of phases) expect(phase).toBe('nvm-phy-id #2');

      mkdirSync('test-output', { recursive: true });
      await page.locator('input.filter').fill('');
      await page.locator('h1').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join('test-output', 'html-report.png'), fullPage: false });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
