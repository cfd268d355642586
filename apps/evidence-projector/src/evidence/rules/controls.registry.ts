import { accessReviewEvidence } from './access-review.evidence';
import { authenticationEvidence } from './authentication.evidence';
import { leastPrivilegeEvidence } from './least-privilege.evidence';
import { provisioningEvidence } from './provisioning.evidence';

/**
 * ★ The controls (docs/design.md), each with its pure rule: a key here is the
 * `control` field of `control_evidence` documents and the `:control` of the
 * read API. A new control is its rule file plus one line here. The order is
 * the order of CONTROL_IDS.
 */
export const CONTROLS = {
  'access-review': accessReviewEvidence,
  provisioning: provisioningEvidence,
  authentication: authenticationEvidence,
  'least-privilege': leastPrivilegeEvidence,
} as const;

export type ControlId = keyof typeof CONTROLS;

/**
 * The version of each control's rule, recorded in every evidence document's
 * provenance (docs/read-models.md, Provenance): bump a control's number when
 * its rule (or a definition in evidence-rules.ts it reads) changes what it
 * computes.
 */
export const RULES_VERSIONS: { readonly [C in ControlId]: number } = {
  'access-review': 1,
  provisioning: 1,
  authentication: 1,
  'least-privilege': 1,
};
export const CONTROL_IDS = Object.keys(CONTROLS) as readonly ControlId[];

/** Every control's evidence, each typed by its rule; assignable to Record<ControlId, ControlEvidence>. */
export type EvidenceByControl = { [C in ControlId]: ReturnType<(typeof CONTROLS)[C]> };
