// Errors of `igb-replay record`. Two kinds, because the user fixes them differently:
//  - RecordInputError: something the user named is wrong (kernel file missing, a trace name that
//    would collide with its own sidecar, a scenario the project's guest does not know): exit 2.
//  - RecordError: the recording itself failed (guest build, QEMU exit, guest FAIL, timeout, no
//    device accesses, no usable frame capture, a host link change QEMU did not apply). It is a
//    TargetError, so the CLI maps it to exit 3 like any QEMU failure, and its message carries the
//    tail of the guest console.

import { UserError } from '../errors.js';
import { TargetError } from '../target/errors.js';

export class RecordInputError extends UserError {
  override readonly name = 'RecordInputError';
}

export type RecordFailure = 'guest-build' | 'qemu-exit' | 'guest-failed' | 'timeout' | 'no-accesses' | 'capture' | 'host-link' | 'host-frames';

export class RecordError extends TargetError {
  override name = 'RecordError';

  constructor(readonly failure: RecordFailure, message: string, hint?: string, options?: { cause?: unknown }) {
    super(failure === 'timeout' ? 'timeout' : 'launch-failed', message, hint, options);
  }
}
