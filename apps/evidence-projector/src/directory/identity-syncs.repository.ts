import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Collection, Db } from 'mongodb';
import type { IncrementalReads, SyncMode, SyncProvenance } from '@regentra/contracts';
import { PROJECTOR_DB } from '../platform/mongo.providers';

/** What the projector knows of each identity sync (from its bracket events). */
export interface IdentitySyncDoc {
  _id: string; // `${orgId}|${syncId}`
  orgId: string;
  syncId: string;
  requestId: string | null;
  startedAt: string | null;
  state: 'running' | 'completed' | 'failed';
  completedAt: string | null;
  failedAt: string | null;
  failureReason: string | null;
  counts: Record<string, number> | null;
  coverage: Record<string, { read: number; failed: number }> | null;
  /**
   * `full` or `incremental` (from the start or the outcome event); absent on
   * documents written before incremental syncs: read as null (a full sync).
   */
  mode: SyncMode | null;
  /** The sync an incremental sync was applied on top of; null for a full sync. */
  baseSyncId: string | null;
  /** What an incremental sync re-read (from its completion); null otherwise. */
  reads: IncrementalReads | null;
  /** Set once the read models reflect this sync (guards against re-materializing from dropped staging). */
  materialized: 'applied' | 'superseded' | null;
  /**
   * The event that decided the sync's outcome (its Failed, or its Completed,
   * applied or judged incomplete). Any other outcome event of the sync is
   * ignored; this one, redelivered, is repeated. Absent on documents written
   * before it existed: read as null.
   */
  decidedBy: string | null;
  /**
   * Where the sync's data came from (IdentitySyncStarted/Completed v3); null
   * before v3, or when absent from the documents written before it.
   */
  provenance?: SyncProvenance | null;
}

@Injectable()
export class IdentitySyncsRepository implements OnModuleInit {
  readonly collection: Collection<IdentitySyncDoc>;

  constructor(@Inject(PROJECTOR_DB) db: Db) {
    this.collection = db.collection<IdentitySyncDoc>('identity_syncs');
  }

  async onModuleInit(): Promise<void> {
    await this.collection.createIndex({ orgId: 1, startedAt: -1 });
  }

  static id(orgId: string, syncId: string): string {
    return `${orgId}|${syncId}`;
  }

  get(orgId: string, syncId: string): Promise<IdentitySyncDoc | null> {
    return this.collection.findOne({ _id: IdentitySyncsRepository.id(orgId, syncId) });
  }

  async upsert(orgId: string, syncId: string, set: Partial<IdentitySyncDoc>): Promise<void> {
    const base: IdentitySyncDoc = {
      _id: IdentitySyncsRepository.id(orgId, syncId),
      orgId,
      syncId,
      requestId: null,
      startedAt: null,
      state: 'running',
      completedAt: null,
      failedAt: null,
      failureReason: null,
      counts: null,
      coverage: null,
      mode: null,
      baseSyncId: null,
      reads: null,
      materialized: null,
      decidedBy: null,
    };
    const insertOnly = Object.fromEntries(
      Object.entries(base).filter(([key]) => !(key in set) && key !== '_id'),
    );
    await this.collection.updateOne(
      { _id: base._id },
      { $set: set, $setOnInsert: insertOnly },
      { upsert: true },
    );
  }

  /** The newest sync of the org already applied to the read models. */
  latestApplied(orgId: string): Promise<IdentitySyncDoc | null> {
    return this.collection
      .find({ orgId, materialized: 'applied' })
      .sort({ startedAt: -1 })
      .limit(1)
      .next();
  }
}
