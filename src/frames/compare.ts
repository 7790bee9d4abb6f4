// How a frame the target produced differs from the recorded one: its length, the header fields
// that differ (decoded, by name), and the payload by offset. Pure.

import { decodeFrame, type FrameField } from './decode.js';

export interface FrameFieldDifference {
  readonly field: string;
  readonly offset: number;
  readonly expected: number | string;
  readonly actual: number | string;
}

export interface PayloadDifference {
  /** Offset (in the frame) of the first payload byte that differs. */
  readonly firstOffset: number;
  /** Payload bytes that differ, over the length both frames have. */
  readonly bytes: number;
}

export interface FrameDifference {
  readonly expectedLength: number;
  readonly actualLength: number;
  readonly fields: readonly FrameFieldDifference[];
  readonly payload?: PayloadDifference;
}

/** Whether two frames carry the same bytes. */
export function sameFrame(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The differences of two frames; undefined when they are the same. */
export function compareFrames(expected: Uint8Array, actual: Uint8Array): FrameDifference | undefined {
  if (sameFrame(expected, actual)) return undefined;
  const want = decodeFrame(expected);
  const got = decodeFrame(actual);
  const gotByName = new Map<string, FrameField>(got.fields.map((field) => [field.name, field]));
  const fields: FrameFieldDifference[] = [];
  for (const field of want.fields) {
    const other = gotByName.get(field.name);
    const actualValue = other?.value ?? 'absent';
    if (actualValue !== field.value) fields.push({ field: field.name, offset: field.offset, expected: field.value, actual: actualValue });
  }
  for (const field of got.fields) {
    if (!want.fields.some((w) => w.name === field.name)) fields.push({ field: field.name, offset: field.offset, expected: 'absent', actual: field.value });
  }
  const payload = payloadDifference(expected, actual, want.payloadOffset, got.payloadOffset);
  return { expectedLength: expected.length, actualLength: actual.length, fields, ...(payload === undefined ? {} : { payload }) };
}

function payloadDifference(expected: Uint8Array, actual: Uint8Array, wantStart: number, gotStart: number): PayloadDifference | undefined {
  // Payloads are compared where they start in each frame (an inserted tag shifts the whole payload).
  const length = Math.min(expected.length - wantStart, actual.length - gotStart);
  let first = -1;
  let bytes = 0;
  for (let i = 0; i < length; i++) {
    if (expected[wantStart + i] !== actual[gotStart + i]) {
      if (first < 0) first = wantStart + i;
      bytes++;
    }
  }
  const lengthDiffers = expected.length - wantStart !== actual.length - gotStart;
  if (first < 0 && !lengthDiffers) return undefined;
  return { firstOffset: first < 0 ? wantStart + length : first, bytes: bytes + Math.abs((expected.length - wantStart) - (actual.length - gotStart)) };
}

/** One line naming what differs, for reports: `ipv4.checksum 0x1234 → 0x0; payload from byte 54 (3 bytes)`. */
export function describeFrameDifference(diff: FrameDifference): string {
  const parts: string[] = [];
  if (diff.expectedLength !== diff.actualLength) parts.push(`length ${diff.expectedLength} → ${diff.actualLength}`);
  for (const field of diff.fields) parts.push(`${field.field} ${show(field.expected)} → ${show(field.actual)}`);
  if (diff.payload !== undefined) parts.push(`payload from byte ${diff.payload.firstOffset} (${diff.payload.bytes} bytes differ)`);
  return parts.join('; ');
}

function show(value: number | string): string {
  return typeof value === 'number' ? `0x${value.toString(16)}` : value;
}
