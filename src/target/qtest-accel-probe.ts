// The one reliable test for QEMU's qtest accelerator: start it and ask for `clock_step`.
//
// Debian builds QEMU with modules and deletes `accel-qtest-*.so`, so `-accel qtest` fails with
// "invalid accelerator qtest" (exit 1, ~20 ms). Where the accelerator exists, `-M none` needs no
// firmware or devices and answers `OK <ns>` within a few tens of ms. `-accel help` is no help:
// QEMU deliberately leaves qtest out of that list. QEMU does not exit at stdin EOF, so the probe
// always kills it.

import { spawn } from 'node:child_process';

const PROBE_ARGS = ['-M', 'none', '-accel', 'qtest', '-nodefaults', '-display', 'none', '-qtest', 'stdio', '-qtest-log', 'none'];

export function probeQtestAccel(path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(path, PROBE_ARGS, { stdio: ['pipe', 'pipe', 'ignore'] });
    let output = '';
    let settled = false;
    const finish = (result: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      resolve(result);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    child.on('error', () => finish(false));
    child.on('exit', () => finish(false));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const newline = output.indexOf('\n');
      if (newline >= 0) finish(output.slice(0, newline).startsWith('OK'));
    });
    // EPIPE when QEMU already exited (no accelerator) is expected; the exit handler answers.
    child.stdin.on('error', () => undefined);
    child.stdin.write('clock_step 1\n');
  });
}
