import type { SyncMode } from '@regentra/contracts';
import type { FoldedSyncRef } from './org-fold';
import { incompleteReason, missingRanges } from './sync-completeness';

export { startsNewHistory } from './evidence-history';

/**
 * Pure: what the projection does with an `IdentitySyncCompleted`, decided
 * from what it knows of the sync, the org's last applied sync and the pages
 * staged for it. No Mongo, no Kafka, no clock: the projection reads, asks
 * this, and then does what the verdict says (IdentityProjection.complete).
 * Checked in this order, the first that holds decides:
 *
 * 1. `ignored`: another outcome event (a Failed, or another Completed) decided the sync first.
 * 2. `incomplete` (again): this very completion was judged incomplete before and is redelivered.
 * 3. `already-applied`: the read models reflect it (redelivered), or a replay folded it already.
 * 4. `incomplete`: an incremental sync whose base is not the last applied sync, or that
 *    read another Okta org than it (a new evidence history begins with a full sync).
 * 5. `superseded`: the sync started before the last applied one: recorded, never rolls back.
 * 6. `incomplete`: a page never arrived (a lost page would be swept as removed).
 * 7. `apply`: folded into its partition's run (OrgFold), the only way a sync is written.
 */
export interface CompletionGiven {
  /** The completion's event id (the one event that may decide, or repeat, the sync). */
  eventId: string;
  mode: SyncMode;
  /** An incremental sync's base; null for a full one (or one published without it). */
  basis: { baseSyncId: string } | null;
  /** The highest seq of the sync's events before the completion. */
  lastSeq: number;
  /** What the projection recorded of this sync (from its bracket events), or null. */
  known: {
    state: 'running' | 'completed' | 'failed';
    startedAt: string | null;
    failureReason: string | null;
    materialized: 'applied' | 'superseded' | null;
    decidedBy: string | null;
  } | null;
  /** The org's last applied sync: the open run's last, else the collection's; null for the first. */
  latest: FoldedSyncRef | null;
  /** The partition's open run already holds this sync (a replay's batch delivered again). */
  inRun: boolean;
  /** Seqs of the sync's staged pages. */
  stagedSeqs: Iterable<number>;
  /** The sync read another Okta org than `latest`: it starts a new evidence history. */
  newHistory?: boolean;
}

export type CompletionVerdict =
  | { kind: 'ignored' }
  | { kind: 'incomplete'; reason: string; again: boolean }
  | { kind: 'already-applied' }
  | { kind: 'superseded'; newer: string }
  | { kind: 'apply' };

export function judgeCompletion(given: CompletionGiven): CompletionVerdict {
  const { known, latest } = given;
  if (decidedByAnother(known, given.eventId)) return { kind: 'ignored' };
  if (known?.state === 'failed')
    return { kind: 'incomplete', reason: known.failureReason ?? '', again: true };
  if (known?.materialized || given.inRun) return { kind: 'already-applied' };
  if (given.mode === 'incremental' && given.newHistory)
    return {
      kind: 'incomplete',
      reason: `incomplete: incremental sync of another Okta org than the last applied sync (${latest?.syncId ?? 'none'})`,
      again: false,
    };
  if (given.mode === 'incremental') {
    const reason = baseMismatchReason(given.basis, latest?.syncId ?? null);
    if (reason) return { kind: 'incomplete', reason, again: false };
  }
  if (latest?.startedAt && known?.startedAt && latest.startedAt > known.startedAt)
    return { kind: 'superseded', newer: latest.syncId };
  const missing = incompleteReason(missingRanges(given.stagedSeqs, given.lastSeq), given.lastSeq);
  if (missing) return { kind: 'incomplete', reason: missing, again: false };
  return { kind: 'apply' };
}

/**
 * The sync's outcome is decided (failed, or applied or superseded), and not
 * by `eventId`: that one, redelivered, is repeated. A legacy document without
 * `decidedBy` was decided by some other event.
 */
export function decidedByAnother(
  known: Pick<NonNullable<CompletionGiven['known']>, 'state' | 'materialized' | 'decidedBy'> | null,
  eventId: string,
): boolean {
  if (!known || (known.state !== 'failed' && !known.materialized)) return false;
  return (known.decidedBy ?? null) !== eventId;
}

/** The reason an incremental completion cannot be applied on the org's state, or null. */
export function baseMismatchReason(
  basis: { baseSyncId: string } | null,
  latestApplied: string | null,
): string | null {
  if (!basis) return 'incomplete: incremental sync without a base sync';
  if (basis.baseSyncId === latestApplied) return null;
  return `incomplete: base sync ${basis.baseSyncId} is not the last applied sync (${latestApplied ?? 'none'})`;
}
