import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Collection, Db } from 'mongodb';
import { OktaLogEvent } from '@regentra/contracts';
import { insertIgnoringDuplicates, PROJECTOR_DB } from '../platform/mongo.providers';
import type { LogEventDocument, LogFact } from './log-event.document';
import { MFA_EVENT, SIGN_IN_EVENT, SUCCESS } from './log-rules';
import type { NeighbourQuery } from './sign-in-components';

export const OKTA_LOG_EVENTS = 'okta_log_events';

const INSERT_CHUNK = 500;
/** Uuids asked for by one query (≈ 60 bytes each in the command). */
const LINKED_PER_QUERY = 10_000;

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
  async add(orgId: string, events: OktaLogEvent[]): Promise<LogEventDocument[]> {
    const docs = events.map((event) => logFactOf(orgId, event));
    await insertIgnoringDuplicates(this.collection, docs, INSERT_CHUNK);
    return docs;
  }

  /**
   * The facts of one UTC day (`published` starting with `day`), and those with
   * the given uuids: with the day's query when they are few, else also in
   * further queries of LINKED_PER_QUERY ids (a command stays far below 16 MiB).
   */
  async ofDay(orgId: string, day: string, next: string, uuids: string[] = []): Promise<LogFact[]> {
    const ofTheDay = { published: { $gte: day, $lt: next } };
    const ids = (from: number) =>
      uuids.slice(from, from + LINKED_PER_QUERY).map((u) => `${orgId}|${u}`);
    const filter = uuids.length
      ? { orgId, $or: [ofTheDay, { _id: { $in: ids(0) } }] }
      : { orgId, ...ofTheDay };
    const facts = (await this.collection
      .find(filter, { projection: FACT })
      .toArray()) as unknown as LogFact[];
    for (let from = LINKED_PER_QUERY; from < uuids.length; from += LINKED_PER_QUERY) {
      const more = await this.collection
        .find({ orgId, _id: { $in: ids(from) } }, { projection: FACT })
        .toArray();
      for (const fact of more) facts.push(fact as unknown as LogFact);
    }
    return facts;
  }

  /**
   * Every fact of the org, in stored order, or null when it has more than
   * `limit` (one read either way).
   */
  async allOf(orgId: string, limit: number): Promise<LogFact[] | null> {
    if (limit <= 0) return null;
    const docs = await this.collection
      .find({ orgId }, { projection: FACT })
      .limit(limit + 1)
      .toArray();
    return docs.length > limit ? null : (docs as unknown as LogFact[]);
  }

  /** The orgs that have facts. */
  async orgIds(): Promise<string[]> {
    return (await this.collection.distinct('orgId')).filter(
      (id): id is string => typeof id === 'string',
    );
  }

  /** How many facts of the org are stored. */
  countOf(orgId: string): Promise<number> {
    return this.collection.countDocuments({ orgId });
  }

  /**
   * The UTC days (sorted) on which the org has facts, from `fromDay` on and
   * before `beforeDay` (when given): one pass over the org's `published`
   * values, holding only the set of days.
   */
  async daysOf(orgId: string, fromDay = '', beforeDay?: string): Promise<string[]> {
    const days = new Set<string>();
    const cursor = this.collection.find(
      { orgId, published: { $gte: fromDay, ...(beforeDay ? { $lt: beforeDay } : {}) } },
      { projection: { _id: 0, published: 1 } },
    );
    for await (const { published } of cursor) days.add(published.slice(0, 10));
    return [...days].sort();
  }

  /**
   * Successful facts of the given types published in [from, through] (ISO
   * strings, compared as stored; `from` null: no lower bound).
   */
  async ofTypesBetween(
    orgId: string,
    eventTypes: string[],
    from: string | null,
    through: string,
  ): Promise<LogFact[]> {
    if (eventTypes.length === 0) return [];
    const docs = await this.collection
      .find(
        {
          orgId,
          eventType: { $in: eventTypes },
          outcome: SUCCESS,
          published: { ...(from === null ? {} : { $gte: from }), $lte: through },
        },
        { projection: FACT },
      )
      .toArray();
    return docs as unknown as LogFact[];
  }

  /** Successful sign-ins and verifications of the actors sharing a key or in a range (a superset). */
  async neighbours(orgId: string, query: NeighbourQuery): Promise<LogFact[]> {
    const alternatives: object[] = [
      ...(query.sessions.length ? [{ sessionId: { $in: query.sessions } }] : []),
      ...(query.transactions.length ? [{ transactionId: { $in: query.transactions } }] : []),
      ...query.ranges.map((r) => ({ published: { $gte: r.from, $lte: r.to } })),
    ];
    if (query.actors.length === 0 || alternatives.length === 0) return [];
    const docs = await this.collection
      .find(
        {
          orgId,
          actorId: { $in: query.actors },
          outcome: SUCCESS,
          eventType: { $in: [SIGN_IN_EVENT, MFA_EVENT] },
          $or: alternatives,
        },
        { projection: FACT },
      )
      .toArray();
    return docs as unknown as LogFact[];
  }
}

/** A stored document without what no rule reads. */
const FACT = { _id: 0, orgId: 0, displayMessage: 0 } as const;
