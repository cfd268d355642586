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
  /**
   * Windows the projector reported as gaps (a poll whose batches did not all
   * reach it): the next poll reads each again with a bounded query before
   * polling on, and removes it once its completion was acknowledged
   * (docs/topics.md, "System Log gaps"). Absent: none.
   */
  gaps?: LogGapToReread[];
}

/** A gap to read again: the poll it was found in, and its `published` window. */
export interface LogGapToReread {
  pollId: string;
  since: string;
  until: string;
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

  /** Saves the polling position; the gaps are left as they are (they have their own writes). */
  async save(orgId: string, cursor: Omit<LogCursorDoc, '_id'>): Promise<void> {
    const { gaps: _gaps, ...position } = cursor;
    await this.collection.updateOne({ _id: orgId }, { $set: position }, { upsert: true });
  }

  /** Records a gap to read again (the same gap twice is one). */
  async addGap(orgId: string, gap: LogGapToReread): Promise<void> {
    const entry = { pollId: gap.pollId, since: gap.since, until: gap.until };
    await this.collection.updateOne(
      { _id: orgId },
      { $addToSet: { gaps: entry } },
      { upsert: true },
    );
  }

  /** Forgets gaps a poll read again (after its completion was acknowledged). */
  async removeGaps(orgId: string, gaps: LogGapToReread[]): Promise<void> {
    if (gaps.length === 0) return;
    await this.collection.updateOne(
      { _id: orgId },
      { $pull: { gaps: { pollId: { $in: gaps.map((g) => g.pollId) } } } },
    );
  }
}
