import { createHash } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { Collection, Db, MongoServerError } from 'mongodb';
import { insertIgnoringDuplicates, PROJECTOR_DB } from '../platform/mongo.providers';
import type { DirectoryChange } from './directory-changes';
import { FOLD_MODE, FoldMode } from './fold-mode';
import type { OktaAppDocument } from './okta-app.document';
import type { OktaGroupDocument } from './okta-group.document';
import type { OktaUserDocument } from './okta-user.document';
import { StagedRecord } from './staged-records';

/** What one event of a sync left: its records, keyed by the event's position in the sync. */
export interface StagedPage {
  key: string;
  /** Order of the page in the sync (the event's seq): records are read back in this order. */
  seq: number;
  records: StagedRecord[];
}

export type StagingDoc = {
  /** `<orgId>|<syncId>|<key>`: unique in the one staging collection. */
  _id: string;
  orgId: string;
  syncId: string;
  /** The page's key in its sync (`page|<seq>`, `sweep|…`, `base|…`, `changes|…`). */
  key: string;
  seq: number;
  records: StagedRecord[];
};

/** Every open sync's staged pages, the org and sync in each document. */
export const IDENTITY_STAGING = 'identity_staging';

/** The page's key: documents of the legacy per-sync collections have none (their _id was it). */
const keyOf = (doc: { _id: string; key?: string }): string => doc.key ?? doc._id;

/** Position of a page whose event carried no seq: read back last, counts for no seq. */
const NO_SEQ = Number.MAX_SAFE_INTEGER - 1;
/** Position of the sweep's removed versions: after every page. */
const SWEEP_SEQ = Number.MAX_SAFE_INTEGER;
/** Position of an incremental sync's staged base documents (never counted as an event's seq). */
const BASE_SEQ = NO_SEQ - 1;
/** Base documents per staged page. */
const BASE_DOCS_PER_PAGE = 500;
/** Position of a sync's staged changes (never counted as an event's seq). */
const CHANGES_SEQ = BASE_SEQ - 1;
/** Changes per staged page (a change is about 100 bytes). */
const CHANGES_PER_PAGE = 2_000;

/**
 * The page one event of a sync leaves, keyed by its position so a redelivered
 * event is the same page. Events that carry no records (the start, progress,
 * an empty page) still leave one: the completion checks every seq arrived.
 */
export function pageOfEvent(
  event: { seq?: number | undefined; eventId: string },
  records: StagedRecord[],
): StagedPage {
  return { key: `page|${event.seq ?? event.eventId}`, seq: event.seq ?? NO_SEQ, records };
}

/** The seq of the event a staged page came from, or null (sweep pages, events without seq). */
export function eventSeqOf(page: StagingDoc): number | null {
  return keyOf(page).startsWith('page|') && page.seq < NO_SEQ ? page.seq : null;
}

/** Staged records kept in memory across all open syncs (about 0.5 KB each). */
const CACHE_LIMIT = 400_000;
/** A page holds up to a few hundred records: keep each insert command small. */
const PAGES_PER_INSERT = 20;

/**
 * Pages of syncs that have not completed yet (or were just materialized), in
 * one collection (`identity_staging`, indexed by org and sync): reading a
 * sync back and deleting it once applied are one query each on that index.
 *
 * Until 2026-12 each sync had a collection of its own
 * (`sync_staging_<hash of org and sync>`), because FerretDB's SQLite backend
 * scanned every open sync's pages for any filter but `_id`. That cost a
 * collection created and dropped per sync, which MongoDB counts as catalog
 * changes, and on FerretDB's PostgreSQL backend (with an index that serves
 * the filter) it no longer paid: see docs/infrastructure.md, FerretDB differences. A sync
 * staged by the previous version is still read from, and dropped with, its
 * own collection.
 */
@Injectable()
export class StagingRepository {
  /**
   * The records of syncs this process has staged since their start event, so
   * a completion reads them from memory instead of scanning them back. Only a
   * sync whose every page went through this process qualifies: the cache is
   * forgotten when partitions move (any group join) and beyond a size cap,
   * and then the database copy is read. The database copy is always written.
   */
  private readonly cache = new Map<string, Map<string, StagingDoc>>();
  /** Records (not pages) in the cache. */
  private cached = 0;

