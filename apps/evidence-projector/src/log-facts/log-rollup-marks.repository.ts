import { Inject, Injectable } from '@nestjs/common';
import { Collection, Db } from 'mongodb';
import { PROJECTOR_DB } from '../platform/mongo.providers';
import type { LogRollupsMark } from './log-rollups.mark';

export const OKTA_LOG_ROLLUP_MARKS = 'okta_log_rollup_marks';

/** One small document per org: how far its rollups are complete (`LogRollupsMark`). */
@Injectable()
export class LogRollupMarksRepository {
  readonly collection: Collection<LogRollupsMark>;

  constructor(@Inject(PROJECTOR_DB) db: Db) {
    this.collection = db.collection<LogRollupsMark>(OKTA_LOG_ROLLUP_MARKS);
  }

  get(orgId: string): Promise<LogRollupsMark | null> {
    return this.collection.findOne({ _id: orgId });
  }

  /** Replaces the org's mark whole (one document: cheap on FerretDB too). */
  async put(mark: LogRollupsMark): Promise<void> {
    await this.collection.replaceOne({ _id: mark._id }, mark, { upsert: true });
  }
}
