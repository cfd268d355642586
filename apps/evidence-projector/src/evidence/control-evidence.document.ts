import type { ControlEvidence } from './rules/control-evidence.types';
import type { ControlId } from './rules/controls.registry';

/** ★ A `control_evidence` document: the current evidence of one org × control. */
export interface ControlEvidenceDocument extends ControlEvidence<ControlId> {
  /** `${orgId}|${control}` */
  _id: string;
  /** `published` of the newest System Log fact the evidence saw, null when none. */
  logsThrough: string | null;
  projectedAt: Date;
}

/** ★ An `evidence_snapshots` document: immutable evidence of one org × control at a completed sync. */
export interface EvidenceSnapshotDocument {
  /** `${orgId}|${control}|${syncId}` */
  _id: string;
  orgId: string;
  control: ControlId;
  syncId: string;
  asOf: string;
  evidence: ControlEvidence;
  /** `sha256:` of the evidence's canonical JSON. */
  hash: string;
  projectedAt: Date;
}
