import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Collection, Db, MongoServerError } from 'mongodb';
import { insertIgnoringDuplicates, PROJECTOR_DB } from '../platform/mongo.providers';
import { StagedRecord } from './staged-records';

export type StagingDoc = StagedRecord & {
  _id: string;
  orgId: string;
  syncId: string;
  part?: number;
};

/** Staged records kept in memory across all open syncs (about 0.5 KB each). */
const CACHE_LIMIT = 400_000;

/**
 * Pages of syncs that have not completed yet (or were just materialized), one
 * collection per sync (`sync_staging_<hash of org and sync>`): reading a sync
 * back touches only its own records, and dropping it is one cheap command
 * instead of a delete that FerretDB would run as a scan of every open sync.
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
  private cached = 0;

  /** Records kept in memory at most (tests lower it). */
  cacheLimit = CACHE_LIMIT;

  constructor(@Inject(PROJECTOR_DB) private readonly db: Db) {}

  /** Called on the sync's start event: every later page of it will pass through here. */
  beginCache(orgId: string, syncId: string): void {
    const key = `${orgId}\u0000${syncId}`;
    this.forget(key);
    this.cache.set(key, new Map());
  }

  /** Partitions may have moved: another instance may have staged pages we did not see. */
  clearCache(): void {
    this.cache.clear();
    this.cached = 0;
  }

  private forget(key: string): void {
    this.cached -= this.cache.get(key)?.size ?? 0;
    this.cache.delete(key);
  }

  collectionOf(orgId: string, syncId: string): Collection<StagingDoc> {
    const hash = createHash('sha256').update(`${orgId}\u0000${syncId}`).digest('hex');
    return this.db.collection<StagingDoc>(`sync_staging_${hash.slice(0, 32)}`);
  }

  /** Idempotent: a record's id is its position in the sync, so a redelivered page is a duplicate key. */
  async stage(orgId: string, syncId: string, records: StagedRecord[]): Promise<void> {
    if (records.length === 0) return;
    const docs = records.map((record) => {
      const part = 'part' in record ? `|${record.part}` : '';
      return {
        ...record,
        _id: `${orgId}|${syncId}|${record.kind}|${record.entityId}${part}`,
        orgId,
        syncId,
      } as StagingDoc;
    });
    await insertIgnoringDuplicates(this.collectionOf(orgId, syncId), docs);
    const key = `${orgId}\u0000${syncId}`;
    const entry = this.cache.get(key);
    if (!entry) return;
    for (const doc of docs) {
      if (!entry.has(doc._id)) this.cached += 1;
      entry.set(doc._id, doc);
    }
    if (this.cached > this.cacheLimit) this.forget(key);
  }

  /** Every staged record of one sync, in one query (FerretDB scans the collection per query). */
  findAll(orgId: string, syncId: string): AsyncIterable<StagingDoc> | Iterable<StagingDoc> {
    const entry = this.cache.get(`${orgId}\u0000${syncId}`);
    if (entry) return entry.values();
    return this.collectionOf(orgId, syncId).find({ orgId, syncId });
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
        kind: 'sweep' as const,
        entityId: `${collection}|${doc._id}`,
        data: { collection, doc },
      })),
    );
  }

  async drop(orgId: string, syncId: string): Promise<void> {
    this.forget(`${orgId}\u0000${syncId}`);
    try {
      await this.collectionOf(orgId, syncId).drop();
    } catch (error) {
      // Dropped already (a redelivered completion or failure): nothing staged is left.
      if (!(error instanceof MongoServerError && error.code === 26)) throw error;
    }
  }
}
