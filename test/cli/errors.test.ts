// The mapping from error types to exit codes, which is part of the command-line interface.
import { describe, expect, it } from '@jest/globals';
import { RegisterNotFoundError } from '../../src/analysis/register-lookup.js';
import { EXIT_INTERNAL, EXIT_TARGET, EXIT_USAGE, OutputError, TargetError, UsageError, reportError } from '../../src/cli/errors.js';
import { TraceFormatError, TraceInputError } from '../../src/formats/errors.js';
import { BaselineError } from '../../src/baseline/file.js';
import { MinimiseError } from '../../src/minimise/minimise-trace.js';
import { RecordError, RecordInputError } from '../../src/record/errors.js';
import { RegisterDatabaseError } from '../../src/regs/errors.js';
import { DeviceOptionError } from '../../src/replay/device-option.js';
import { QtestCommandError } from '../../src/target/errors.js';

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

  it('maps every UserError by its own exit code and hint: no command re-wraps errors', () => {
    expect(reportError(new DeviceOptionError('unsupported device model "x"', 'use one of igb, e1000e'))).toEqual(
      { exitCode: EXIT_USAGE, message: 'unsupported device model "x"', hint: 'use one of igb, e1000e' });
    expect(reportError(new MinimiseError('the replay has no failing divergence to reproduce')).exitCode).toBe(EXIT_USAGE);
    expect(reportError(new RecordInputError('no such kernel', 'give --kernel FILE')).exitCode).toBe(EXIT_USAGE);
    expect(reportError(new BaselineError('b.json', 'not a JSON object'))).toEqual({ exitCode: EXIT_USAGE, message: 'b.json: not a JSON object' });
    // Subclasses of TargetError keep exit 3, whatever their own constructor takes.
    expect(reportError(new RecordError('timeout', 'the guest did not finish', 'raise --timeout')).exitCode).toBe(EXIT_TARGET);
    expect(reportError(new QtestCommandError('readl 0x0', 'FAIL')).exitCode).toBe(EXIT_TARGET);
  });

  it('keeps a broken register database an internal error (exit 4), with a hint to reinstall', () => {
    const report = reportError(new RegisterDatabaseError('igb-registers.csv', 3, 'bad offset'));
    expect(report).toEqual({ exitCode: EXIT_INTERNAL, message: 'register database: igb-registers.csv:3: bad offset', hint: expect.stringContaining('reinstall') });
  });

  it('treats anything else as a bug: exit 4 with the stack', () => {
    const report = reportError(new TypeError('x is undefined'));
    expect(report.exitCode).toBe(EXIT_INTERNAL);
    expect(report.message).toBe('internal error: x is undefined');
    expect(report.stack).toContain('TypeError');
  });
});
