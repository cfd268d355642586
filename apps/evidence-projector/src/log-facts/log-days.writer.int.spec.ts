import { Db, MongoClient } from 'mongodb';
import type { OktaLogEvent } from '@regentra/contracts';
import { isolation, services } from '../../../../test/support/test-env';
import type { LogFact } from './log-event.document';
import { figuresOfLogs, timedFacts } from './log-figures';
import { InMemoryLogFacts, prng, randomFacts } from './log-facts.testing';
import { LogFactsReader } from './log-facts.reader';
import { LogPollsRepository } from './log-polls.repository';
import { pageIdsOf } from './log-day.pages';
import { LogDaysRepository } from './log-days.repository';
import { LogDirtyDaysRepository } from './log-dirty-days.repository';
import { LogDaysWriter, ROLLUP_FACTS_IN_MEMORY } from './log-days.writer';
import { LogEventsRepository } from './log-events.repository';
import { LogRollupMarksRepository } from './log-rollup-marks.repository';

/**
 * The rollups against the real MongoDB-wire server: facts written in batches
 * of contiguous time, in random order, leave every day's rollup equal to the one
 * computed from all the facts at once (so a batch rewrites every day it
 * changes, neighbours and long sessions included), stored in pages (a small
 * page budget) of which none is left over; writing a batch again writes
 * nothing; the reader's fold, page by page, equals the facts folded at once.
 * Twice: with the org's facts read once into memory (an org of few facts) and
 * with a query per day and per round of neighbours (an org of many).
 */
const ORG = 'org-r';
let client: MongoClient;
let db: Db;
let events: LogEventsRepository;
let days: LogDaysRepository;
let writer: LogDaysWriter;

const DAY = 86_400_000;
const WINDOW = { lookbackDays: 91, signInDays: 30 };

/** The System Log event a fact came from (the inverse of logFactOf). */
const eventOf = (f: LogFact): OktaLogEvent =>
  ({
    uuid: f.uuid,
    published: f.published,
    eventType: f.eventType,
    ...(f.actorId ? { actor: { id: f.actorId, type: 'User' } } : {}),
    ...(f.outcome ? { outcome: { result: f.outcome } } : {}),
    target: f.targetIds.map((id) => ({ id, type: 'User' })),
    ...(f.sessionId ? { authenticationContext: { externalSessionId: f.sessionId } } : {}),
    ...(f.transactionId ? { transaction: { id: f.transactionId } } : {}),
  }) as OktaLogEvent;

/** Every day's rollup as stored (head and pages), in day order. */
const stored = async () => {
  const heads = await days.collection.find({ orgId: ORG }).sort({ _id: 1 }).toArray();
  return Promise.all(heads.map((h) => days.whole(ORG, h.day)));
};
/** The ids of the stored pages, and of the pages the heads name. */
const pageIds = async () => {
  const heads = await days.collection.find({ orgId: ORG }).toArray();
  const pages = await days.pages.find({ orgId: ORG }, { projection: { _id: 1 } }).toArray();
  return { named: heads.flatMap(pageIdsOf).sort(), stored: pages.map((p) => p._id).sort() };
};

describe.each([
  ['every fact of the org read once', ROLLUP_FACTS_IN_MEMORY],
  ['a query per day and per round of neighbours', 0],
])('rollups from %s', (_how, factsInMemory) => {
  beforeAll(async () => {
    client = await new MongoClient(services().mongoUri).connect();
    db = client.db(isolation(`logdays${factsInMemory}`).projectorDb);
    events = new LogEventsRepository(db);
    await events.onModuleInit();
    // A small page budget: a day of these 12 actors takes several pages of each list.
    days = new LogDaysRepository(db, 600);
    writer = new LogDaysWriter(
      events,
      days,
      new LogRollupMarksRepository(db),
      new LogDirtyDaysRepository(db),
      factsInMemory,
    );
  });

  afterAll(async () => {
    await db?.dropDatabase();
    await client?.close();
  });

  it('keeps every day equal to its rollup from all facts, whatever the batch order, and redelivery changes nothing', async () => {
    // 10 days, session ids shared across days: components cross days and midnight.
    const facts = randomFacts(11, true, 10, 300);
    // As a poller publishes them: contiguous time ranges, here delivered out of order.
    const inTime = [...facts].sort((a, b) => (a.published < b.published ? -1 : 1));
    const batches: LogFact[][] = [];
    for (let i = 0; i < inTime.length; i += 50) batches.push(inTime.slice(i, i + 50));
    const r = prng(5);
    batches.sort(() => r() - 0.5);
    for (const batch of batches) {
      await writer.afterWrite(ORG, await events.add(ORG, batch.map(eventOf)));
    }
    const expected = new InMemoryLogFacts(ORG, facts);
    await expected.rollUpAll();
    const want = [...expected.rollups.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
    expect(await stored()).toEqual(want);
    // paged, and every page written is named by a head (the displaced generations are gone)
    const pages = await pageIds();
    expect(pages.named.length).toBeGreaterThan(3 * want.length);
    expect(pages.stored).toEqual(pages.named);

    // a redelivered batch writes nothing: same heads, same generations
    const heads = await days.collection.find({ orgId: ORG }).sort({ _id: 1 }).toArray();
    await writer.afterWrite(ORG, await events.add(ORG, batches[3]!.map(eventOf)));
    expect(await stored()).toEqual(want);
    expect(await days.collection.find({ orgId: ORG }).sort({ _id: 1 }).toArray()).toEqual(heads);
    expect(await pageIds()).toEqual(pages);

    const reader = new LogFactsReader(events, days, writer, new LogPollsRepository(db));
    for (const asOf of ['2025-01-06T10:11:12.131Z', '2025-01-11T00:00:00.000Z']) {
      const asOfMs = Date.parse(asOf);
      const from = new Date(asOfMs - 91 * DAY).toISOString();
      const visible = facts.filter((f) => f.published > from && f.published <= asOf);
      const old = figuresOfLogs(timedFacts(visible, asOfMs), {
        startMs: asOfMs - 30 * DAY,
        endMs: asOfMs,
      });
      const folded = await reader.foldedAsOf(ORG, asOf, WINDOW);
      expect(old.totals.successful).toBeGreaterThan(0);
      expect(folded.figures).toEqual(old);
      expect(folded.logsThrough).toBe(
        visible
          .map((f) => f.published)
          .sort()
          .at(-1),
      );
    }
  });
});
