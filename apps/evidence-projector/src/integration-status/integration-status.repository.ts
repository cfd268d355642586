import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Collection, Db, MongoServerError } from 'mongodb';
import { PROJECTOR_DB } from '../platform/mongo.providers';
import type { StatusUpdate } from './integration-status.projection';

export const INTEGRATION_STATUS = 'integration_status';

export interface IntegrationStatusDoc {
  _id: string; // orgId
  orgId: string;
  [field: string]: unknown;
}

/** `integration_status` (★), one document per org. */
@Injectable()
export class IntegrationStatusRepository implements OnModuleInit {
  private readonly collection: Collection<IntegrationStatusDoc>;

  constructor(@Inject(PROJECTOR_DB) db: Db) {
    this.collection = db.collection<IntegrationStatusDoc>(INTEGRATION_STATUS);
  }

  async onModuleInit(): Promise<void> {
    await this.collection.createIndex({ orgId: 1 });
  }

  /**
   * Sets `update` unless the document already reflects `at` or a later
   * position of `topic`: a redelivered event is a no-op.
   */
  async applyIfNewer(
    orgId: string,
    topic: 'identity' | 'systemLog',
    at: number,
    occurredAt: string,
    update: StatusUpdate,
  ): Promise<void> {
    const position = `position.${topic}`;
    try {
      await this.collection.updateOne(
        {
          _id: orgId,
          $or: [{ [position]: { $lt: at } }, { [position]: { $exists: false } }],
        },
        {
          $set: {
            ...update,
            orgId,
            [position]: at,
            updatedAt: occurredAt,
          },
        },
        { upsert: true },
      );
    } catch (error) {
      // The document exists with a newer position: this event was applied already.
      if (error instanceof MongoServerError && error.code === 11000) return;
      throw error;
    }
  }
}
