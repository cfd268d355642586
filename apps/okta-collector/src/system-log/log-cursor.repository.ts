import { Inject, Injectable } from '@nestjs/common';
import { Collection, Db } from 'mongodb';
import { COLLECTOR_DB } from '../platform/mongo.providers';

export const LOG_CURSORS_COLLECTION = 'log_cursors';

/** Where an org's System Log polling stands (the collector database). */
export interface LogCursorDoc {
  _id: string; // orgId
  /** Okta's `next` link of the last page whose events Kafka acknowledged. */
  nextUrl: string | null;
  /** Newest `published` seen; the fallback restarts from it minus the overlap. */
  lastPublished: string | null;
  /** Bounded dedupe window of recently published uuids (newest last). */
  recentUuids: string[];
  updatedAt: Date;
  lastFallbackAt: Date | null;
}

@Injectable()
export class LogCursorRepository {
  private readonly collection: Collection<LogCursorDoc>;

  constructor(@Inject(COLLECTOR_DB) db: Db) {
    this.collection = db.collection<LogCursorDoc>(LOG_CURSORS_COLLECTION);
  }

  get(orgId: string): Promise<LogCursorDoc | null> {
    return this.collection.findOne({ _id: orgId });
  }

  async remove(orgId: string): Promise<void> {
    await this.collection.deleteOne({ _id: orgId });
  }

  async save(orgId: string, cursor: Omit<LogCursorDoc, '_id'>): Promise<void> {
    await this.collection.replaceOne({ _id: orgId }, cursor, { upsert: true });
  }
}
