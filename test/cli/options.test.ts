import { describe, expect, it } from '@jest/globals';
import { colorLevel } from '../../src/cli/color.js';
import { UsageError } from '../../src/cli/errors.js';
import { DASH_TOKEN, dashArg, nonNegativeInteger, protectDash } from '../../src/cli/options.js';

describe('colorLevel', () => {
  it('is plain when not a TTY, when NO_COLOR is set, or for a dumb terminal', () => {
    expect(colorLevel({}, false)).toBe(0);
    expect(colorLevel({ NO_COLOR: '1' }, true)).toBe(0);
    expect(colorLevel({ TERM: 'dumb' }, true)).toBe(0);
    expect(colorLevel({}, true)).toBeGreaterThan(0);
  });

  it('lets FORCE_COLOR win over NO_COLOR and a pipe', () => {
    expect(colorLevel({ FORCE_COLOR: '1', NO_COLOR: '1' }, false)).toBe(1);
    expect(colorLevel({ FORCE_COLOR: '3' }, false)).toBe(3);
    expect(colorLevel({ FORCE_COLOR: '0' }, true)).toBe(0);
    expect(colorLevel({ FORCE_COLOR: 'false' }, true)).toBe(0);
    expect(colorLevel({ FORCE_COLOR: '' }, false)).toBe(1);
  });

  it('ignores an empty NO_COLOR, as no-color.org says', () => {
    expect(colorLevel({ NO_COLOR: '' }, true)).toBeGreaterThan(0);
  });
});

describe('lone dash arguments', () => {
  it('survive yargs as a token and come back as -', () => {
    expect(protectDash(['parse', '-', '--output', '-'])).toEqual(['parse', DASH_TOKEN, '--output', DASH_TOKEN]);
    expect(protectDash(['parse', '--', '-'])).toEqual(['parse', '--', '-']);
    expect(dashArg(DASH_TOKEN)).toBe('-');
    expect(dashArg('trace.log')).toBe('trace.log');
  });
});

describe('nonNegativeInteger', () => {
  it('accepts whole numbers from 0 and rejects the rest with a UsageError naming the option', () => {
    const top = nonNegativeInteger('top');
    expect(top(0)).toBe(0);
    expect(top(25)).toBe(25);
    expect(() => top(-1)).toThrow(UsageError);
    expect(() => top(Number.NaN)).toThrow('--top');
    expect(() => top(1.5)).toThrow('--top');
  });
});
