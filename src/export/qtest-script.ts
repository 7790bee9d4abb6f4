// `export --qtest`: the plan as a qtest command script for `qemu-system-x86_64 … -qtest stdio <
// script`, plus a companion shell script with the command line and what the script leaves out.
//
// qtest has no comment syntax: QEMU 10.0.2 answers `FAIL Unknown command '#'` to a `#` line and
// aborts on an empty line (g_assert in qtest_process_command), so the script is commands only and
// everything a reader needs (trace, lines, time markers) goes into the companion.

import { DEFAULT_MACHINE } from '../target/qemu-args.js';
import { configWriteCommands, vfFunction, type PciFunction } from '../target/pci-config.js';
import { mmconfigSetupCommands, nicBarWrites, placementSetup, RECORDED_GUEST_BARS } from '../target/pci-setup.js';
import { deviceRow } from '../devices/table.js';
import type { PlannedCommand } from '../target/planned-command.js';
import { barAccessCommand } from '../target/bar-access.js';
import { encodeCommand, type QtestCommand } from '../target/qtest-protocol.js';
import { DEBUG_EXIT_PORT, DEBUG_EXIT_STATUS, scriptQemuArgs, shellQuote, shellWords, type ScriptTime } from './qemu-command.js';
import type { ExportPlan, RegisterStep, TimeStep } from './steps.js';

/** A script line that replays a read of the recording. */
export interface ReadCheck {
  readonly seq: number;
  readonly line: number;
  readonly register: string;
  /** Recorded reads this line stands for: a folded loop's count, else 1 (as replay tallies them). */
  readonly stands: number;
  readonly unchecked?: string;
}

export interface ScriptLine extends PlannedCommand {
  readonly read?: ReadCheck;
}

export interface QtestScript {
  readonly lines: readonly ScriptLine[];
  /** Timer markers of the recording the script does not reproduce (frozen time). */
  readonly frozenMarkers: readonly TimeStep[];
  readonly time: ScriptTime;
}

export function qtestScript(plan: ExportPlan, time: ScriptTime): QtestScript {
  // The set-up the live target runs (the root port's first, where the NIC sits behind one); a
  // script cannot stop at a failed check, the expected replies say what to look for.
  const setup = placementSetup({ model: plan.device.model, slot: DEFAULT_MACHINE.slot, fn: DEFAULT_MACHINE.fn, placement: plan.placement });
  const nic = setup.nic;
  const functionOf = (vf: number | undefined): PciFunction => {
    const layout = deviceRow(plan.device.model).sriov;
    return vf === undefined || layout === undefined ? nic : vfFunction(nic, layout, vf);
  };
  const lines: ScriptLine[] = [...setup.parts.flatMap((part) => part.commands), ...mmconfigSetupCommands()];
  const frozenMarkers: TimeStep[] = [];
  for (const step of plan.steps) {
    if (step.kind === 'time') {
      if (time === 'clock-step') lines.push({ command: clockStepFor(step), what: `${step.marker} timer (line ${step.line})` });
      else frozenMarkers.push(step);
    } else if (step.kind === 'bars') {
      for (const bar of nicBarWrites(plan.device.model)) {
        lines.push(...configWriteCommands(nic, bar.offset, 4, bar.value, `BAR 0x${bar.offset.toString(16)} again after the function-level reset (line ${step.line})`));
      }
    } else if (step.kind === 'config-write') {
      const name = step.vf === undefined ? 'config' : `VF${step.vf} config`;
      lines.push(...configWriteCommands(functionOf(step.vf), step.offset, step.width, step.value, `${name} 0x${step.offset.toString(16)} (line ${step.line})`));
    } else {
      lines.push(...registerLines(step));
    }
  }
  lines.push({ command: { op: 'outb', port: DEBUG_EXIT_PORT, value: 0 }, what: 'isa-debug-exit: end QEMU' });
  return { lines, frozenMarkers, time };
}

function registerLines(step: RegisterStep): ScriptLine[] {
  const what = `${step.register} (line ${step.line})`;
  if (step.kind === 'write') return [{ command: registerCommand(step), what }];
  const reads = step.poll?.reads ?? 1;
  const read: ReadCheck = {
    seq: step.seq, line: step.line, register: step.register, stands: step.poll?.recordedReads ?? 1,
    ...(step.unchecked === undefined ? {} : { unchecked: step.unchecked }),
  };
  const lines: ScriptLine[] = [];
  // Only the last read of a folded loop is compared: the loop's outcome.
  for (let i = 1; i < reads; i++) lines.push({ command: registerCommand(step), what: `${what}, polling read ${i} of ${reads}` });
  lines.push({ command: registerCommand(step), what, expect: { value: step.value }, read });
  return lines;
}

