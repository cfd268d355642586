import type { RunPart, SyncRequestMode, SyncScope } from '@regentra/contracts';

export type SyncRequestState = 'queued' | 'running' | 'done' | 'satisfied' | 'skipped' | 'failed';

/** The collector's inbox of sync requests: one document per requestId (the dedupe key). */
export interface SyncRequestDoc {
  _id: string; // requestId
  orgId: string;
  scope: SyncScope;
  requestedAt: Date;
  requestedBy: string;
  /** `full` forces a full identity sync; absent on requests stored before modes existed (auto). */
  mode?: SyncRequestMode;
  receivedAt: Date;
  /**
   * The `okta.commands.v1` partition the command arrived on: the instance
   * owning it runs the request. Absent on requests stored before, and on
   * requests written without Kafka: any instance runs those.
   */
  partition?: number;
  state: SyncRequestState;
  /** Per scope part still to run (an "all" request runs identity then system-log). */
  pending: RunPart[];
  updatedAt: Date;
  syncIds?: string[];
  note?: string;
  /**
   * Who claimed it last: the org lease's holder and fence at the claim. Only
   * that claim may finish or requeue it, so a holder that paused past its
   * lease cannot overwrite what the next holder requeued or ran.
   */
  claim?: RequestClaim;
  /** How many runs of it were abandoned (their collector died); it fails at SYNC_MAX_INTERRUPTIONS. */
  interruptions?: number;
}

/** The lease a claim was made under. */
export interface RequestClaim {
  holder: string;
  fence: number;
}
