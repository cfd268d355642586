import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Collection, Db, MongoServerError } from 'mongodb';
import { PROJECTOR_METRICS, ProjectorMetrics } from '../platform/metrics';
import { PROJECTOR_DB } from '../platform/mongo.providers';
import {
  PROJECTION_FAILED,
  type ProjectedTopicName,
  type ProjectionState,
  type StatusUpdate,
} from './integration-status.projection';

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

  constructor(
    @Inject(PROJECTOR_DB) db: Db,
    @Inject(PROJECTOR_METRICS) private readonly metrics: ProjectorMetrics,
  ) {
    this.collection = db.collection<IntegrationStatusDoc>(INTEGRATION_STATUS);
  }

  async onModuleInit(): Promise<void> {
    this.metrics.sources.orgsProjectionFailed = () => this.countProjectionFailed();
    await this.collection.createIndex({ orgId: 1 });
  }

  /**
   * Sets `update` unless the document already reflects `at` or a later
   * position of `topic`: a redelivered event is a no-op.
   */
  async applyIfNewer(
    orgId: string,
    topic: ProjectedTopicName,
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

  /**
   * How many orgs have a topic in `projection_failed` (the metric and
   * `/health`): one count over `integration_status`, one document per org.
   */
  countProjectionFailed(): Promise<number> {
    return this.collection.countDocuments({
      $or: [
        { 'projection.identity.state': PROJECTION_FAILED },
        { 'projection.systemLog.state': PROJECTION_FAILED },
      ],
    });
  }
}

export type { ProjectionState };
