import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Collection, Db } from 'mongodb';
import { insertIgnoringDuplicates, PROJECTOR_DB } from '../platform/mongo.providers';
import { StagedRecord } from './staged-records';

export type StagingDoc = StagedRecord & {
  _id: string;
  orgId: string;
  syncId: string;
  part?: number;
};

/** Pages of syncs that have not completed yet (or were just materialized). */
@Injectable()
export class StagingRepository implements OnModuleInit {
  readonly collection: Collection<StagingDoc>;

  constructor(@Inject(PROJECTOR_DB) db: Db) {
    this.collection = db.collection<StagingDoc>('sync_staging');
  }

  async onModuleInit(): Promise<void> {
    await this.collection.createIndex({ orgId: 1, syncId: 1, kind: 1 });
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
    await insertIgnoringDuplicates(this.collection, docs);
  }

  /** Every staged record of one sync, in one query (FerretDB scans the collection per query). */
  findAll(orgId: string, syncId: string) {
    return this.collection.find({ orgId, syncId });
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
    await this.collection.deleteMany({ orgId, syncId });
  }
}