  /** Records kept in memory at most (tests lower it). */
  cacheLimit = CACHE_LIMIT;

  /** Replay: pages live in memory only (see FoldMode), never beyond the cache, never dropped by size. */
  private readonly memoryOnly: boolean;

  constructor(
    @Inject(PROJECTOR_DB) private readonly db: Db,
    @Optional() @Inject(FOLD_MODE) mode?: FoldMode,
  ) {
    this.memoryOnly = mode?.replay ?? false;
  }

  /** Called on the sync's start event: every later page of it will pass through here. */
  beginCache(orgId: string, syncId: string): void {
    const key = `${orgId}\u0000${syncId}`;
    this.forget(key);
    this.cache.set(key, new Map());
  }

  /** Whether a completion of this sync would be read from memory. */
  isCached(orgId: string, syncId: string): boolean {
    return this.cache.has(`${orgId}\u0000${syncId}`);
  }

  /** Partitions may have moved: another instance may have staged pages we did not see. */
  clearCache(): void {
    if (this.memoryOnly) return; // the replay's single consumer keeps every partition
    this.cache.clear();
    this.cached = 0;
  }

  private forget(key: string): void {
    this.cached -= this.cache.get(key)?.size ?? 0;
    this.cache.delete(key);
  }

  private get staging(): Collection<StagingDoc> {
    return this.db.collection<StagingDoc>(IDENTITY_STAGING);
  }

  async ensureIndexes(): Promise<void> {
    await this.staging.createIndex({ orgId: 1, syncId: 1 });
  }

  /** The previous version's collection of one sync (read and dropped, never written). */
  legacyCollectionOf(orgId: string, syncId: string): Collection<StagingDoc> {
    const hash = createHash('sha256').update(`${orgId}\u0000${syncId}`).digest('hex');
    return this.db.collection<StagingDoc>(`sync_staging_${hash.slice(0, 32)}`);
  }

  /**
   * Idempotent: a page's id is its event's position in the sync, so a
   * redelivered page is a duplicate key. One document per page, not per
   * entity: FerretDB's cost is per document.
   */
  async stage(orgId: string, syncId: string, pages: StagedPage[]): Promise<void> {
    if (pages.length === 0) return;
    const docs = pages.map((page): StagingDoc => ({
      _id: `${orgId}|${syncId}|${page.key}`,
      orgId,
      syncId,
      key: page.key,
      seq: page.seq,
      records: page.records,
    }));
    const key = `${orgId}\u0000${syncId}`;
    if (this.memoryOnly && !this.cache.has(key)) this.cache.set(key, new Map());
    else if (!this.memoryOnly) await insertIgnoringDuplicates(this.staging, docs, PAGES_PER_INSERT);
    const entry = this.cache.get(key);
    if (!entry) return;
    for (const doc of docs) {
      if (entry.has(doc.key)) continue;
      entry.set(doc.key, doc);
      this.cached += doc.records.length;
    }
    if (this.cached > this.cacheLimit && !this.memoryOnly) this.forget(key);
  }

  /** Forgets the in-memory copy of a sync folded into a run (its database copy stays until the run is written). */
  uncache(orgId: string, syncId: string): void {
    if (!this.memoryOnly) this.forget(`${orgId}\u0000${syncId}`);
  }

  /**
   * Every staged page of one sync in page order (the same order from memory
   * and from the database, so either gives the same read models), read once:
   * the caller takes both the records and the seqs from it.
   */
  async findPages(orgId: string, syncId: string): Promise<StagingDoc[]> {
    const entry = this.cache.get(`${orgId}\u0000${syncId}`);
    const docs = entry
      ? [...entry.values()]
      : this.memoryOnly
        ? []
        : [
            ...new Map(
              [
                // a sync begun before the upgrade may have pages in both: one per key
                ...(await this.legacyCollectionOf(orgId, syncId).find({ orgId, syncId }).toArray()),
                ...(await this.staging.find({ orgId, syncId }).toArray()),
              ].map((doc) => [keyOf(doc), doc]),
            ).values(),
          ];
    const byKey = (a: StagingDoc, b: StagingDoc) => {
      const [x, y] = [keyOf(a), keyOf(b)];
      return x < y ? -1 : x > y ? 1 : 0;
    };
    return docs.sort((a, b) => a.seq - b.seq || byKey(a, b));
  }

