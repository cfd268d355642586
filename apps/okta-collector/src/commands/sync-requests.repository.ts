import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Collection, Db, MongoServerError } from 'mongodb';
import { SyncRequested, SyncScope } from '@regentra/contracts';
import { COLLECTOR_DB } from '../platform/mongo.providers';

export type SyncRequestState = 'queued' | 'running' | 'done' | 'satisfied' | 'skipped' | 'failed';

/** The collector's inbox of sync requests: one document per requestId (the dedupe key). */
export interface SyncRequestDoc {
  _id: string; // requestId
  orgId: string;
  scope: SyncScope;
  requestedAt: Date;
  requestedBy: string;
  receivedAt: Date;
  state: SyncRequestState;
  /** Per scope part still to run (an "all" request runs identity then system-log). */
  pending: Array<'identity' | 'system-log'>;
  updatedAt: Date;
  syncIds?: string[];
  note?: string;
}

@Injectable()
export class SyncRequestsRepository implements OnModuleInit {
  readonly collection: Collection<SyncRequestDoc>;

  constructor(@Inject(COLLECTOR_DB) db: Db) {
    this.collection = db.collection<SyncRequestDoc>('sync_requests');
  }

  async onModuleInit(): Promise<void> {
    await this.collection.createIndex({ orgId: 1, state: 1, requestedAt: 1 });
  }

  /**
   * Records a command once: a redelivered or duplicate requestId (several
   * collector instances firing the same schedule slot) is a no-op.
   * @returns true when this call inserted it.
   */
  async enqueue(command: SyncRequested, now: Date): Promise<boolean> {
    const pending: SyncRequestDoc['pending'] =
      command.payload.scope === 'all' ? ['identity', 'system-log'] : [command.payload.scope];
    try {
      const result = await this.collection.updateOne(
        { _id: command.payload.requestId },
        {
          $setOnInsert: {
            orgId: command.orgId,
            scope: command.payload.scope,
            requestedAt: new Date(command.payload.requestedAt),
            requestedBy: command.payload.requestedBy,
            receivedAt: now,
            state: 'queued',
            pending,
            updatedAt: now,
          },
        },
        { upsert: true },
      );
      return result.upsertedCount === 1;
    } catch (error) {
      // Concurrent upserts of one _id may race to E11000: the other writer won.
      if (error instanceof MongoServerError && error.code === 11000) return false;
      throw error;
    }
  }

  findById(requestId: string): Promise<SyncRequestDoc | null> {
    return this.collection.findOne({ _id: requestId });
  }
}
