// How a replayed read that differs from the recording is classified, per register, from the
// register database. Only registers whose value moves for reasons a register replay cannot
// reproduce are tolerated; link state, interrupt causes, MDIC and the like are deterministic once
// virtual time is controlled, so a difference there is a real divergence.

import type { FieldDifference, ReadClass } from '../model/replay.js';
import type { RegisterRef } from '../model/register.js';
import type { RegisterDatabase } from '../regs/database.js';

export interface CompareOptions {
  /** Count volatile registers as failures too. */
  readonly strict: boolean;
  /**
   * Every frame of the recording goes through the target (sent from the capture, received ones
   * injected): statistics counters count the same frames on both sides, so they are compared.
   */
  readonly trafficReplayed?: boolean;
}

/**
 * What a register that follows the frames the device moves is (statistics counters count them, a
 * receive queue's head advances past each one received), or undefined for any other register.
 * Such a value replays only when the recording's frames go through the target.
 */
function movedByTraffic(ref: RegisterRef): string | undefined {
  if (ref.def.block === 'statistics') return 'statistics counter';
  // The driver reads it only for diagnostics (ethtool -d, its register dump); the device writes it.
  if ((ref.def.aliasOf ?? ref.def.name) === 'RDH') return 'receive descriptor head, advanced past each frame received';
  return undefined;
}

/** Why a register's value is not expected to replay, or undefined when it should. */
export function volatileReason(ref: RegisterRef | undefined): string | undefined {
  if (ref === undefined || !ref.def.volatile) return undefined;
  const traffic = movedByTraffic(ref);
  if (traffic !== undefined) return `${traffic}: packet traffic is not replayed`;
  if (ref.def.block === 'timesync') return 'free-running time-sync clock: absolute time differs from the recording';
  if (ref.def.name === 'FRTIMER') return 'free-running timer';
  return undefined;
}

export interface Classification {
  readonly class: Exclude<ReadClass, 'match' | 'poll-satisfied' | 'poll-never-satisfied'>;
  readonly reason: string;
}

/** Classifies a read whose value differs (expected !== actual). */
export function classifyDifference(ref: RegisterRef | undefined, unknownInTarget: boolean, options: CompareOptions): Classification {
  if (unknownInTarget) return { class: 'unknown-in-target', reason: 'the target QEMU has no such register: it logged an unknown-register read and returned 0' };
  const traffic = ref === undefined ? undefined : movedByTraffic(ref);
  if (options.trafficReplayed === true && traffic !== undefined) {
    return { class: 'mismatch', reason: `value differs (${traffic}: the data path replayed the recording's frames, so it follows the same ones)` };
  }
  const reason = volatileReason(ref);
  if (reason !== undefined && !options.strict) return { class: 'volatile', reason };
  return { class: 'mismatch', reason: reason === undefined ? 'value differs' : `value differs (${reason}; counted because of --strict)` };
}

export function fieldDifferences(registers: RegisterDatabase, ref: RegisterRef | undefined, expected: number,
  actual: number): FieldDifference[] {
  if (ref === undefined) return [];
  return registers.diffFields(ref, expected, actual).map((diff) => ({ field: diff.field.name, expected: diff.expected, actual: diff.actual }));
}
