import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { Collection, Db } from 'mongodb';
import { randomBytes } from 'node:crypto';
import { PROJECTOR_DB } from '../platform/mongo.providers';
import type { LogDayDocument, LogDayPageDocument, LogDayRollup } from './log-day.document';
import {
  dayIdOf,
  LOG_DAY_PAGE_BYTES,
  pageIdsOf,
  rollupOfStored,
  storedFormOf,
} from './log-day.pages';

export const OKTA_LOG_DAYS = 'okta_log_days';
export const OKTA_LOG_DAY_PAGES = 'okta_log_day_pages';

/** The page budget in bytes, LOG_DAY_PAGE_BYTES unless given (tests page a few actors). */
export const LOG_DAY_PAGE_BUDGET = Symbol('LOG_DAY_PAGE_BUDGET');

/** 256 KiB pages: one insert command stays ≤ ~2 MiB (as the evidence item pages). */
const PAGES_PER_INSERT = 8;
/** Heads per cursor batch while folding a window: each is at most one page budget. */
const HEADS_PER_BATCH = 8;

/**
 * Per-(org, UTC day) rollups of the System Log facts: a head each in
 * `okta_log_days`, and for a day whose lists exceed one page budget, pages in
 * `okta_log_day_pages` (see log-day.pages.ts for the bounds).
 *
 * A rewrite never updates a page. It inserts the pages of a new, random
 * generation, then replaces the head with one `findOneAndReplace` (which
 * returns the head it displaced), then deletes the displaced generation's
 * pages by exact id. So a head only ever names a generation whose pages are
 * all written, and each generation is deleted once, by the writer that
 * displaced it — two writers racing on one day each switch to their own.
 * A crash before the switch leaves the old head and its pages whole (the new
 * pages are named by nothing); a crash after it leaves the new head whole and
 * the old pages unreferenced. The cost of a crash is unreferenced pages, never
 * a wrong figure. Writing a rollup whose content the head already holds (a
 * redelivered batch, a replay of the same facts) writes nothing.
 */
@Injectable()
export class LogDaysRepository implements OnModuleInit {
  readonly collection: Collection<LogDayDocument>;
  readonly pages: Collection<LogDayPageDocument>;

  constructor(
    @Inject(PROJECTOR_DB) db: Db,
    @Optional()
    @Inject(LOG_DAY_PAGE_BUDGET)
    private readonly pageBytes: number = LOG_DAY_PAGE_BYTES,
  ) {
    this.collection = db.collection<LogDayDocument>(OKTA_LOG_DAYS);
    this.pages = db.collection<LogDayPageDocument>(OKTA_LOG_DAY_PAGES);
  }

  async onModuleInit(): Promise<void> {
    await this.collection.createIndex({ orgId: 1, day: 1 });
  }

  /** Stores the day's rollup in place of the one before (see the class comment for the order). */
  async put(rollup: LogDayRollup): Promise<void> {
    const generation = randomBytes(8).toString('hex');
    const { head, pages } = storedFormOf(rollup, generation, this.pageBytes);
    const { _id } = head;
    const stored = await this.collection.findOne({ _id }, { projection: { digest: 1 } });
    if (stored?.digest === head.digest) return;
    // A fresh generation: no page of it can exist yet.
    for (let i = 0; i < pages.length; i += PAGES_PER_INSERT)
      await this.pages.insertMany(pages.slice(i, i + PAGES_PER_INSERT), { ordered: true });
    // FerretDB 1.24 takes findAndModify without a projection only: the head is small.
    const displaced = await this.collection.findOneAndReplace({ _id }, head, {
      upsert: true,
      returnDocument: 'before',
    });
    if (displaced) await this.deletePages(pageIdsOf(displaced));
  }

  /** The day's head, or null when no fact of that day is rolled up. */
  get(orgId: string, day: string): Promise<LogDayDocument | null> {
    return this.collection.findOne({ _id: dayIdOf(orgId, day) });
  }

  /**
   * The org's heads of the days from `fromDay` through `throughDay`, in day
   * order, streamed a few at a time (a head is at most one page budget): one
   * query for a window, where a query per day cost 92 round trips per fold.
   */
  async *between(
    orgId: string,
    fromDay: string,
    throughDay: string,
  ): AsyncGenerator<LogDayDocument> {
    yield* this.collection
      .find({ orgId, day: { $gte: fromDay, $lte: throughDay } })
      .sort({ day: 1 })
      .batchSize(HEADS_PER_BATCH);
  }

  /** One page by id (FerretDB answers an _id equality from its index). */
  page(pageId: string): Promise<LogDayPageDocument | null> {
    return this.pages.findOne({ _id: pageId });
  }

  /** The day's rollup, whole (tests and tools: every page of the day at once). */
  async whole(orgId: string, day: string): Promise<LogDayRollup | null> {
    const head = await this.get(orgId, day);
    return head && rollupOfStored(head, (id) => this.page(id));
  }

  /** One deleteOne per page: FerretDB deletes by _id from its index, an $in by a scan. */
  private async deletePages(ids: string[]): Promise<void> {
    for (const _id of ids) await this.pages.deleteOne({ _id });
  }
}
