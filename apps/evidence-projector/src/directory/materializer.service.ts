import { Inject, Injectable } from '@nestjs/common';
import { Collection, Document } from 'mongodb';
import { failpoint } from '../platform/failpoints';
import { PROJECTOR_METRICS, ProjectorMetrics, timePhase } from '../platform/metrics';
import { insertIgnoringDuplicates } from '../platform/mongo.providers';
import { compareChanges, DirectoryChange } from './directory-changes';
import type { DirectoryDocument } from './directory-document';
import { DirectoryStore } from './directory.store';
import { addStagedRecord, DirectoryDocuments, emptyStagedSync, StagedSync } from './org-assembly';
import { eventSeqOf, StagingRepository } from './staging.repository';

/** A sync's staged pages, read once. */
export interface LoadedSync {
  staged: StagedSync;
  /** Seqs of the events whose pages were staged (what the completeness check reads). */
  seqs: number[];
}

/**
 * Turns one completed sync's staged pages into the ★ read models
 * (`okta_users`, `okta_groups`, `okta_apps`) and sweeps what that sync did not
 * see (marked removed, with when). Deterministic: every timestamp comes from
 * the events, so a replay writes identical documents. The documents come from
 * the pure assembly (org-assembly.ts); this class reads the staged records and
 * does the writes.
 */
@Injectable()
export class MaterializerService {
  constructor(
    private readonly store: DirectoryStore,
    private readonly staging: StagingRepository,
    @Inject(PROJECTOR_METRICS) private readonly metrics: ProjectorMetrics,
  ) {}

  async ensureIndexes(): Promise<void> {
    await this.store.ensureIndexes();
    await this.staging.ensureIndexes();
  }

  /**
   * One pass over the sync's staged pages (FerretDB scans the collection per
   * query): the records, indexed for assembly, and the seqs of the events
   * they came from, so the caller can check every page arrived before writing.
   */
  loadStaged(orgId: string, syncId: string): Promise<LoadedSync> {
    return timePhase(this.metrics, 'assemble', async () => {
      const staged = emptyStagedSync();
      const seqs: number[] = [];
      for (const page of await this.staging.findPages(orgId, syncId)) {
        const seq = eventSeqOf(page);
        if (seq !== null) seqs.push(seq);
        for (const record of page.records) addStagedRecord(staged, record);
      }
      return { staged, seqs };
    });
  }

  /**
   * The org's current (not removed) documents: the state before a full sync
   * is written, read only to measure its changes.
   */
  async currentOf(orgId: string): Promise<DirectoryDocuments> {
    return {
      users: await this.store.usersOf(orgId),
      groups: await this.store.groupsOf(orgId),
      apps: await this.store.appsOf(orgId),
    };
  }

  /** Stages the sync's changes before its first write (see `stagedChangesOf`). */
  stageChanges(orgId: string, syncId: string, changes: DirectoryChange[]): Promise<void> {
    return this.staging.stageChanges(orgId, syncId, changes);
  }

  /** Writes a sync's assembled documents and sweeps what it did not see. */
  async write(
    orgId: string,
    syncId: string,
    staged: StagedSync,
    written: DirectoryDocuments,
    completedAt: string,
    heartbeat: () => Promise<void>,
    options: { newHistory?: boolean } = {},
  ): Promise<void> {
    await heartbeat();
    // From here until writeEnded the documents are half replaced: evidence is not computed
    // from them (docs/read-models.md, Directory heads). A crash leaves `writing` set.
    await this.store.writeBegan(orgId, syncId, completedAt);
    // A new evidence history (another Okta org): the old org's documents go, so nothing of
    // them is swept into, or read back by, the new one. Its evidence stays in the snapshots.
    if (options.newHistory) await this.store.forgetOrg(orgId);
    const sweep = { orgId, syncId, completedAt, staged: staged.sweep, heartbeat };
    await timePhase(this.metrics, 'write_users', () =>
      this.writeGeneration(this.store.users, sweep, written.users),
    );
    await timePhase(this.metrics, 'write_groups_apps', async () => {
      await this.writeGeneration(this.store.groups, sweep, written.groups);
      await this.writeGeneration(this.store.apps, sweep, written.apps);
    });
    await this.store.writeEnded(orgId, syncId, completedAt);
  }

