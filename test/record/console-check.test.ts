// Reading the guest console. The consoles here are synthetic, shaped like the project's guest's
// (scripts/guest/init) real output: firmware escapes, CRLF, and the first IGBREC line glued to
// SeaBIOS's "Booting from ROM..." because the kernel runs with `quiet`.
import { describe, expect, it } from '@jest/globals';
import { checkConsole, cleanConsole, consoleMarkers, consoleTail } from '../../src/record/console-check.js';

const OK = [
  '\u001b[2J\u001b[01;01HSeaBIOS (version 1.16.3)\r',
  'Booting from ROM...IGBREC: scenario init kernel 6.1.0-56-amd64 driver igb\r',
  'IGBREC: eth0 present\r',
  'IGBREC: link up\r',
  'udhcpc: lease of 10.0.2.15 obtained from 10.0.2.2, lease time 86400\r',
  'IGBREC: done init\r',
  '[    3.72] reboot: Power down\r',
  '',
].join('\n');

const project = { projectGuest: true, scenario: 'init', kernelRelease: '6.1.0-56-amd64' };

describe('checkConsole', () => {
  it('requires the scenario\'s own markers (as prefixes) besides done, naming the missing ones', () => {
    expect(checkConsole(OK, { ...project, requiredMarkers: ['IGBREC: link up', 'IGBREC: eth0 '] }).ok).toBe(true);
    const verdict = checkConsole(OK, { ...project, requiredMarkers: ['IGBREC: link up', 'IGBREC: ping ', 'IGBREC: carrier down'] });
    expect(verdict).toMatchObject({ ok: false, reason: 'scenario init finished without "IGBREC: ping", "IGBREC: carrier down" on its console' });
  });

  it('accepts a finished scenario and lists the markers, the glued first one included', () => {
    const verdict = checkConsole(OK, project);
    expect(verdict).toEqual({
      ok: true,
      markers: [
        'IGBREC: scenario init kernel 6.1.0-56-amd64 driver igb', 'IGBREC: eth0 present', 'IGBREC: link up',
        'udhcpc: lease of 10.0.2.15 obtained from 10.0.2.2, lease time 86400', 'IGBREC: done init',
      ],
    });
  });

  it('reports the guest\'s own FAIL line', () => {
    const text = OK.replace('IGBREC: link up', 'IGBREC: FAIL no carrier on eth0').replace('IGBREC: done init', 'IGBREC: FAIL no carrier on eth0');
    expect(checkConsole(text, project)).toMatchObject({ ok: false, reason: 'the guest reported FAIL no carrier on eth0' });
    // Also for a guest of the user's that happens to speak the protocol.
    expect(checkConsole(text, { projectGuest: false, scenario: 'init' })).toMatchObject({ ok: false });
  });

  it('requires the done line of this scenario from the project\'s guest', () => {
    expect(checkConsole(OK, { ...project, scenario: 'traffic' })).toMatchObject({ ok: false, reason: expect.stringContaining('did not finish scenario traffic') });
    expect(checkConsole(OK.replace('IGBREC: done init', ''), project)).toMatchObject({ ok: false });
  });

  it('notices a guest that never booted, and one running another kernel', () => {
    expect(checkConsole('SeaBIOS\r\nBooting from ROM...\r\n', project)).toMatchObject({ ok: false, reason: expect.stringContaining('never started') });
    expect(checkConsole(OK, { ...project, kernelRelease: '6.1.0-5' })).toMatchObject({ ok: false, reason: expect.stringContaining('different kernel') });
  });

  it('asks nothing of a user\'s guest that does not speak the protocol', () => {
    expect(checkConsole('Linux version 6.9\nPower down\n', { projectGuest: false, scenario: 'init' })).toEqual({ ok: true, markers: [] });
  });
});

describe('consoleTail / cleanConsole', () => {
  it('keeps the last non-empty lines without escapes or CRs', () => {
    expect(consoleTail(OK, 2)).toBe('IGBREC: done init\n[    3.72] reboot: Power down');
    expect(cleanConsole(OK)).not.toContain('\r');
    expect(cleanConsole(OK)).not.toContain('\u001b');
    expect(cleanConsole(OK).split('\n')[0]).toBe('SeaBIOS (version 1.16.3)');
  });

  it('consoleMarkers finds nothing in an empty console', () => {
    expect(consoleMarkers('')).toEqual([]);
  });
});
