import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogCursor, logSize, waitForLogLine } from '../../src/target/log-tail.js';
import { TargetTimeoutError } from '../../src/target/errors.js';

let dir: string;
let log: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'log-tail-test-'));
  log = join(dir, 'qemu.log');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('waitForLogLine', () => {
  it('finds a line already in the file and reports byte offsets', async () => {
    writeFileSync(log, 'e1000e_core_read Read\ne1000e_link_autoneg_flowctl Auto-negotiated flow control state is 1\nnext\n');
    const found = await waitForLogLine(log, /autoneg_flowctl .* is (\d)/, { timeoutMs: 1000 });
    expect(found.match[1]).toBe('1');
    expect(found.lineOffset).toBe('e1000e_core_read Read\n'.length);
    expect(found.endOffset).toBe(found.lineOffset + Buffer.byteLength(found.line) + 1);
  });

  it('ignores lines before fromOffset', async () => {
    writeFileSync(log, 'STOP one\nSTOP two\n');
    const found = await waitForLogLine(log, /^STOP/, { fromOffset: 'STOP one\n'.length, timeoutMs: 1000 });
    expect(found.line).toBe('STOP two');
  });

  it('waits for a line written later, in pieces, to a file that does not exist yet', async () => {
    const waiting = waitForLogLine(log, /link_status_changed/, { timeoutMs: 5000 });
    setTimeout(() => appendFileSync(log, 'noise\ne1000e_link_sta'), 30);
    setTimeout(() => appendFileSync(log, 'tus_changed New link status: 1'), 60);
    setTimeout(() => appendFileSync(log, '\n'), 90);
    const found = await waiting;
    expect(found.line).toBe('e1000e_link_status_changed New link status: 1');
    expect(found.lineOffset).toBe('noise\n'.length);
    expect(await logSize(log)).toBe(found.endOffset);
  });

  it('is woken by the write itself, not by its safety-net poll', async () => {
    // The poll is an hour away and the wait is abandoned after 5 s (before its own timeout, so no
    // last look at the deadline can rescue it): only a change event can wake it in time.
    const giveUp = new AbortController();
    const timer = setTimeout(() => giveUp.abort(new Error('not woken by the change')), 5000);
    const noPoll = { timeoutMs: 60_000, pollMs: 3_600_000, signal: giveUp.signal };
    try {
      const created = waitForLogLine(log, /^created$/, noPoll);
      setTimeout(() => writeFileSync(log, 'created\n'), 30);
      expect((await created).line).toBe('created');
      const appended = waitForLogLine(log, /^appended$/, { ...noPoll, fromOffset: await logSize(log) });
      setTimeout(() => appendFileSync(log, 'appended\n'), 30);
      expect((await appended).lineOffset).toBe('created\n'.length);
    } finally {
      clearTimeout(timer);
    }
  });

  it('does not match an unterminated line', async () => {
    writeFileSync(log, 'match me');
    await expect(waitForLogLine(log, /match/, { timeoutMs: 60 })).rejects.toBeInstanceOf(TargetTimeoutError);
  });

  it('rejects with the abort reason', async () => {
    const controller = new AbortController();
    const waiting = waitForLogLine(log, /never/, { timeoutMs: 5000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('QEMU exited')), 20);
    await expect(waiting).rejects.toThrow('QEMU exited');
  });

  it('scans a backlog larger than one read', async () => {
    writeFileSync(log, `${'x'.repeat(99)}\n`.repeat(30_000) + 'the end\n');
    const found = await waitForLogLine(log, /^the end$/, { timeoutMs: 5000 });
    expect(found.lineOffset).toBe(3_000_000);
  });
});

describe('LogCursor', () => {
  it('scans only what was appended since the last look, complete lines only', async () => {
    const cursor = new LogCursor(log, 0);
    try {
      expect(await cursor.find(/done/)).toBeUndefined(); // no file yet
      writeFileSync(log, 'step 1\nstep 2\ndo');
      expect(await cursor.find(/done/)).toBeUndefined();
      expect(await cursor.find(/step 1/)).toBeUndefined(); // already looked at
      appendFileSync(log, 'ne\nstep 3\ndone again\n');
      const first = await cursor.find(/done/);
      expect(first).toMatchObject({ line: 'done', lineOffset: 'step 1\nstep 2\n'.length });
      expect(cursor.position).toBe(first?.endOffset);
      expect((await cursor.find(/done/))?.line).toBe('done again');
      expect(await cursor.find(/./)).toBeUndefined();
    } finally {
      await cursor.close();
    }
  });

  it('resumes at an unfinished line, so a new cursor from resumeOffset still sees it', async () => {
    writeFileSync(log, 'armed 1\narm');
    const first = new LogCursor(log, 0);
    expect((await first.find(/armed/))?.line).toBe('armed 1');
    expect(await first.find(/armed/)).toBeUndefined();
    expect(first.position).toBe('armed 1\narm'.length);
    expect(first.resumeOffset).toBe('armed 1\n'.length);
    await first.close();
    appendFileSync(log, 'ed 2\n');
    const next = new LogCursor(log, first.resumeOffset);
    try {
      expect((await next.find(/armed/))?.line).toBe('armed 2');
    } finally {
      await next.close();
    }
  });
});

describe('logSize', () => {
  it('is 0 for a file QEMU has not created yet', async () => {
    expect(await logSize(join(dir, 'missing.log'))).toBe(0);
  });
});
