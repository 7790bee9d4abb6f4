// The error a protocol client's pending requests get when its transport closes on its own: the
// caller's description (the launcher waits for QEMU's exit status and quotes its stderr) or, when
// there is none or it fails, a plain one naming the protocol. Shared by the qtest and QMP clients.

import { TargetClosedError } from './errors.js';
import type { TransportClosed } from './transport.js';

export async function closeErrorFor(protocol: 'qtest' | 'QMP', closed: TransportClosed,
  describeClose: ((closed: TransportClosed) => Promise<Error>) | undefined): Promise<Error> {
  const fallback = (): Error => new TargetClosedError(
    closed.error === undefined ? `QEMU closed the ${protocol} connection` : `${protocol} connection failed: ${closed.error.message}`,
    undefined, '', { cause: closed.error });
  if (describeClose === undefined) return fallback();
  try {
    return await describeClose(closed);
  } catch {
    return fallback();
  }
}
