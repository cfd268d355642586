import type { DirectoryDocument } from './directory-document';
import type { OktaUserDocument } from './okta-user.document';
import type { DirectoryDocuments, StagedSync } from './org-assembly';

/**
 * Pure: one org's read-model state carried in memory across several of its
 * completed syncs applied in sync order (a replay, or a batch that holds
 * several completions of one org), so that only the last one's documents are
 * written. After each sync it holds what the collections would hold had that
 * sync been written: the current documents (`active`, the sync's own) and
 * the removed versions of every document a sync of the run stopped seeing
 * (`removed`: the document as last seen, marked removed by the first sync
 * that did not see it, exactly as the materializer's sweep marks it). The
 * writer then writes `active` plus `removed` once. No I/O, no clock.
 */
export class OrgFold {
  /** The org's current documents: the last folded sync's (or those the fold began from). */
  active: DirectoryDocuments;
  /** Per collection, by `_id`: documents removed by a sync of this run and not seen since. */
  private readonly removed = new Map<FoldedCollection, Map<string, DirectoryDocument>>(
    FOLDED_COLLECTIONS.map((c) => [c, new Map()]),
  );
  /** Syncs folded, in order. */
  readonly syncIds: string[] = [];

  constructor(
    readonly orgId: string,
    begin: {
      /** The org's current documents when the run begins (none before its first applied sync). */
      active: DirectoryDocuments;
      /** Users the collection already holds marked removed (the evidence lists recent ones). */
      removedUsers: OktaUserDocument[];
      /** The last applied sync before the run, as the projection checks the next one against it. */
      latest: FoldedSyncRef | null;
    },
  ) {
    this.active = begin.active;
    this.priorRemovedUsers = begin.removedUsers;
    this.latest = begin.latest;
  }

  /** The last sync applied (folded, or before the run): incremental syncs must build on it. */
  latest: FoldedSyncRef | null;
  private readonly priorRemovedUsers: OktaUserDocument[];

  has(syncId: string): boolean {
    return this.syncIds.includes(syncId);
  }

  /**
   * Applies a completed sync's assembled documents: every current document
   * the sync did not see becomes its removed version (removed at the sync's
   * completion, by the sync); every document it saw is current again.
   */
  add(sync: FoldedSyncRef & { completedAt: string; documents: DirectoryDocuments }): void {
    const { syncId, completedAt, documents } = sync;
    const oktaOrgId = sync.oktaOrgId ?? this.latest?.oktaOrgId ?? null;
    for (const collection of FOLDED_COLLECTIONS) {
      const removed = this.removed.get(collection) as Map<string, DirectoryDocument>;
      const next = documents[KEY[collection]] as DirectoryDocument[];
      const seen = new Set(next.map((d) => d._id));
      for (const doc of this.active[KEY[collection]] as DirectoryDocument[])
        if (!seen.has(doc._id))
          removed.set(doc._id, {
            ...doc,
            removed: true,
            removedAt: completedAt,
            removedBySyncId: syncId,
          });
      for (const id of seen) removed.delete(id);
    }
    this.active = documents;
    this.latest = { syncId, startedAt: sync.startedAt, ...(oktaOrgId ? { oktaOrgId } : {}) };
    this.syncIds.push(syncId);
  }

  /**
   * Takes back removed versions staged by an earlier attempt at the sync
   * being folded (the materializer's sweep records): a completion repeated
   * after a crash in its writes cannot read them from the collections.
   */
  restoreRemoved(sweep: StagedSync['sweep']): void {
    for (const { collection, doc } of sweep.values()) {
      const removed = this.removed.get(collection as FoldedCollection);
      if (removed) removed.set(doc._id, doc as unknown as DirectoryDocument);
    }
  }

  /**
   * The users the collection would hold marked removed at or after `since`
   * (what the provisioning evidence reads): those removed before the run and
   * not seen again, and those removed during it.
   */
  removedUsersSince(since: string): OktaUserDocument[] {
    const removed = this.removed.get('okta_users') as Map<string, OktaUserDocument>;
    const current = new Set(this.active.users.map((u) => u._id));
    const prior = this.priorRemovedUsers.filter((u) => !current.has(u._id) && !removed.has(u._id));
    return [...prior, ...removed.values()].filter(
      (u) => u.removedAt !== null && u.removedAt >= since,
    );
  }

  /**
   * The removed versions to write with the last sync, as the materializer's
   * staged sweep (it writes them in place of whatever the collection holds).
   */
  sweep(): StagedSync['sweep'] {
    const sweep: StagedSync['sweep'] = new Map();
    for (const [collection, docs] of this.removed)
      for (const doc of docs.values())
        sweep.set(`${collection}|${doc._id}`, {
          collection,
          doc: doc as unknown as { _id: string } & Record<string, unknown>,
        });
    return sweep;
  }

  /** Removed versions per collection (staged before the last sync's writes, for crash safety). */
  removedOf(collection: FoldedCollection): DirectoryDocument[] {
    return [...(this.removed.get(collection)?.values() ?? [])];
  }
}

/** A sync as the projection checks the next one against it. */
export interface FoldedSyncRef {
  syncId: string;
  startedAt: string | null;
  /** The Okta org it read (its evidence history); null or absent when unknown. */
  oktaOrgId?: string | null;
}

/** The directory collections (their names as DirectoryStore has them). */
export type FoldedCollection = 'okta_users' | 'okta_groups' | 'okta_apps';
export const FOLDED_COLLECTIONS: FoldedCollection[] = ['okta_users', 'okta_groups', 'okta_apps'];
const KEY: Record<FoldedCollection, keyof DirectoryDocuments> = {
  okta_users: 'users',
  okta_groups: 'groups',
  okta_apps: 'apps',
};
