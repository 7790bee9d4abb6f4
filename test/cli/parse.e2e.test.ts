// End-to-end: the built CLI's `parse` on the real recordings in traces/.
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ParseSummary } from '../../src/analysis/parse-summary.js';
import { MAIN, fmt, grepCount, plainEnv, removeTempDirs, runCli, tempDir, traceText } from './run-cli.js';

afterAll(removeTempDirs);

const INIT = 'traces/linux-6.1-init.log';
const text = traceText('linux-6.1-init');
// The test's own counts, straight from the file.
const reads = grepCount(text, /^e1000e_core_read |^e1000e_wrn_regs_read_unknown /);
const writes = grepCount(text, /^e1000e_core_write |^e1000e_wrn_regs_write_(unknown|ro) /);
const configWrites = grepCount(text, /^igb_write_config /);
const phy = grepCount(text, /^igb_core_mdic_(read|write)(_unhandled)? /);
const totalAccesses = reads + writes + configWrites + phy;

function json(args: readonly string[]): ParseSummary {
  const result = runCli(args);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as ParseSummary;
}

describe('parse summary of linux-6.1-init.log', () => {
  const result = runCli(['parse', INIT]);

  it('exits 0 with the summary on stdout and nothing on stderr', () => {
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('counts the accesses the file has', () => {
    expect(reads).toBe(3123 + 113);
    expect(result.stdout).toContain(`Accesses  ${fmt(totalAccesses)}`);
    expect(result.stdout).toMatch(new RegExp(`^  mmio +${fmt(reads)} +${fmt(writes)} +${fmt(reads + writes)}$`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^  pci-config +0 +${fmt(configWrites)} +${fmt(configWrites)}$`, 'm'));
    expect(result.stdout).toContain(`Lines     ${fmt(text.split('\n').length - 1)}:`);
  });

  it('detects the dialect: no timestamps', () => {
    expect(result.stdout).toContain('Dialect   QEMU log trace backend, no timestamps');
    expect(result.stdout).toContain('no timestamps in this trace');
  });

  it('names the registers, with what QEMU reported', () => {
    expect(result.stdout).toMatch(/^ {2}STATUS +0x00008 +general +\d/m);
    expect(result.stdout).toMatch(/^ {2}EECD +0x00010 +nvm +39 +0 +129 +partial read ×39$/m);
    expect(result.stdout).toMatch(/^ {2}unknown +SEC +0x04038 +read +10 +1,919$/m);
    expect(result.stdout).toMatch(/^ {2}PHY\[1\] BMSR +70 +0 /m);
  });
});

describe('dialect detection does not depend on the file name', () => {
  it.each([
    ['linux-6.1-init', 'no timestamps', 'none'],
    ['linux-6.1-init-ts', 'TID@SEC.USEC timestamps', 'tid-epoch'],
  ])('%s, also when copied to a name without extension', (name, described, style) => {
    const copy = join(tempDir(), 'trace');
    copyFileSync(join('traces', `${name}.log`), copy);
    for (const path of [join('traces', `${name}.log`), copy]) {
      const summary = json(['parse', path, '--json']);
      expect(summary.source.dialect).toEqual({ format: 'qemu-log', timestamps: style });
      expect(summary.source.dialectDescription).toContain(described);
    }
  });

  it('gives init-ts.log its time span', () => {
    const summary = json(['parse', 'traces/linux-6.1-init-ts.log', '--json']);
    expect(summary.time!.durationUs).toBeGreaterThan(0);
    expect(summary.time!.threads).toBe(2);
  });
});

describe('parse --json', () => {
  it('has schema and version, and the same counts as the file', () => {
    const summary = json(['parse', INIT, '--json']);
    expect(summary.schema).toBe('igb-replay/parse-summary');
    expect(summary.version).toBe(1);
    expect(summary.accesses.bySpace.mmio).toEqual({ read: reads, write: writes });
    expect(summary.accesses.byVerdict.unknown).toBe(grepCount(text, /e1000e_wrn_regs_(read|write)_unknown /));
    expect(summary.lines.malformed).toBe(0);
  });

  it('writes --json FILE atomically, leaving only the file', () => {
    const dir = tempDir();
    const result = runCli(['parse', INIT, '--json', join(dir, 'summary.json')]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('');
    expect(readdirSync(dir)).toEqual(['summary.json']);
    expect((JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as ParseSummary).accesses.total).toBe(totalAccesses);
  });

  it('prints on stdout with a bare --json, --json - and --json=-, the same summary', () => {
    const outputs = [['--json'], ['--json', '-'], ['--json=-']].map((flags) => runCli(['parse', INIT, ...flags]));
    for (const result of outputs) {
      expect(result.status).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(outputs[0]!.stdout);
    }
    expect((JSON.parse(outputs[0]!.stdout) as ParseSummary).accesses.total).toBe(totalAccesses);
  });

  it('still takes --json -o FILE (deprecated), with a one-line note on stderr', () => {
    const dir = tempDir();
    const result = runCli(['parse', INIT, '--json', '--output', join(dir, 'summary.json')]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('igb-replay: warning: `--json -o FILE` is deprecated: write `--json FILE` (docs/cli.md, Output)\n');
    expect((JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as ParseSummary).accesses.total).toBe(totalAccesses);
    const both = runCli(['parse', INIT, '--json', join(dir, 'a.json'), '-o', join(dir, 'b.json')]);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--json');
    expect(both.stderr).toContain('both say where the JSON goes');
  });

  it('says when --json took the trace as its FILE, and never overwrites a file that is not JSON', () => {
    const result = runCli(['parse', '--json', INIT]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`hint: --json took "${INIT}" as its FILE: put --json after it, or write --json=FILE`);
    const dir = tempDir();
    const trace = join(dir, 'copy.log');
    writeFileSync(trace, readFileSync(INIT));
    const replay = runCli(['replay', '--json', trace, join(dir, 'missing.log')]);
    expect(replay.status).toBe(2);
    expect(replay.stderr).toContain(`${trace}: exists and is not JSON: not overwritten`);
    expect(readFileSync(trace)).toEqual(readFileSync(INIT));
  });
});

describe('parse --jsonl and --csv', () => {
  it('streams one JSON object per access and marker, in trace order', () => {
    const summary = json(['parse', INIT, '--json']);
    const lines = runCli(['parse', INIT, '--jsonl']).stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(summary.accesses.total + summary.markers.total);
    const records = lines.map((l) => JSON.parse(l) as { type: string; seq?: number; line: number; name?: string });
    const seqs = records.filter((r) => r.type === 'access').map((r) => r.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(records.some((r) => r.name === 'STATUS')).toBe(true);
  });

  it('writes a CSV header and one row per access', () => {
    const rows = runCli(['parse', INIT, '--csv']).stdout.trimEnd().split('\n');
    expect(rows[0]).toBe('seq,line,time_us,thread,kind,space,offset,register,size,value,verdict,events');
    expect(rows).toHaveLength(totalAccesses + 1);
    // The first EECD read (line 129) follows QEMU's "not fully implemented" warning (line 128).
    const eecd = /^e1000e_core_read Read from register 0x10, 4 byte\(s\), value: (0x[0-9a-f]+)$/m.exec(text)![1];
    expect(rows).toContain(`95,129,,,read,mmio,0x10,EECD,4,${eecd},partial,e1000e_wrn_regs_read_trivial`);
  });

  it('exits 0 quietly when the reader closes the pipe early (| head -1)', async () => {
    const child = spawn(process.execPath, [MAIN, 'parse', 'traces/linux-6.1-init-pcicfg.log', '--jsonl'], { env: plainEnv() });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const first = await new Promise<string>((resolve) => {
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const end = buffered.indexOf('\n');
        if (end >= 0) {
          child.stdout.destroy();
          resolve(buffered.slice(0, end));
        }
      });
    });
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    expect(JSON.parse(first)).toMatchObject({ type: 'marker', kind: 'reset', line: 1 });
    expect(status).toBe(0);
    expect(stderr).toBe('');
  });
});

describe('parse inputs', () => {
  it('reads gzip input, recognised by content', () => {
    const path = join(tempDir(), 'init.log.gz');
    writeFileSync(path, gzipSync(readFileSync(INIT)));
    const summary = json(['parse', path, '--json']);
    expect(summary.source.compressed).toBe(true);
    expect(summary.accesses.total).toBe(totalAccesses);
  });

  it('reads stdin given as -', () => {
    const result = runCli(['parse', '-', '--json'], readFileSync(INIT));
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout) as ParseSummary;
    expect(summary.source.file).toBe('<stdin>');
    expect(summary.accesses.total).toBe(totalAccesses);
  });

  it('exits 2 naming a missing file', () => {
    const path = join(tempDir(), 'no-such-trace.log');
    const result = runCli(['parse', path]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${path}: cannot open: ENOENT`);
    expect(result.stderr).toContain('hint:');
  });
});
