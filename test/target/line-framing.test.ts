import { describe, it, expect } from '@jest/globals';
import { LineFramer, encodeLines } from '../../src/target/line-framing.js';

function frame(chunks: string[]): { lines: string[]; pending: string } {
  const lines: string[] = [];
  const framer = new LineFramer((line) => lines.push(line));
  for (const chunk of chunks) framer.push(chunk);
  return { lines, pending: framer.pending };
}

describe('LineFramer', () => {
  it('splits several lines in one chunk', () => {
    expect(frame(['OK\nOK 0x10c98086\nIRQ raise 3\n']).lines).toEqual(['OK', 'OK 0x10c98086', 'IRQ raise 3']);
  });

  it('joins a line split across chunks and keeps the unfinished tail pending', () => {
    const { lines, pending } = frame(['OK 0x00', '00000080', '080481\nOK', '\nFA']);
    expect(lines).toEqual(['OK 0x0000000080080481', 'OK']);
    expect(pending).toBe('FA');
  });

  it('gives the same lines for every chunk size (1 character up to all at once)', () => {
    const text = 'OK\r\n{"return": {}}\r\nOK 0x1\n\nlast\n';
    const whole = frame([text]).lines;
    expect(whole).toEqual(['OK', '{"return": {}}', 'OK 0x1', '', 'last']);
    for (let size = 1; size <= text.length; size += 1) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
      expect(frame(chunks).lines).toEqual(whole);
    }
  });

  it('strips the \\r of CRLF-terminated lines (QMP)', () => {
    expect(frame(['{"a": 1}\r', '\n']).lines).toEqual(['{"a": 1}']);
  });
});

describe('encodeLines', () => {
  it('terminates every line, and writes nothing for no lines', () => {
    expect(encodeLines(['readl 0x8', 'inl 0xcfc'])).toBe('readl 0x8\ninl 0xcfc\n');
    expect(encodeLines([])).toBe('');
  });
});
