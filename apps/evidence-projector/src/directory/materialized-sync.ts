import type { SyncProvenance } from '@regentra/contracts';
import type { DirectoryChange } from './directory-changes';
import type { OktaUserDocument } from './okta-user.document';
import type { DirectoryDocuments } from './org-assembly';

/** What an applied sync changed since the sync applied before it. */
export interface SyncChanges {
  previousSyncId: string;
  /** When the previous sync started (null if unknown): explanations are looked for from a little before it. */
  previousStartedAt: string | null;
  /** In publishing order (`compareChanges`). */
  items: DirectoryChange[];
}

/** A completed sync whose documents were just written, before it is marked applied. */
export interface MaterializedSync {
  orgId: string;
  syncId: string;
  completedAt: string;
  coverage: Record<string, { read: number; failed: number }>;
  /** Where its data came from (IdentitySyncCompleted v3); null when published without it. */
  provenance: SyncProvenance | null;
  /** The Okta org it read: its evidence history (docs/read-models.md); null when unknown. */
  oktaOrgId: string | null;
  documents: DirectoryDocuments;
  /**
   * Its changes, measured against the state before it was written; null when
   * there is nothing to publish: the org's first applied sync (a baseline),
   * or changes are not measured (MEASURE_CHANGES off).
   */
  changes: SyncChanges | null;
  /**
   * What is written of it now: `snapshot` when it is folded into its run
   * (its snapshots and change events, on the state it left), `current` once
   * it is the run's last and its read models are written (the current
   * evidence; its snapshots went out when it was folded).
   */
  writes: 'snapshot' | 'current';
  /** The users marked removed as the collection holds them after it (the fold knows them). */
  removedUsers: (since: string) => OktaUserDocument[];
  /**
   * A replay's folded sync: its evidence and change events are computed now,
   * their writes handed to `defer`, which runs them in order behind the
   * consumer.
   */
  defer?: (write: () => Promise<void>) => void;
}

/**
 * Called once a completed sync's documents are written and before the sync is
 * recorded as applied, so a crash in between repeats it on redelivery.
 */
export type AfterMaterialized = (sync: MaterializedSync) => Promise<void>;
