import { Inject, Injectable } from '@nestjs/common';
import { Collection, Db } from 'mongodb';
import { PROJECTOR_DB } from '../platform/mongo.providers';
import type { LogDayDocument } from './log-day.document';

export const OKTA_LOG_DAYS = 'okta_log_days';

/** Per-(org, UTC day) rollups of the System Log facts, one document each. */
@Injectable()
export class LogDaysRepository {
  readonly collection: Collection<LogDayDocument>;

  constructor(@Inject(PROJECTOR_DB) db: Db) {
    this.collection = db.collection<LogDayDocument>(OKTA_LOG_DAYS);
  }

  /** Replaces the day's rollup whole (idempotent: the document is a function of the facts). */
  async put(doc: LogDayDocument): Promise<void> {
    await this.collection.replaceOne({ _id: doc._id }, doc, { upsert: true });
  }

  get(orgId: string, day: string): Promise<LogDayDocument | null> {
    return this.collection.findOne({ _id: `${orgId}|${day}` });
  }
}
