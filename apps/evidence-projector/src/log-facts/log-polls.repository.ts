import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Collection, Db } from 'mongodb';
import { PROJECTOR_DB } from '../platform/mongo.providers';
import type { LogCoverageInput, LogRange, PollOutcome } from './log-coverage';

export const OKTA_LOG_POLLS = 'okta_log_polls';

/** One System Log poll as the projector saw it: the batches that arrived and its outcome (internal). */
export interface LogPollDocument extends Partial<Omit<PollOutcome, 'pollId' | 'outcome'>> {
  _id: string; // orgId|pollId
  orgId: string;
  pollId: string;
  /** The envelope seq of every batch that arrived. */
  batchSeqs: number[];
  /** Flat copies for the queries: `window.since`, and how many gaps the poll read again. */
  windowSince?: string | null;
  rereadCount?: number;
  outcome: PollOutcome['outcome'] | null;
}

/** What an outcome event says about its poll. */
export interface PollOutcomeEvent {
  orgId: string;
  pollId: string;
  outcome: PollOutcome['outcome'];
  outcomeAt: string;
  /** The outcome's envelope seq: the records of the poll before it (Started is seq 0). */
  seq: number | null;
  window: LogRange | null;
  oldestPublished: string | null;
  rereads: LogRange[];
}

/**
 * `okta_log_polls`: per poll, which batches arrived, then its outcome; the
 * first outcome decides (docs/read-models.md, "The System Log's coverage").
 */
@Injectable()
export class LogPollsRepository implements OnModuleInit {
  private readonly collection: Collection<LogPollDocument>;

  constructor(@Inject(PROJECTOR_DB) db: Db) {
    this.collection = db.collection<LogPollDocument>(OKTA_LOG_POLLS);
  }

  async onModuleInit(): Promise<void> {
    await this.collection.createIndex({ orgId: 1, outcomeAt: -1 });
  }

  private async ensure(orgId: string, pollId: string): Promise<void> {
    await this.collection.updateOne(
      { _id: `${orgId}|${pollId}` },
      { $setOnInsert: { orgId, pollId, batchSeqs: [], outcome: null } },
      { upsert: true },
    );
  }

  /** A batch arrived (a redelivery adds nothing). */
  async noteBatch(orgId: string, pollId: string, seq: number | null): Promise<void> {
    await this.ensure(orgId, pollId);
    if (seq === null) return;
    await this.collection.updateOne(
      { _id: `${orgId}|${pollId}` },
      { $addToSet: { batchSeqs: seq } },
    );
  }

  /**
   * Records the poll's outcome unless one was recorded, and answers the poll
   * as recorded (with how many batches did not arrive).
   */
  async noteOutcome(event: PollOutcomeEvent): Promise<PollOutcome> {
    const _id = `${event.orgId}|${event.pollId}`;
    await this.ensure(event.orgId, event.pollId);
    const doc = await this.collection.findOne({ _id });
    if (doc?.outcome) return outcomeOf(doc);
    const arrived = new Set(doc?.batchSeqs ?? []);
    let missing: number | null = null;
    if (event.seq !== null) {
      missing = 0;
      for (let seq = 1; seq < event.seq; seq++) if (!arrived.has(seq)) missing++;
    }
    const fields = {
      outcome: event.outcome,
      outcomeAt: event.outcomeAt,
      missingBatches: missing,
      window: event.window,
      oldestPublished: event.oldestPublished,
      rereads: event.rereads,
      windowSince: event.window?.since ?? null,
      rereadCount: event.rereads.length,
    };
    await this.collection.updateOne({ _id, outcome: null }, { $set: fields });
    return outcomeOf((await this.collection.findOne({ _id })) ?? { ...doc!, ...fields });
  }

  /** What the org's coverage is judged from, of the polls with an outcome at or before `at`. */
  async coverageInput(orgId: string, at: string): Promise<LogCoverageInput> {
    const upTo = { orgId, outcome: { $ne: null }, outcomeAt: { $lte: at } };
    const [incomplete, rereading, completedPolls, last, earliest] = await Promise.all([
      this.collection.find({ ...upTo, missingBatches: { $ne: 0 } }).toArray(),
      this.collection
        .find({ ...upTo, outcome: 'completed', missingBatches: 0, rereadCount: { $gt: 0 } })
        .toArray(),
      this.collection.countDocuments({ ...upTo, outcome: 'completed' }),
      this.collection
        .find({ ...upTo, outcome: 'completed' })
        .sort({ outcomeAt: -1 })
        .limit(1)
        .toArray(),
      this.collection
        .find({ ...upTo, outcome: 'completed', windowSince: { $type: 'string' } })
        .sort({ windowSince: 1 })
        .limit(1)
        .toArray(),
    ]);
    return {
      incomplete: incomplete.map(outcomeOf),
      rereading: rereading.map(outcomeOf),
      completedPolls,
      lastCompletedAt: last[0]?.outcomeAt ?? null,
      earliestSince: earliest[0]?.window?.since ?? null,
    };
  }
}

function outcomeOf(doc: LogPollDocument): PollOutcome {
  return {
    pollId: doc.pollId,
    outcome: doc.outcome ?? 'failed',
    outcomeAt: doc.outcomeAt ?? '',
    missingBatches: doc.missingBatches ?? null,
    window: doc.window ?? null,
    oldestPublished: doc.oldestPublished ?? null,
    rereads: doc.rereads ?? [],
  };
}
