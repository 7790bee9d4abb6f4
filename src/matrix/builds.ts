// The QEMU builds of a replay: each `--qemu PATH` (or `--qemu NAME=PATH`) is one, in order, the
// first being the reference the others are compared with; none means the one default build
// ($QTEST_QEMU_BINARY, else qemu-system-x86_64 on PATH). Resolving a build probes its binary
// (cached), so a build that cannot run fails before any replay starts.

import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { MatrixBuild } from '../model/matrix-report.js';
import type { TimeModeChoice } from '../model/replay.js';
import { findQemu, hasQtestAccel } from '../target/qemu-binary.js';

export interface BuildSpec {
  readonly label: string;
  /** The binary as given; undefined: the default. */
  readonly qemu?: string;
}

const NAMED = /^([A-Za-z0-9][A-Za-z0-9_.+-]*)=(.+)$/;

/** `--qemu` values (none, one or several) as builds: `NAME=PATH` names one, else A, B, C… */
export function parseBuilds(values: readonly string[] | undefined): BuildSpec[] {
  if (values === undefined || values.length === 0) return [{ label: 'A' }];
  const builds = values.map((value, i): BuildSpec => {
    const named = existsSync(value) ? null : NAMED.exec(value);
    return named === null ? { label: defaultLabel(i), qemu: value } : { label: named[1]!, qemu: named[2]! };
  });
  const labels = new Set<string>();
  for (const build of builds) {
    if (labels.has(build.label)) throw new UserError(`--qemu: two builds are named ${build.label}`, 'give each build its own name: --qemu old=PATH --qemu new=PATH');
    labels.add(build.label);
  }
  return builds;
}

function defaultLabel(index: number): string {
  return index < 26 ? String.fromCharCode(65 + index) : `B${index + 1}`;
}

/** The builds probed: binary, version and whether it has the qtest accelerator. */
export async function resolveBuilds(specs: readonly BuildSpec[]): Promise<MatrixBuild[]> {
  return Promise.all(specs.map(async (spec) => {
    const info = await findQemu(spec.qemu === undefined ? {} : { explicit: spec.qemu });
    return { label: spec.label, binary: info.path, version: info.version.text, qtestAccelerator: await hasQtestAccel(info.path) };
  }));
}

/**
 * One time mode for every build, so that a difference between builds is never only a difference in
 * how time ran: `auto` picks clock-step only when every build has the qtest accelerator, else
 * markers for all (with a note saying why). An explicit mode is every build's.
 */
export function commonTimeMode(builds: readonly MatrixBuild[], choice: TimeModeChoice): { time: TimeModeChoice; note?: string } {
  if (choice !== 'auto' || builds.length < 2) return { time: choice };
  const without = builds.filter((b) => !b.qtestAccelerator);
  if (without.length === 0 || without.length === builds.length) return { time: 'auto' };
  return {
    time: 'markers',
    note: `${without.map((b) => b.label).join(', ')} ${without.length === 1 ? 'has' : 'have'} no qtest accelerator: every build replays with --time markers, so that all run time alike`,
  };
}
