import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Collection, Db, MongoServerError } from 'mongodb';
import { IdentityEvent, SystemLogEvent } from '@regentra/contracts';
import { Positioned } from '../consumption/projection-handler';
import { PROJECTOR_DB } from '../platform/mongo.providers';
import { statusUpdateFor } from './integration-status.projection';

export interface IntegrationStatusDoc {
  _id: string; // orgId
  orgId: string;
  [field: string]: unknown;
}

/**
 * Applies status updates conditionally on the Kafka position the document
 * already reflects (per topic), so a redelivered event is a no-op.
 */
@Injectable()
export class IntegrationStatusWriter implements OnModuleInit {
  readonly collection: Collection<IntegrationStatusDoc>;

  constructor(@Inject(PROJECTOR_DB) db: Db) {
    this.collection = db.collection<IntegrationStatusDoc>('integration_status');
  }

  async onModuleInit(): Promise<void> {
    await this.collection.createIndex({ orgId: 1 });
  }

  async apply(
    topic: 'identity' | 'systemLog',
    events: Array<Positioned<IdentityEvent | SystemLogEvent>>,
  ): Promise<void> {
    for (const { message, offset } of events) {
      const update = statusUpdateFor(message);
      if (!update) continue;
      const position = `position.${topic}`;
      const at = Number(offset);
      try {
        await this.collection.updateOne(
          {
            _id: message.orgId,
            $or: [{ [position]: { $lt: at } }, { [position]: { $exists: false } }],
          },
          {
            $set: {
              ...update,
              orgId: message.orgId,
              [position]: at,
              updatedAt: message.occurredAt,
            },
          },
          { upsert: true },
        );
      } catch (error) {
        // The document exists with a newer position: this event was applied already.
        if (error instanceof MongoServerError && error.code === 11000) continue;
        throw error;
      }
    }
  }
}
