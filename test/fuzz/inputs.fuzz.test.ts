// Fuzzed input (synthetic: real recordings mutated by fast-check, seeded so that a run repeats; a
// failure prints the seed and the shrunk counterexample). What must hold for any input:
//  - a trace either reads, or fails with a user error; a malformed line is named by its number and
//    its own text (file:line and the offending text), and --lenient reads past every such line;
//  - a capture's frames are the same whether read whole or streamed frame by frame, and a broken
//    capture fails with a pcap error at a byte offset inside the file, in both readers alike;
//  - a broken sidecar is a warning naming the file, never a failure of the replay that finds it.
// No internal error (TypeError, RangeError, ...) may escape on any of them.
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrace } from '../../src/formats/read-trace.js';
import { TraceFormatError } from '../../src/formats/errors.js';
import { UserError } from '../../src/errors.js';
import { PcapFormatError, PcapReader, pcapFrames } from '../../src/frames/pcap.js';
import { findSidecar } from '../../src/trace/sidecar-device.js';
import { mutate, textMutation } from './mutations.js';

const dir = mkdtempSync(join(tmpdir(), 'igb-replay-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs per property (FUZZ_RUNS): enough to reach every edit on every source, few enough for a quick suite. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
/** FUZZ_SEED picks other inputs (a failure prints the seed to repeat it with). */
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);

const SOURCES = {
  'qemu log (igb)': readFileSync('traces/linux-6.1-init.log', 'utf8'),
  'qemu log (e1000e, data path)': readFileSync('traces/linux-6.1-e1000e-traffic-mix.log', 'utf8'),
  'qemu log (SR-IOV)': readFileSync('traces/linux-6.1-sriov.log', 'utf8'),
  mmiotrace: readFileSync('traces/linux-6.1-init-mmiotrace.txt', 'utf8'),
};

let cases = 0;
function caseFile(name: string, content: string | Uint8Array): string {
  const file = join(dir, `${cases++}-${name}`);
  writeFileSync(file, content);
  return file;
}

/** The malformed lines --lenient skipped, or the error the read failed with. */
async function read(file: string, lenient: boolean): Promise<{ malformed: number } | { error: unknown }> {
  try {
    const result = await readTrace(file, { access: () => undefined, marker: () => undefined }, { lenient });
    return { malformed: result.stats.malformedLines };
  } catch (error) {
    return { error };
  }
}

describe.each(Object.entries(SOURCES))('a mutated %s', (_name, source) => {
  it('reads, or fails with a user error naming the malformed line by number and its own text', async () => {
    let malformedLines = 0;
    await fc.assert(fc.asyncProperty(textMutation, async (m) => {
      const file = caseFile('trace.log', mutate(source, m));
      const outcome = await read(file, false);
      if (!('error' in outcome)) return;
      const { error } = outcome;
      expect(error).toBeInstanceOf(UserError);
      if (error instanceof TraceFormatError) {
        malformedLines++;
        const lines = readFileSync(file, 'latin1').split('\n');
        expect(error.line).toBeGreaterThanOrEqual(1);
        expect(error.line).toBeLessThanOrEqual(lines.length);
        expect(lines[error.line - 1]!.replace(/\r$/, '')).toContain(error.text.replace(/\r$/, ''));
        expect(error.message.startsWith(`${file}:${error.line}: `)).toBe(true);
      }
    }), { numRuns: RUNS, seed: SEED });
    // The mutations reach the line parsers (not only inputs rejected whole).
    expect(malformedLines).toBeGreaterThan(RUNS / 20);
  });

  it('reads past every malformed line with --lenient (only an input that is no trace at all fails)', async () => {
    let skipped = 0;
    await fc.assert(fc.asyncProperty(textMutation, async (m) => {
      const outcome = await read(caseFile('trace.log', mutate(source, m)), true);
      if ('malformed' in outcome) {
        skipped += outcome.malformed;
        return;
      }
      expect(outcome.error).toBeInstanceOf(UserError);
      expect(outcome.error).not.toBeInstanceOf(TraceFormatError);
    }), { numRuns: RUNS, seed: SEED });
    expect(skipped).toBeGreaterThan(RUNS / 20);
  });
});

describe('a mutated capture', () => {
  const capture = new Uint8Array(readFileSync('traces/linux-6.1-traffic-mix.pcap'));
  const byteEdit = fc.record({
    at: fc.nat(),
    value: fc.oneof(fc.integer({ min: 0, max: 255 }).map((b) => ({ width: 1, b })), fc.constantFrom(0, 0xffffffff, 0x7fffffff, 65536, 262145, 1, 24).map((b) => ({ width: 4, b }))),
  });
  const mutation = fc.record({ length: fc.integer({ min: 0, max: 6000 }), edits: fc.array(byteEdit, { maxLength: 8 }) });

  function mutated(m: { length: number; edits: { at: number; value: { width: number; b: number } }[] }): Uint8Array {
    const bytes = Buffer.from(capture.subarray(0, m.length));
    for (const { at, value } of m.edits) {
      if (bytes.length < 4) break;
      const i = at % bytes.length;
      if (value.width === 1) bytes[i] = value.b;
      else bytes.writeUInt32LE(value.b >>> 0, Math.min(i - (i % 4), bytes.length - 4));
    }
    return bytes;
  }

  it('gives the same frames read whole and streamed, or the same pcap error at an offset inside the file', async () => {
    const outcomes = { frames: 0, errors: 0 };
    await fc.assert(fc.asyncProperty(mutation, async (m) => {
      const bytes = mutated(m);
      const file = caseFile('capture.pcap', bytes);
      const whole: { data: Uint8Array; index: number }[] = [];
      let wholeError: unknown;
      try {
        for (const frame of pcapFrames(bytes, file)) whole.push({ data: Buffer.from(frame.data), index: frame.index });
      } catch (error) {
        wholeError = error;
      }
      const streamed: { data: Uint8Array; index: number }[] = [];
      let streamError: unknown;
      let reader: PcapReader | undefined;
      try {
        reader = await PcapReader.open(file);
        for (let frame = await reader.next(); frame !== undefined; frame = await reader.next()) streamed.push({ data: Buffer.from(frame.data), index: frame.index });
      } catch (error) {
        streamError = error;
      } finally {
        await reader?.close();
      }
      expect(streamed).toEqual(whole);
      outcomes.frames += whole.length;
      for (const error of [wholeError, streamError]) {
        if (error === undefined) continue;
        expect(error).toBeInstanceOf(PcapFormatError);
        expect((error as PcapFormatError).offset).toBeLessThanOrEqual(bytes.length);
      }
      if (wholeError !== undefined) outcomes.errors++;
      expect(streamError === undefined).toBe(wholeError === undefined);
      if (wholeError instanceof PcapFormatError && streamError instanceof PcapFormatError) expect(streamError.message).toBe(wholeError.message);
    }), { numRuns: RUNS, seed: SEED });
    // Both paths taken: captures that read (in part) and captures that fail.
    expect(outcomes.frames).toBeGreaterThan(RUNS);
    expect(outcomes.errors).toBeGreaterThan(RUNS / 20);
  });
});

describe('a mutated sidecar', () => {
  const trace = 'traces/linux-6.1-traffic-mix.log';
  const sidecar = readFileSync('traces/linux-6.1-traffic-mix.json', 'utf8');
  const replacement = fc.constantFrom('null', '"x"', '-1', '1e999', '{}', '[]', '0', '', '"', '}', 'true', '"sha256": 5');
  const mutation = fc.record({ at: fc.nat(), cut: fc.integer({ min: 0, max: 12 }), text: replacement });

  it('is used, or ignored with a warning naming it; never fails the caller', async () => {
    const text = readFileSync(trace);
    const outcomes = { used: 0, warned: 0 };
    await fc.assert(fc.asyncProperty(mutation, async (m) => {
      const at = m.at % sidecar.length;
      const stem = `${cases++}-recording`;
      writeFileSync(join(dir, `${stem}.log`), text);
      writeFileSync(join(dir, `${stem}.json`), sidecar.slice(0, at) + m.text + sidecar.slice(at + m.cut));
      const warnings: string[] = [];
      const found = await findSidecar(join(dir, `${stem}.log`), (message) => warnings.push(message));
      if (found === undefined) {
        // Unless the edit took away what makes it a sidecar at all, the warning names the file.
        for (const warning of warnings) expect(warning).toContain(`${stem}.json`);
        if (warnings.length > 0) outcomes.warned++;
      } else {
        expect(warnings).toEqual([]);
        outcomes.used++;
      }
    }), { numRuns: RUNS, seed: SEED });
    expect(outcomes.warned).toBeGreaterThan(RUNS / 20);
    expect(outcomes.used).toBeGreaterThan(0);
  });
});
