import { CONTROL_IDS, CONTROLS, EvidenceByControl } from './controls.registry';
import { evidenceContext } from './evidence-context';
import type { OrgState } from './org-state';

export type { EvidenceByControl };

/**
 * Evidence of every registered control for one org at the end of a completed
 * sync. Pure: the same state (in any order) gives deep-equal evidence; windows
 * run from `state.asOf`, never from the clock.
 */
export function computeEvidence(state: OrgState): EvidenceByControl {
  const ctx = evidenceContext(state);
  const evidence: Partial<Record<string, unknown>> = {};
  for (const control of CONTROL_IDS) evidence[control] = CONTROLS[control](ctx);
  return evidence as EvidenceByControl;
}
