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

  find<K extends StagedRecord['kind']>(orgId: string, syncId: string, kind: K) {
    return this.collection.find({ orgId, syncId, kind }) as unknown as import('mongodb').FindCursor<
      Extract<StagingDoc, { kind: K }>
    >;
  }

  async findMany<K extends StagedRecord['kind']>(
    orgId: string,
    syncId: string,
    kind: K,
    entityIds: string[],
  ) {
    return (await this.collection
      .find({ orgId, syncId, kind, entityId: { $in: entityIds } })
      .toArray()) as Array<Extract<StagingDoc, { kind: K }>>;
  }

  async drop(orgId: string, syncId: string): Promise<void> {
    await this.collection.deleteMany({ orgId, syncId });
  }
}
