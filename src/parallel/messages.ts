// The messages between the main thread and a replay worker thread (replay-worker.ts), and how an
// error crosses between them: structured cloning keeps an Error's message and stack but not its
// class, so a UserError's exit code and hint travel as data and come back as a RemoteError.

import { UserError, type UserExitCode } from '../errors.js';
import type { CellOutcome, CellRequest, StartedQemu } from './cell.js';

export type ToWorker =
  | { readonly type: 'run'; readonly id: number; readonly request: CellRequest }
  /** Stop every QEMU of this worker and start none any more (the main thread got a signal). */
  | { readonly type: 'reap' };

export type FromWorker =
  | { readonly type: 'warning'; readonly id: number; readonly message: string }
  | { readonly type: 'qemu'; readonly id: number; readonly qemu: StartedQemu }
  | { readonly type: 'done'; readonly id: number; readonly outcome: CellOutcome }
  | { readonly type: 'failed'; readonly id: number; readonly error: SerializedError }
  | { readonly type: 'reaped' };

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** Set for a UserError: what the command line exits with, and the hint. */
  readonly user?: { readonly exitCode: UserExitCode; readonly hint?: string };
}

export function serializeError(error: unknown): SerializedError {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    name: e.name, message: e.message, ...(e.stack === undefined ? {} : { stack: e.stack }),
    ...(error instanceof UserError ? { user: { exitCode: error.exitCode, ...(error.hint === undefined ? {} : { hint: error.hint }) } } : {}),
  };
}

/** A UserError raised in a worker thread, with its exit code and hint. */
export class RemoteError extends UserError {
  override readonly exitCode: UserExitCode;

  constructor(serialized: SerializedError & { readonly user: NonNullable<SerializedError['user']> }) {
    super(serialized.message, serialized.user.hint);
    this.name = serialized.name;
    this.exitCode = serialized.user.exitCode;
  }
}

export function deserializeError(serialized: SerializedError): Error {
  if (serialized.user !== undefined) return new RemoteError({ ...serialized, user: serialized.user });
  const error = new Error(serialized.message);
  error.name = serialized.name;
  if (serialized.stack !== undefined) error.stack = serialized.stack;
  return error;
}
