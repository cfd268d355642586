import { Inject, Injectable } from '@nestjs/common';
import { Collection, Db } from 'mongodb';
import { insertIgnoringDuplicates, PROJECTOR_DB } from '../platform/mongo.providers';

export const OKTA_LOG_DIRTY_DAYS = 'okta_log_dirty_days';

/** One note per (org, day, batch of facts) whose rollup is not rewritten yet. */
export interface DirtyDayDocument {
  _id: string; // orgId|day|first fact uuid of the batch
  orgId: string;
  day: string;
}

/**
 * Days whose facts changed since their rollup was written. Writing a batch of
 * facts only inserts notes (cheap on FerretDB); the rollups are rewritten once
 * per poll, or before evidence reads them. Notes are keyed per batch, so a
 * note written while a rewrite runs is not deleted by it.
 */
@Injectable()
export class LogDirtyDaysRepository {
  private readonly collection: Collection<DirtyDayDocument>;

  constructor(@Inject(PROJECTOR_DB) db: Db) {
    this.collection = db.collection<DirtyDayDocument>(OKTA_LOG_DIRTY_DAYS);
  }

  async note(orgId: string, days: string[], batchKey: string): Promise<void> {
    if (days.length === 0) return;
    // a redelivered batch finds its notes already there
    await insertIgnoringDuplicates(
      this.collection,
      days.map((day) => ({ _id: `${orgId}|${day}|${batchKey}`, orgId, day })),
    );
  }

  notesOf(orgId: string): Promise<DirtyDayDocument[]> {
    return this.collection.find({ orgId }).toArray();
  }

  async clear(ids: string[]): Promise<void> {
    if (ids.length) await this.collection.deleteMany({ _id: { $in: ids } });
  }
}