/** The command replay sends for the access (src/replay/qemu-target.ts), at the recorded guest BARs. */
function registerCommand(step: RegisterStep): QtestCommand {
  return barAccessCommand(RECORDED_GUEST_BARS, { ...step, size: step.width });
}

export function renderScript(script: QtestScript): string {
  return `${script.lines.map((line) => encodeCommand(line.command)).join('\n')}\n`;
}

/**
 * The companion of a script written to `scriptPath`: a shell script that runs it (QEMU from
 * $QTEST_QEMU_BINARY, else qemu-system-x86_64) and says where it came from. Exit 0 when QEMU
 * reached the script's last command.
 */
export function renderCompanion(plan: ExportPlan, script: QtestScript, scriptPath: string): string {
  const args = scriptQemuArgs(plan.device, script.time, plan.placement);
  const reads = script.lines.filter((line) => line.read !== undefined);
  const checked = reads.filter((line) => line.read?.unchecked === undefined).length;
  const out = [
    '#!/bin/sh',
    `# Runs ${scriptPath}, exported by \`igb-replay export --qtest\` from ${plan.trace}`,
    `# (${plan.steps.length} steps; ${plan.skipped} accesses skipped as replay skips them: PHY accesses are replayed by`,
    '# their MDIC write, the tool programs the BARs itself).',
    '#',
    '# qtest scripts cannot hold comments (QEMU answers FAIL to a "#" line and aborts on an empty one),',
    '# so this file carries the command line. Every command answers one line: "OK", "OK <value>" for',
    '# reads, or "FAIL <reason>". The first commands program the PCI BARs as igb-replay does, the last',
    `# one ends QEMU through isa-debug-exit (exit status ${DEBUG_EXIT_STATUS}, mapped to 0 below).`,
    `# Commands: ${script.lines.length}.`,
    `# Reads compared with the recording: ${reads.length}, ${checked} of them in registers the compare policy`,
    '# checks (a folded polling loop is compared at its last read).',
    ...timeComment(script),
    '',
    'set -u',
    'qemu="${QTEST_QEMU_BINARY:-qemu-system-x86_64}"',
    `script=$(dirname "$0")/${shellQuote(basenameOf(scriptPath))}`,
    `"$qemu" ${shellWords(args)} < "$script"`,
    'status=$?',
    `[ "$status" -eq ${DEBUG_EXIT_STATUS} ] && exit 0`,
    'echo "QEMU exited with status $status before the end of the script" >&2',
    'exit 1',
  ];
  return `${out.join('\n')}\n`;
}

function timeComment(script: QtestScript): string[] {
  if (script.time === 'clock-step') {
    return ['# Time: the VM runs under -accel qtest (QEMU built from source; Debian removes the accelerator) and',
      '# each timer marker of the recording is a clock_step to the next deadline, as `replay --time clock-step`.'];
  }
  const markers = script.frozenMarkers;
  const lines = ['# Time: frozen (-S), as `replay --time frozen`: without the qtest accelerator (Debian\'s QEMU) there is',
    '# no clock_step; export with --clock-step for a QEMU built from source.'];
  if (markers.length === 0) return lines;
  const listed = markers.slice(0, 12).map((m) => `${m.marker}@${m.line}`).join(', ');
  return [...lines, `# Timer markers not reproduced (${markers.length}, kind@line): ${listed}${markers.length > 12 ? ', …' : ''}`];
}

function basenameOf(path: string): string {
  return path.split('/').pop() ?? path;
}

/**
 * How far a script steps the clock at a timer marker. A script cannot wait for an event, so an
 * autoneg marker steps by QEMU's autonegotiation delay (500 ms: the negotiation started before the
 * marker, so its deadline lies within); an idle gap steps by the recorded time; anything else to
 * the next deadline. (`replay` instead steps deadline by deadline until the target logs the
 * negotiation done.)
 */
function clockStepFor(step: TimeStep): QtestCommand {
  if (step.elapsedNs !== undefined) return { op: 'clock_step', ns: step.elapsedNs };
  if (step.marker === 'autoneg') return { op: 'clock_step', ns: AUTONEG_DELAY_NS };
  return { op: 'clock_step' };
}

const AUTONEG_DELAY_NS = 500_000_000n;