  /**
   * Makes `docs` the org's current documents in `collection`, and marks
   * removed (the sweep) every current document the sync did not see. Written
   * with deletes and inserts only: on FerretDB 1.24 every updated document
   * costs a scan (measured: updateMany of 1,000 of 10,000 documents, 65 s),
   * while deleting by id and inserting are cheap. Crash-safe: the removed
   * versions are staged before their old documents are deleted, and a
   * redelivered completion writes the same documents again.
   */
  private async writeGeneration<D extends DirectoryDocument>(
    target: Collection<D>,
    sweep: {
      orgId: string;
      syncId: string;
      completedAt: string;
      staged: StagedSync['sweep'];
      heartbeat: () => Promise<void>;
    },
    written: D[],
  ): Promise<void> {
    const { orgId, syncId, completedAt } = sweep;
    // Removed versions come back from staging untyped: the writes below treat every document alike.
    const collection = target as unknown as Collection<Document & { _id: string }>;
    const docs = written as Array<Document & { _id: string }>;
    const existing = await collection
      .find({ orgId }, { projection: { _id: 1, removed: 1 } })
      .toArray();
    const seen = new Set(docs.map((d) => d._id));
    const present = new Set(existing.map((e) => String(e._id)));
    const unseenIds = existing
      .filter((e) => e.removed === false && !seen.has(String(e._id)))
      .map((e) => String(e._id));
    const removedVersions: Array<{ _id: string } & Document> = [];
    for (const record of sweep.staged.values())
      if (record.collection === collection.collectionName && !seen.has(record.doc._id)) {
        removedVersions.push(record.doc);
        present.add(record.doc._id); // may or may not still exist: delete-then-insert covers both
      }
    const alreadyStaged = new Set(removedVersions.map((d) => d._id));
    const toFetch = unseenIds.filter((id) => !alreadyStaged.has(id));
    for (let i = 0; i < toFetch.length; i += DELETE_CHUNK) {
      const old = await collection
        .find({ _id: { $in: toFetch.slice(i, i + DELETE_CHUNK) } } as Document)
        .toArray();
      const marked = old.map((d) => ({
        ...d,
        _id: String(d._id),
        removed: true,
        removedAt: completedAt,
        removedBySyncId: syncId,
      }));
      await this.staging.stageSweep(orgId, syncId, collection.collectionName, marked);
      removedVersions.push(...marked);
    }
    // Sorted the way the server compares strings (bytes), so each chunk is an id range.
    const replace = [...docs.filter((d) => present.has(d._id)), ...removedVersions].sort((a, b) =>
      Buffer.compare(Buffer.from(a._id), Buffer.from(b._id)),
    );
    const fresh = docs.filter((d) => !present.has(d._id));
    const active = new Set(existing.filter((e) => e.removed === false).map((e) => String(e._id)));
    for (let i = 0; i < replace.length; i += DELETE_CHUNK) {
      const part = replace.slice(i, i + DELETE_CHUNK);
      // Every active document of the org is in `replace` (seen, or swept above), so the
      // active ones in this chunk's id range are exactly this chunk's: a range delete is
      // exact and, on FerretDB, far cheaper than a long $in. Inactive ones go by id.
      await collection.deleteMany({
        orgId,
        removed: false,
        _id: { $gte: part[0]!._id, $lte: part[part.length - 1]!._id },
      });
      const inactive = part.filter((d) => !active.has(d._id)).map((d) => d._id);
      if (inactive.length) await collection.deleteMany({ _id: { $in: inactive } });
      // The fault suite's and the specs' crash point: this chunk deleted, not yet reinserted.
      await failpoint('directory.betweenDeleteAndInsert');
      await insertIgnoringDuplicates(collection, part);
      await sweep.heartbeat();
    }
    await insertIgnoringDuplicates(collection, fresh);
  }
}

/**
 * The base documents staged with an incremental sync before its first write
 * (FoldedRuns.close), or null when they were not all staged.
 */
export function stagedBaseOf(
  orgId: string,
  syncId: string,
  staged: StagedSync,
): DirectoryDocuments | null {
  const { base } = staged;
  if (!base.counts) return null;
  const docs = {
    users: [...base.users.values()],
    groups: [...base.groups.values()],
    apps: [...base.apps.values()],
  };
  const { counts } = base;
  if (
    docs.users.length !== counts.users ||
    docs.groups.length !== counts.groups ||
    docs.apps.length !== counts.apps
  )
    throw new Error(`staged base of ${orgId} ${syncId} lost documents`);
  return docs;
}

/**
 * The changes staged with a sync (in publishing order), or null when they
 * were not all staged (none yet, or a crash before the mark).
 */
export function stagedChangesOf(staged: StagedSync): DirectoryChange[] | null {
  const { pages, count } = staged.changes;
  if (count === null) return null;
  const changes = [...pages.values()].flat().sort(compareChanges);
  if (changes.length !== count)
    throw new Error(`staged changes lost: ${changes.length} of ${count}`);
  return changes;
}

/** Documents per delete: FerretDB pays one collection scan per delete command. */
const DELETE_CHUNK = 5_000;
