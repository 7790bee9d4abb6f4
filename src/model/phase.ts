// Phases of a driver's life in a trace (probe, reset, NVM/PHY identification, ...): pure types
// and names. Recognised by src/analysis/phases.ts; used by replay results and diffs.

export type PhaseKind = 'probe' | 'reset' | 'nvm-phy-id' | 'hw-init' | 'queue-setup' | 'link-up' | 'traffic';

export const PHASE_KINDS: readonly PhaseKind[] = ['probe', 'reset', 'nvm-phy-id', 'hw-init', 'queue-setup', 'link-up', 'traffic'];

export const PHASE_TITLES: Readonly<Record<PhaseKind, string>> = {
  probe: 'Probe',
  reset: 'Reset',
  'nvm-phy-id': 'NVM/PHY identification',
  'hw-init': 'Hardware init (filter tables, flow control, PHY set-up)',
  'queue-setup': 'Queue set-up',
  'link-up': 'Link-up',
  traffic: 'Traffic',
};

/** One stretch of the trace. `endSeq` is exclusive; an empty trace has no phases. */
export interface Phase {
  readonly kind: PhaseKind;
  /** 1-based occurrence of this kind (`reset #2`). */
  readonly occurrence: number;
  /** `reset`, `reset #2`: the name reports use. */
  readonly label: string;
  /** seq of the first access in the phase. */
  readonly startSeq: number;
  readonly endSeq: number;
  readonly firstLine: number;
  readonly lastLine: number;
  /** What started it, for reports: `CTRL write with RST`. */
  readonly cause: string;
}
