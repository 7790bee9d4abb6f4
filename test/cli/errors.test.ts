// The mapping from error types to exit codes, which is part of the command-line interface.
import { describe, expect, it } from '@jest/globals';
import { RegisterNotFoundError } from '../../src/analysis/register-lookup.js';
import { EXIT_INTERNAL, EXIT_TARGET, EXIT_USAGE, OutputError, TargetError, UsageError, reportError } from '../../src/cli/errors.js';
import { TraceFormatError, TraceInputError } from '../../src/formats/errors.js';

describe('reportError', () => {
  it('maps usage and input errors to exit 2, with a hint', () => {
    const format = reportError(new TraceFormatError('t.log', 12, 'e1000e_core_read x', 'bad value'));
    expect(format).toEqual({ exitCode: EXIT_USAGE, message: 't.log:12: bad value: e1000e_core_read x', hint: expect.stringContaining('--lenient') });
    expect(reportError(new TraceInputError('t.log', 'is empty', 'record one')).exitCode).toBe(EXIT_USAGE);
    expect(reportError(new UsageError('bad')).exitCode).toBe(EXIT_USAGE);
    expect(reportError(new OutputError('x.csv', 'cannot create: ENOENT')).exitCode).toBe(EXIT_USAGE);
    expect(reportError(new RegisterNotFoundError('NOPE', 'unknown register "NOPE"', ['NOP'], 'did you mean: NOP?'))).toEqual(
      { exitCode: EXIT_USAGE, message: 'unknown register "NOPE"', hint: 'did you mean: NOP?' });
  });

  it('maps target failures to exit 3', () => {
    const report = reportError(new TargetError('qemu-not-found', 'no QEMU found', 'install QEMU'));
    expect(report).toEqual({ exitCode: EXIT_TARGET, message: 'no QEMU found', hint: 'install QEMU' });
  });

  it('treats anything else as a bug: exit 4 with the stack', () => {
    const report = reportError(new TypeError('x is undefined'));
    expect(report.exitCode).toBe(EXIT_INTERNAL);
    expect(report.message).toBe('internal error: x is undefined');
    expect(report.stack).toContain('TypeError');
  });
});
