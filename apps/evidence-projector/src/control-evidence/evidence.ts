import { accessReviewEvidence, type AccessReviewEvidence } from './access-review.evidence';
import { authenticationEvidence, type AuthenticationEvidence } from './authentication.evidence';
import { evidenceContext } from './evidence-context';
import { leastPrivilegeEvidence, type LeastPrivilegeEvidence } from './least-privilege.evidence';
import type { OrgState } from './org-state';
import { provisioningEvidence, type ProvisioningEvidence } from './provisioning.evidence';

/** The four controls' evidence, each typed; assignable to Record<ControlId, ControlEvidence>. */
export type EvidenceByControl = {
  'access-review': AccessReviewEvidence;
  provisioning: ProvisioningEvidence;
  authentication: AuthenticationEvidence;
  'least-privilege': LeastPrivilegeEvidence;
};

/**
 * Evidence of every control for one org at the end of a completed sync. Pure:
 * the same state (in any order) gives deep-equal evidence; windows run from
 * `state.asOf`, never from the clock.
 */
export function computeEvidence(state: OrgState): EvidenceByControl {
  const ctx = evidenceContext(state);
  return {
    'access-review': accessReviewEvidence(ctx),
    provisioning: provisioningEvidence(ctx),
    authentication: authenticationEvidence(ctx),
    'least-privilege': leastPrivilegeEvidence(ctx),
  };
}