  /** The removed versions of read-model documents, kept until the sync is applied (crash safety). */
  async stageSweep(
    orgId: string,
    syncId: string,
    collection: string,
    docs: Array<{ _id: string } & Record<string, unknown>>,
  ): Promise<void> {
    await this.stage(
      orgId,
      syncId,
      docs.map((doc) => ({
        key: `sweep|${collection}|${doc._id}`,
        seq: SWEEP_SEQ,
        records: [
          {
            kind: 'sweep' as const,
            entityId: `${collection}|${doc._id}`,
            data: { collection, doc },
          },
        ],
      })),
    );
  }

  /**
   * The documents an incremental sync is applied to, in pages of a fixed
   * size in `_id` order, then the mark that all were staged. Staged before
   * the sync's first write: staged again after a crash before the mark, the
   * same documents give the same pages (duplicates, ignored).
   */
  async stageBase(
    orgId: string,
    syncId: string,
    base: { users: OktaUserDocument[]; groups: OktaGroupDocument[]; apps: OktaAppDocument[] },
  ): Promise<void> {
    const pages: StagedPage[] = [];
    const paged = <D extends { _id: string }>(
      name: string,
      docs: D[],
      record: (d: D) => StagedRecord,
    ) => {
      const sorted = [...docs].sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
      for (let i = 0; i < sorted.length; i += BASE_DOCS_PER_PAGE)
        pages.push({
          key: `base|${name}|${i / BASE_DOCS_PER_PAGE}`,
          seq: BASE_SEQ,
          records: sorted.slice(i, i + BASE_DOCS_PER_PAGE).map(record),
        });
    };
    paged('users', base.users, (d) => ({ kind: 'baseUser', entityId: d._id, data: d }));
    paged('groups', base.groups, (d) => ({ kind: 'baseGroup', entityId: d._id, data: d }));
    paged('apps', base.apps, (d) => ({ kind: 'baseApp', entityId: d._id, data: d }));
    await this.stage(orgId, syncId, pages);
    const counts = { users: base.users.length, groups: base.groups.length, apps: base.apps.length };
    await this.stage(orgId, syncId, [
      {
        key: 'base|complete',
        seq: BASE_SEQ,
        records: [{ kind: 'baseComplete', entityId: 'base', data: counts }],
      },
    ]);
  }

  /**
   * The sync's changes (`okta.changes.v1`), in pages of a fixed size, then
   * the mark that all were staged. Staged before the sync's first write:
   * staged again after a crash before the mark, the same changes give the
   * same pages (duplicates, ignored).
   */
  async stageChanges(orgId: string, syncId: string, changes: DirectoryChange[]): Promise<void> {
    const pages: StagedPage[] = [];
    for (let i = 0; i < changes.length; i += CHANGES_PER_PAGE) {
      const key = `changes|${i / CHANGES_PER_PAGE}`;
      const part = changes.slice(i, i + CHANGES_PER_PAGE);
      pages.push({
        key,
        seq: CHANGES_SEQ,
        records: [{ kind: 'changes', entityId: key, data: { changes: part } }],
      });
    }
    await this.stage(orgId, syncId, pages);
    await this.stage(orgId, syncId, [
      {
        key: 'changes|complete',
        seq: CHANGES_SEQ,
        records: [
          { kind: 'changesComplete', entityId: 'changes', data: { count: changes.length } },
        ],
      },
    ]);
  }

  async drop(orgId: string, syncId: string): Promise<void> {
    this.forget(`${orgId}\u0000${syncId}`);
    if (this.memoryOnly) return;
    await this.staging.deleteMany({ orgId, syncId });
    try {
      await this.legacyCollectionOf(orgId, syncId).drop();
    } catch (error) {
      // Dropped already (a redelivered completion or failure): nothing staged is left.
      if (!(error instanceof MongoServerError && error.code === 26)) throw error;
    }
  }
}
