import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Collection, Db, MongoBulkWriteError } from 'mongodb';
import { OktaLogEvent } from '@regentra/contracts';
import { PROJECTOR_DB } from '../platform/mongo.providers';
import type { LogEventDocument, LogFact } from './log-event.document';

export const OKTA_LOG_EVENTS = 'okta_log_events';

const INSERT_CHUNK = 500;

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Pure: the facts of one raw System Log event that the evidence reads. */
export function logFactOf(orgId: string, event: OktaLogEvent): LogEventDocument {
  const raw = event as Record<string, unknown> & OktaLogEvent;
  const authContext = raw.authenticationContext as { externalSessionId?: unknown } | undefined;
  const transaction = raw.transaction as { id?: unknown } | undefined;
  return {
    _id: `${orgId}|${event.uuid}`,
    orgId,
    uuid: event.uuid,
    published: event.published,
    eventType: event.eventType,
    actorId: event.actor?.id ?? null,
    outcome: event.outcome?.result ?? null,
    targetIds: (event.target ?? [])
      .map((t) => t.id)
      .filter((id): id is string => typeof id === 'string'),
    sessionId: str(authContext?.externalSessionId),
    transactionId: str(transaction?.id),
    displayMessage: str(raw.displayMessage),
  };
}

/** System Log facts per org, deduplicated by uuid (the document id). */
@Injectable()
export class LogEventsRepository implements OnModuleInit {
  readonly collection: Collection<LogEventDocument>;

  constructor(@Inject(PROJECTOR_DB) db: Db) {
    this.collection = db.collection<LogEventDocument>(OKTA_LOG_EVENTS);
  }

  async onModuleInit(): Promise<void> {
    await this.collection.createIndex({ orgId: 1, published: -1 });
  }

  /**
   * Inserts unseen events; a repeated uuid (redelivery, poller crash) is a
   * duplicate-key error on the document id, which is the dedupe.
   */
  async add(orgId: string, events: OktaLogEvent[]): Promise<void> {
    const docs = events.map((event) => logFactOf(orgId, event));
    for (let i = 0; i < docs.length; i += INSERT_CHUNK) {
      try {
        await this.collection.insertMany(docs.slice(i, i + INSERT_CHUNK), { ordered: false });
      } catch (error) {
        const duplicatesOnly =
          error instanceof MongoBulkWriteError &&
          (Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors]).every(
            (e) => e.code === 11000,
          );
        if (!duplicatesOnly) throw error;
      }
    }
  }

  /** Facts published in (from, to], oldest first. */
  async between(orgId: string, from: string, to: string): Promise<LogFact[]> {
    const docs = await this.collection
      .find(
        { orgId, published: { $gt: from, $lte: to } },
        { projection: { _id: 0, orgId: 0, displayMessage: 0 } },
      )
      .sort({ published: 1 })
      .toArray();
    return docs as unknown as LogFact[];
  }
}
