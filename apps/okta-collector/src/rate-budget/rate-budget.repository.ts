import { Inject, Injectable } from '@nestjs/common';
import { Db, MongoBulkWriteError, MongoServerError } from 'mongodb';
import { COLLECTOR_DB } from '../platform/mongo.providers';

/** Budget slots live in one collection per hour of the shared clock: an old hour is dropped whole. */
export const RATE_BUDGET_COLLECTION_PREFIX = 'rate_budget_';
const HOUR_MS = 3_600_000;

/** One call's slot in a cell of the shared grid; its `_id` is the claim (unique). */
interface SlotDoc {
  _id: string;
  at: Date;
  holder: string;
}

/**
 * The shared rate budget's storage. A slot is claimed by inserting its
 * document: the unique `_id` makes exactly one claimer win, on MongoDB and on
 * FerretDB alike (FerretDB's `$inc` and `findAndModify` lose updates under
 * concurrency, and every read there scans the collection; an insert does
 * neither). Nothing is ever read or updated here.
 */
@Injectable()
export class RateBudgetRepository {
  constructor(@Inject(COLLECTOR_DB) private readonly db: Db) {}

  /** The database server's clock. */
  async databaseNow(): Promise<Date> {
    const hello = await this.db.command({ hello: 1 });
    if (!(hello.localTime instanceof Date)) throw new Error('database did not report its time');
    return hello.localTime;
  }

  /**
   * Claims slots `from`, `from + 1` … (at most `count`) of a cell, in order,
   * stopping at the first one already claimed. `cellStartMs` (shared clock)
   * picks the collection.
   * @returns how many were claimed, and whether a claimed slot stopped the run.
   */
  async claim(
    key: { orgId: string; bucket: string; cell: number; cellStartMs: number },
    from: number,
    count: number,
    holder: string,
  ): Promise<{ claimed: number; contended: boolean }> {
    const at = new Date();
    const docs: SlotDoc[] = Array.from({ length: count }, (_, i) => ({
      _id: `${key.orgId}|${key.bucket}|${key.cell}|${from + i}`,
      at,
      holder,
    }));
    const collection = this.db.collection<SlotDoc>(collectionName(key.cellStartMs));
    try {
      const result = await collection.insertMany(docs, { ordered: true });
      return { claimed: result.insertedCount, contended: false };
    } catch (error) {
      if (error instanceof MongoBulkWriteError && isDuplicate(error))
        return { claimed: error.insertedCount, contended: true };
      if (error instanceof MongoServerError && error.code === 11000)
        return { claimed: 0, contended: true };
      throw error;
    }
  }

  /** Drops the slot collections of hours before `keepFromMs` (shared clock). */
  async dropBefore(keepFromMs: number): Promise<number> {
    const keep = hourOf(keepFromMs);
    let dropped = 0;
    const collections = await this.db
      .listCollections({}, { nameOnly: true })
      .toArray()
      .then((list) => list.map((c) => c.name));
    for (const name of collections) {
      if (!name.startsWith(RATE_BUDGET_COLLECTION_PREFIX)) continue;
      const hour = Number(name.slice(RATE_BUDGET_COLLECTION_PREFIX.length));
      if (!Number.isInteger(hour) || hour >= keep) continue;
      await this.db.dropCollection(name).catch(() => false);
      dropped += 1;
    }
    return dropped;
  }
}

function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS);
}

function collectionName(cellStartMs: number): string {
  return `${RATE_BUDGET_COLLECTION_PREFIX}${hourOf(cellStartMs)}`;
}

function isDuplicate(error: MongoBulkWriteError): boolean {
  const errors = error.writeErrors;
  const list = Array.isArray(errors) ? errors : [errors];
  return list.length > 0 && list.every((e) => e.code === 11000);
}
