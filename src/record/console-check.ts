// Reading the guest's serial console after a run: did the scenario finish, and what to show the
// user when it did not. The project's guest (scripts/guest/init) reports on lines starting
// `IGBREC:` — `scenario NAME kernel RELEASE driver D` first, `done NAME` or `FAIL reason` last.
// A guest the user brought may not speak this protocol, so for it only an explicit FAIL counts.
// Pure: the text comes in, a verdict goes out.

export interface ConsoleExpectation {
  /** The project's guest: `IGBREC: done SCENARIO` is required. */
  readonly projectGuest: boolean;
  readonly scenario: string;
  /** `uname -r` the guest must report (guards against booting a different kernel). */
  readonly kernelRelease?: string;
  /** Marker prefixes the scenario must have printed (project guest): proof it did its work. */
  readonly requiredMarkers?: readonly string[];
}

export type ConsoleVerdict = { readonly ok: true; readonly markers: string[] } | { readonly ok: false; readonly reason: string; readonly markers: string[] };

/** Firmware and kernel write terminal escapes and CRs; without them the tail is readable. */
export function cleanConsole(text: string): string {
  return text
    .replace(/\r/g, '')
    // eslint-disable-next-line no-control-regex -- terminal escapes are exactly what is removed
    .replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b[A-Za-z]/g, '')
    // eslint-disable-next-line no-control-regex -- other control characters would garble the terminal
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

/** The last `count` non-empty lines, cleaned. */
export function consoleTail(text: string, count = 20): string {
  return cleanConsole(text).split('\n').filter((line) => line.trim() !== '').slice(-count).join('\n');
}

/**
 * The guest's progress lines, as the sidecar records them (`IGBREC: …` and the DHCP lease). Taken
 * from anywhere in a line: with `quiet` the first one follows the firmware's `Booting from ROM...`
 * with no newline in between.
 */
export function consoleMarkers(text: string): string[] {
  return cleanConsole(text).split('\n').flatMap((line) => {
    const match = /(?:IGBREC:|udhcpc: lease).*/.exec(line);
    return match === null ? [] : [match[0].trim()];
  });
}

export function checkConsole(text: string, expect: ConsoleExpectation): ConsoleVerdict {
  const markers = consoleMarkers(text);
  const failure = markers.find((line) => line.startsWith('IGBREC: FAIL'));
  if (failure !== undefined) return { ok: false, reason: `the guest reported ${failure.slice('IGBREC: '.length)}`, markers };
  if (!expect.projectGuest) return { ok: true, markers };
  const start = markers.find((line) => line.startsWith('IGBREC: scenario '));
  if (start === undefined) return { ok: false, reason: 'the guest never started its scenario (no "IGBREC: scenario" line): did the kernel boot?', markers };
  if (expect.kernelRelease !== undefined && !start.includes(` kernel ${expect.kernelRelease} `) && !start.endsWith(` kernel ${expect.kernelRelease}`)) {
    return { ok: false, reason: `the guest runs a different kernel than expected (${expect.kernelRelease}): ${start}`, markers };
  }
  if (!markers.includes(`IGBREC: done ${expect.scenario}`)) {
    return { ok: false, reason: `the guest did not finish scenario ${expect.scenario} (no "IGBREC: done ${expect.scenario}")`, markers };
  }
  const missing = (expect.requiredMarkers ?? []).filter((prefix) => !markers.some((line) => line.startsWith(prefix)));
  if (missing.length > 0) {
    return { ok: false, reason: `scenario ${expect.scenario} finished without ${missing.map((m) => JSON.stringify(m.trim())).join(', ')} on its console`, markers };
  }
  return { ok: true, markers };
}
