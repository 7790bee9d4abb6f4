// Host-side link changes during a recording: the guest asks on its console
// (`IGBREC: host set_link down|up`), the recorder tells QEMU over QMP (`set_link` on the netdev),
// and the guest waits for its carrier to follow. QEMU logs each change it hands the NIC as
// `e1000e_link_status_changed New link status: 0|1` (igb and e1000e alike), so the trace itself
// marks where the host acted; the sidecar's host_events pair each command with that line.
//
// Every trace also ends with `e1000e_link_status_changed New link status: 0` on QEMU's main
// thread: at exit QEMU deletes the netdev, and a NIC whose peer is deleted goes link down. That
// link down is QEMU's own shutdown, not a host event: after it the guest accesses nothing (igb's
// is the trace's last line; e1000e logs its link interrupt after it).
//
// QEMU connects to the recorder's socket as a client (as replay's QMP does), so there is no window
// where QEMU's socket exists but is not ready.

import { QmpClient } from '../target/qmp-client.js';
import { UnixSocketListener } from '../target/unix-socket.js';
import type { SidecarHostEvent } from '../trace/sidecar.js';
import { NETDEV_ID } from './qemu-command.js';

export interface LinkRequest {
  readonly up: boolean;
  /** The QMP error, when QEMU refused or the monitor was not there. */
  readonly error?: string;
}

/** `IGBREC: host set_link down` → false; not a request → undefined. */
export function linkRequestOf(consoleLine: string): boolean | undefined {
  const match = /IGBREC: host set_link (up|down)\s*$/.exec(consoleLine.replace(/\r/g, ''));
  return match === null ? undefined : match[1] === 'up';
}

/**
 * The `e1000e_link_status_changed` lines of a trace that the host caused, with their 1-based line
 * and new state: all of them but a last link down after which the guest accessed no register
 * (QEMU's exit).
 */
export function linkChangesInTrace(text: string): { readonly line: number; readonly up: boolean }[] {
  const changes: { line: number; up: boolean }[] = [];
  let lastAccess = 0;
  text.split('\n').forEach((line, index) => {
    const match = /(?:^|:)e1000e_link_status_changed New link status: ([01])\s*$/.exec(line);
    if (match !== null) changes.push({ line: index + 1, up: match[1] === '1' });
    else if (GUEST_ACCESS.test(line)) lastAccess = index + 1;
  });
  const final = changes.at(-1);
  return final !== undefined && final.line > lastAccess && !final.up ? changes.slice(0, -1) : changes;
}

/** A register access by the guest's driver. */
const GUEST_ACCESS = /(?:^|:)e1000e_core_(?:read|write) /;

/**
 * Pairs the commands with the trace's link changes, in order. A string explains a mismatch: a
 * command QEMU refused, or a change the trace does not show.
 */
export function hostEvents(requests: readonly LinkRequest[], changes: readonly { line: number; up: boolean }[]): SidecarHostEvent[] | string {
  const refused = requests.find((request) => request.error !== undefined);
  if (refused !== undefined) return `QMP set_link ${refused.up ? 'up' : 'down'} failed: ${refused.error ?? ''}`;
  if (changes.length !== requests.length || changes.some((change, i) => change.up !== requests[i]!.up)) {
    return `the guest asked for link ${requests.map((r) => (r.up ? 'up' : 'down')).join(', ') || 'nothing'} but the trace shows `
      + `e1000e_link_status_changed ${changes.map((c) => `${c.up ? 1 : 0} (line ${c.line})`).join(', ') || 'never'}`;
  }
  return requests.map((request, i) => ({ command: 'set_link', netdev: NETDEV_ID, up: request.up, trace_line: changes[i]!.line }));
}

/** Serves the guest's link requests for one run. */
export class HostLinkDriver {
  private readonly done: LinkRequest[] = [];
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    private readonly listener: UnixSocketListener,
    private readonly client: Promise<QmpClient>,
    private readonly stopAccepting: AbortController,
  ) {
    // Awaited by each request; observed here too so a QEMU that never connects is no crash.
    client.catch(() => undefined);
  }

  /** Listens on `socketPath` (QEMU's -chardev socket,path=…) and accepts QEMU in the background. */
  static async listen(socketPath: string, acceptTimeoutMs: number): Promise<HostLinkDriver> {
    const listener = await UnixSocketListener.listen(socketPath);
    const stopAccepting = new AbortController();
    const client = listener.accept({ timeoutMs: acceptTimeoutMs, signal: stopAccepting.signal })
      .then((transport) => QmpClient.connect(transport));
    return new HostLinkDriver(listener, client, stopAccepting);
  }

  /** For run-guest's onConsoleLine: acts on requests, in the order the guest made them. */
  readonly onConsoleLine = (line: string): void => {
    const up = linkRequestOf(line);
    if (up === undefined) return;
    this.queue = this.queue.then(async () => {
      try {
        const client = await this.client;
        await client.executeRaw('set_link', { name: NETDEV_ID, up });
        this.done.push({ up });
      } catch (error) {
        this.done.push({ up, error: error instanceof Error ? error.message : String(error) });
      }
    });
  };

  /** The requests served, once every pending one has finished. */
  async requests(): Promise<readonly LinkRequest[]> {
    await this.queue;
    return this.done;
  }

  /** After QEMU has exited: stops listening and closes the monitor connection. */
  async close(): Promise<void> {
    this.stopAccepting.abort(new Error('the recording is over'));
    this.listener.close();
    const [client] = await Promise.allSettled([this.client]);
    if (client.status === 'fulfilled') client.value.close();
  }
}
