// Which device a replay uses: the recording's (from its sidecar, found by the trace loader) unless
// --device says otherwise, and the recording's MAC unless the user gave one. The traces are copies of real recordings;
// the sidecars written here are synthetic (edited to name another device or a wrong sha256).
import { afterAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceOption } from '../../src/replay/device-option.js';
import { targetDevice } from '../../src/replay/prepare.js';
import { loadTrace } from '../../src/trace/load.js';

const dir = mkdtempSync(join(tmpdir(), 'igb-replay-sidecar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** A copy of a real trace with the given sidecar text (or none) beside it; returns the trace path. */
function traceWith(sidecar: ((real: Record<string, unknown>) => unknown) | string | undefined): string {
  const trace = join(dir, `t${++n}.log`);
  copyFileSync('traces/linux-6.1-init.log', trace);
  const real = JSON.parse(readFileSync('traces/linux-6.1-init.json', 'utf8')) as Record<string, unknown>;
  if (typeof sidecar === 'string') writeFileSync(join(dir, `t${n}.json`), sidecar);
  else if (sidecar !== undefined) writeFileSync(join(dir, `t${n}.json`), JSON.stringify({ ...real, trace: `t${n}.log`, ...(sidecar(real) as object) }, null, 2));
  return trace;
}

async function choose(path: string, user?: string): Promise<{ choice: DeviceOption; sidecar: string | undefined; warnings: string[] }> {
  const warnings: string[] = [];
  const trace = await loadTrace(path, { onWarning: (m) => warnings.push(m) });
  return { choice: targetDevice(trace, user), sidecar: trace.sidecar?.file, warnings };
}

/** What a choice amounts to: the model, MAC and properties the replay target gets. */
const device = (choice: DeviceOption): object => ({ model: choice.model, mac: choice.mac, properties: choice.properties });
const IGB = { model: 'igb', mac: '52:54:00:12:34:56', properties: {} };

const E1000E = { device: 'e1000e,netdev=n0,mac=52:54:00:00:00:42,x-pcie-flr-init=off', device_model: 'e1000e', device_properties: { 'x-pcie-flr-init': 'off' }, mac: '52:54:00:00:00:42' };

describe('the replay device (loadTrace + targetDevice)', () => {
  it('without a sidecar: igb, or what the user said', async () => {
    const trace = traceWith(undefined);
    // The copy has no sidecar, but the recording QEMU's events name its MAC.
    expect(device((await choose(trace)).choice)).toEqual(IGB);
    expect(device((await choose(trace, 'e1000e')).choice)).toEqual({ ...IGB, model: 'e1000e' });
  });

  it('with a matching sidecar: its model, properties and MAC', async () => {
    const { choice, warnings } = await choose(traceWith(() => E1000E));
    expect(warnings).toEqual([]);
    expect(choice.text).toBe('e1000e,x-pcie-flr-init=off');
    // The recording QEMU's events name 52:54:00:12:34:56 (this trace was recorded with it), and they come before the sidecar's MAC.
    expect(device(choice)).toEqual({ model: 'e1000e', mac: '52:54:00:12:34:56', properties: { 'x-pcie-flr-init': 'off' } });
  });

  it('the real sidecar of traces/linux-6.1-init.log gives igb with its MAC', async () => {
    const { choice, sidecar } = await choose('traces/linux-6.1-init.log');
    expect(device(choice)).toEqual(IGB);
    expect(sidecar).toBe('traces/linux-6.1-init.json');
  });

  it('the user\'s --device wins, but the recorded MAC still applies when the user gave none', async () => {
    const trace = traceWith(() => E1000E);
    expect(device((await choose(trace, 'igb')).choice)).toEqual(IGB);
    expect(device((await choose(trace, 'igb,mac=52:54:00:99:99:99')).choice)).toEqual({ ...IGB, mac: '52:54:00:99:99:99' });
  });

  it('a sidecar of another file (sha256 differs): warned about and not used', async () => {
    const { choice, warnings } = await choose(traceWith(() => ({ ...E1000E, sha256: '0'.repeat(64) })));
    expect(device(choice)).toEqual(IGB);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/t\d+\.json describes t\d+\.log with sha256 000000000000…, but t\d+\.log has 18e60f467392…; not using its device/);
  });

  it('a malformed sidecar: warned about with file:line, and not used', async () => {
    const { choice, warnings } = await choose(traceWith(() => ({ ...E1000E, mac: 'nope' })));
    expect(device(choice)).toEqual(IGB);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/t\d+\.json:\d+: field "mac": malformed value: "nope"; sidecar ignored/);
  });

  it('a JSON file that is no sidecar (e.g. replay --json output named like the trace): ignored silently', async () => {
    const { choice, warnings } = await choose(traceWith('{"schema": "igb-replay/replay-report", "version": 1, "results": []}\n'));
    expect(device(choice)).toEqual(IGB);
    expect(warnings).toEqual([]);
  });
});
