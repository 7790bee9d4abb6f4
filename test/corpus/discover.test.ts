// Trace corpora from the command line: directories (recursively, traces only, by their first
// bytes), glob patterns the shell left alone, and files as named. The directory cases use copies of
// real recordings with SYNTHETIC non-trace files beside them (a sidecar, a capture, a README).
import { afterAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { discoverTraces, looksLikeTrace } from '../../src/corpus/discover.js';
import { expandGlob, segmentRegExp } from '../../src/corpus/glob.js';
import { removeTempDirs, tempDir } from '../cli/run-cli.js';
import { realTraces } from '../replay/replay-env.js';

afterAll(removeTempDirs);

describe('discoverTraces', () => {
  it('takes every shipped trace from traces/, and no sidecar, capture or README', async () => {
    expect(await discoverTraces(['traces/'])).toEqual(realTraces());
  });

  it('keeps the command line order, sorts within a directory, and drops repeats', async () => {
    const found = await discoverTraces(['traces/linux-6.12-init.log', 'traces', './traces/linux-6.1-init.log']);
    expect(found[0]).toBe('traces/linux-6.12-init.log');
    expect(found.slice(1)).toEqual(realTraces().filter((t) => t !== 'traces/linux-6.12-init.log'));
  });

  it('walks subdirectories, looks into gzip files, and skips hidden entries and non-traces', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'nested'));
    mkdirSync(join(dir, '.hidden'));
    copyFileSync('traces/linux-6.1-init.log', join(dir, 'nested', 'init.log'));
    writeFileSync(join(dir, 'nested', 'init.log.gz'), gzipSync(readFileSync('traces/linux-6.12-init.log')));
    copyFileSync('traces/linux-6.1-init.json', join(dir, 'nested', 'init.json'));
    copyFileSync('traces/linux-6.1-jumbo.pcap', join(dir, 'jumbo.pcap'));
    copyFileSync('traces/linux-6.1-init-mmiotrace.txt', join(dir, 'mmio.txt'));
    copyFileSync('traces/linux-6.1-init.log', join(dir, '.hidden', 'init.log'));
    writeFileSync(join(dir, 'README.md'), '# synthetic: not a trace\n');
    expect(await discoverTraces([dir])).toEqual([join(dir, 'mmio.txt'), join(dir, 'nested', 'init.log'), join(dir, 'nested', 'init.log.gz')]);
    expect(looksLikeTrace(join(dir, 'jumbo.pcap'))).toBe(false);
  });

  it('expands quoted globs, ** included', async () => {
    expect(await discoverTraces(['traces/linux-6.1?-*.log'])).toEqual([
      'traces/linux-6.12-aarch64-traffic-mix.log', 'traces/linux-6.12-init.log', 'traces/linux-6.12-sriov.log', 'traces/linux-6.12-traffic-mix.log',
    ]);
    expect(await discoverTraces(['traces/*-init-[mp]*'])).toEqual([
      'traces/linux-6.1-init-mmiotrace.log', 'traces/linux-6.1-init-mmiotrace.txt', 'traces/linux-6.1-init-pcicfg.log',
    ]);
    expect(await discoverTraces(['**/linux-6.1-init.log'])).toEqual(['traces/linux-6.1-init.log']);
  });

  it('says what named nothing: an empty directory, a pattern without a match', async () => {
    const dir = tempDir();
    await expect(discoverTraces([dir])).rejects.toThrow(`${dir}: no traces in this directory`);
    await expect(discoverTraces(['traces/*.nothing'])).rejects.toThrow('traces/*.nothing: no trace matches this pattern');
  });

  it('passes a named file through as it is (its reader reports what is wrong with it)', async () => {
    expect(await discoverTraces(['missing.log', 'traces/README.md'])).toEqual(['missing.log', 'traces/README.md']);
  });

  it('leaves out, and says so, the files record writes beside a trace, as a shell\'s x.* names them (SYNTHETIC console text)', async () => {
    const dir = tempDir();
    copyFileSync('traces/linux-6.1-init.log', join(dir, 'x.log'));
    copyFileSync('traces/linux-6.1-init.json', join(dir, 'x.json'));
    copyFileSync('traces/linux-6.1-jumbo.pcap', join(dir, 'x.pcap'));
    writeFileSync(join(dir, 'x.console.log'), 'IGBREC: scenario init kernel 6.1.0-56-amd64 driver igb\n');
    // Without its trace beside it, a console is a named file like any other.
    writeFileSync(join(dir, 'lone.console.log'), 'IGBREC: done init\n');
    const skipped: string[] = [];
    const named = ['lone.console.log', 'x.console.log', 'x.json', 'x.log', 'x.pcap'].map((name) => join(dir, name));
    expect(await discoverTraces(named, (message) => skipped.push(message))).toEqual([join(dir, 'lone.console.log'), join(dir, 'x.log')]);
    const trace = join(dir, 'x.log');
    expect(skipped).toEqual([
      `${join(dir, 'x.console.log')}: skipped: the guest console \`record\` wrote beside ${trace}, not a trace`,
      `${join(dir, 'x.json')}: skipped: the sidecar beside ${trace}, not a trace`,
      `${join(dir, 'x.pcap')}: skipped: the frame capture beside ${trace}, not a trace`,
    ]);
    // Only companions named: nothing to replay is an error, not an empty pass.
    await expect(discoverTraces([join(dir, 'x.json')])).rejects.toThrow(`no trace among ${join(dir, 'x.json')}: only files record writes beside a trace`);
  });
});

describe('glob segments', () => {
  it('follows the shell: classes, negation, no match of a leading dot', () => {
    expect(segmentRegExp('*.log').test('a.log')).toBe(true);
    expect(segmentRegExp('*.log').test('.a.log')).toBe(false);
    expect(segmentRegExp('[!a]?.log').test('bc.log')).toBe(true);
    expect(segmentRegExp('[!a]?.log').test('ac.log')).toBe(false);
    expect(segmentRegExp('x+(1).log').test('x+(1).log')).toBe(true);
  });

  it('lists only files, sorted', async () => {
    const matches = await expandGlob('trace*/linux-6.1-n*');
    expect(matches).toEqual(['traces/linux-6.1-nomsi.json', 'traces/linux-6.1-nomsi.log', 'traces/linux-6.1-nomsi.pcap']);
  });
});
