import { BSON, Db, MongoClient } from 'mongodb';
import type { OktaLogEvent } from '@regentra/contracts';
import { isolation, services } from '../../../../test/support/test-env';
import type { LogDayRollup } from './log-day.document';
import { pageIdsOf, storedFormOf } from './log-day.pages';
import type { LogFact } from './log-event.document';
import { figuresOfLogs, timedFacts } from './log-figures';
import { InMemoryLogFacts, randomFacts } from './log-facts.testing';
import { LogFactsReader } from './log-facts.reader';
import { LogPollsRepository } from './log-polls.repository';
import { LogDaysRepository } from './log-days.repository';
import { LogDirtyDaysRepository } from './log-dirty-days.repository';
import { LogDaysWriter } from './log-days.writer';
import { LogEventsRepository } from './log-events.repository';
import { LogRollupMarksRepository } from './log-rollup-marks.repository';
import { markOf } from './log-rollups.mark';

/**
 * Days with more actors than one page holds, against the real MongoDB-wire
 * server, with a 4 KiB page budget (≈ 25 actors a page) standing in for the
 * 256 KiB one: each day's lists go to several page documents, none over the
 * budget; the fold reads them to the figures of every fact at once; a rewrite
 * switches to a new generation and leaves no page of the old one, a
 * redelivery writes nothing; what a crash between the writes leaves
 * (unreferenced pages) changes no figure; two writers racing on one day leave
 * a head whose pages are all there; heads written before paging still fold.
 */
const BUDGET = 4096;
/** A page's own fields (ids, list name, number) next to its entries. */
const PAGE_HEADER_BYTES = 1024;
const DAY = 86_400_000;
const WINDOW = { lookbackDays: 91, signInDays: 30 };
const ASOFS = ['2025-01-02T10:11:12.131Z', '2025-01-04T00:00:00.000Z'];

let client: MongoClient;
let db: Db;
let events: LogEventsRepository;
let days: LogDaysRepository;
let marks: LogRollupMarksRepository;
let writer: LogDaysWriter;
let reader: LogFactsReader;

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

function allAtOnce(facts: LogFact[], asOf: string) {
  const asOfMs = Date.parse(asOf);
  const from = new Date(asOfMs - WINDOW.lookbackDays * DAY).toISOString();
  const visible = facts.filter((f) => f.published > from && f.published <= asOf);
  return {
    figures: figuresOfLogs(timedFacts(visible, asOfMs), {
      startMs: asOfMs - WINDOW.signInDays * DAY,
      endMs: asOfMs,
    }),
    logsThrough:
      visible
        .map((f) => f.published)
        .sort()
        .at(-1) ?? null,
  };
}

/** As the live projector writes them: batches of contiguous time, each rolled up. */
async function writeLive(orgId: string, facts: LogFact[]) {
  const inTime = [...facts].sort((a, b) => (a.published < b.published ? -1 : 1));
  for (let i = 0; i < inTime.length; i += 200)
    await writer.afterWrite(orgId, await events.add(orgId, inTime.slice(i, i + 200).map(eventOf)));
}

const headsOf = (orgId: string) => days.collection.find({ orgId }).sort({ _id: 1 }).toArray();
/** The ids of the stored pages, and of the pages the heads name. */
async function pageIds(orgId: string) {
  const named = (await headsOf(orgId)).flatMap(pageIdsOf).sort();
  const pages = await days.pages.find({ orgId }, { projection: { _id: 1 } }).toArray();
  return { named, stored: pages.map((p) => p._id).sort() };
}
/** What the in-memory rollup of every fact at once gives, per day. */
async function expectedRollups(orgId: string, facts: LogFact[]) {
  const expected = new InMemoryLogFacts(orgId, facts);
  await expected.rollUpAll();
  return expected.rollups;
}

// 300 actors over 3 days: ~200 a day, ~8 pages of actors a day.
const facts = randomFacts(31, true, 3, 1_200, 300);

beforeAll(async () => {
  client = await new MongoClient(services().mongoUri).connect();
  db = client.db(isolation('logpages').projectorDb);
  events = new LogEventsRepository(db);
  await events.onModuleInit();
  days = new LogDaysRepository(db, BUDGET);
  marks = new LogRollupMarksRepository(db);
  writer = new LogDaysWriter(events, days, marks, new LogDirtyDaysRepository(db));
  reader = new LogFactsReader(events, days, writer, new LogPollsRepository(db));
});

afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
});

it('rolls up a day of more actors than a page holds into several pages within the budget, folding to the figures of every fact', async () => {
  const ORG = 'org-big';
  await writeLive(ORG, facts);
  const want = await expectedRollups(ORG, facts);
  const heads = await headsOf(ORG);
  expect(heads.map((h) => h.day)).toEqual([...want.keys()].sort());
  for (const head of heads) {
    expect(head.actors).toBeUndefined();
    expect(head.pages!.actors).toBeGreaterThan(1);
    expect(await days.whole(ORG, head.day)).toEqual(want.get(head.day));
  }
  expect(heads.filter((h) => h.pages!.actors > 4).length).toBeGreaterThanOrEqual(3);
  const pages = await days.pages.find({ orgId: ORG }).toArray();
  for (const page of pages)
    expect(BSON.calculateObjectSize(page)).toBeLessThanOrEqual(BUDGET + PAGE_HEADER_BYTES);
  expect(await pageIds(ORG)).toEqual({
    named: pages.map((p) => p._id).sort(),
    stored: pages.map((p) => p._id).sort(),
  });
  // a whole day, as one document, would be over the budget many times
  const largest = Math.max(...[...want.values()].map((r) => BSON.calculateObjectSize(r)));
  expect(largest).toBeGreaterThan(4 * BUDGET);

  for (const asOf of ASOFS) {
    const folded = await reader.foldedAsOf(ORG, asOf, WINDOW);
    const all = allAtOnce(facts, asOf);
    expect(all.figures.actors.size).toBeGreaterThan(150);
    expect({ asOf, ...folded }).toEqual({ asOf, ...all });
  }
});

it('switches a rewritten day to a new generation and deletes the old one; a redelivery writes nothing', async () => {
  const ORG = 'org-rewrite';
  // (the writer's own redelivery goes through `put` too: log-days.writer.int.spec.ts)
  const early = await expectedRollups(ORG, facts.slice(0, 900));
  for (const rollup of early.values()) await days.put(rollup);
  const before = await headsOf(ORG);
  expect(before.filter((h) => h.pages).length).toBeGreaterThanOrEqual(3);
  for (const rollup of early.values()) await days.put(structuredClone(rollup));
  expect(await headsOf(ORG)).toEqual(before);

  const want = await expectedRollups(ORG, facts);
  for (const rollup of want.values()) await days.put(rollup);
  const after = await headsOf(ORG);
  for (const head of after) {
    expect(await days.whole(ORG, head.day)).toEqual(want.get(head.day));
    const old = before.find((b) => b.day === head.day);
    if (old?.pages && head.pages) expect(head.pages.generation).not.toBe(old.pages.generation);
  }
  const ids = await pageIds(ORG);
  expect(ids.stored).toEqual(ids.named);
});

it('folds right whatever a crash between the writes leaves, and two racing writers leave a whole day', async () => {
  const ORG = 'org-crash';
  await events.add(ORG, facts.map(eventOf));
  for (const rollup of (await expectedRollups(ORG, facts)).values()) await days.put(rollup);
  await marks.put(markOf(ORG, { complete: true }));
  const day = '2025-01-02';
  const rollup = (await days.whole(ORG, day))!;
  // A crash after inserting the pages of a new generation, before switching the head;
  // and one after switching, before deleting the displaced generation: pages no head names.
  const wrong: LogDayRollup = {
    ...rollup,
    actors: rollup.actors.map((a) => ({ ...a, signIns: a.signIns + 5 })),
  };
  for (const generation of ['crashed-before-switch', 'crashed-after-switch'])
    await days.pages.insertMany(storedFormOf(wrong, generation, BUDGET).pages);
  for (const asOf of ASOFS)
    expect(await reader.foldedAsOf(ORG, asOf, WINDOW)).toEqual(allAtOnce(facts, asOf));

  // Two writers racing on one day: the head names one of their generations, all of it stored.
  // (FerretDB 1.24's findAndModify is not atomic: both may displace the same head, and the
  // loser's pages are then left unreferenced, as after a crash.)
  for (let round = 0; round < 3; round++) {
    const a = { ...rollup, maxPublished: `${rollup.maxPublished}a${round}` };
    const b = { ...rollup, maxPublished: `${rollup.maxPublished}b${round}` };
    await Promise.all([days.put(a), days.put(b)]);
    const stored = await days.whole(ORG, day);
    expect([a, b]).toContainEqual(stored);
  }
  await days.put(rollup);
  const ids = await pageIds(ORG);
  expect(ids.named.filter((id) => !ids.stored.includes(id))).toEqual([]);
  for (const asOf of ASOFS)
    expect(await reader.foldedAsOf(ORG, asOf, WINDOW)).toEqual(allAtOnce(facts, asOf));
});

it('folds heads written before paging (every list inline), and gives a day the new shape when rewritten', async () => {
  const ORG = 'org-legacy';
  await events.add(ORG, facts.map(eventOf));
  const want = await expectedRollups(ORG, facts);
  // what the previous version wrote: the rollup with its lists inline, no digest
  for (const rollup of want.values())
    await days.collection.insertOne({ _id: `${ORG}|${rollup.day}`, ...rollup });
  await marks.put(markOf(ORG, { complete: true }));
  for (const asOf of ASOFS)
    expect(await reader.foldedAsOf(ORG, asOf, WINDOW)).toEqual(allAtOnce(facts, asOf));

  // one more fact on the last day: that day (and the days its sign-ins link to) rewritten, paged
  const extra: LogFact = {
    ...facts.find((f) => f.published.startsWith('2025-01-03'))!,
    uuid: 'extra-1',
    published: '2025-01-03T12:00:00.000Z',
  };
  await writer.afterWrite(ORG, await events.add(ORG, [eventOf(extra)]));
  const heads = await headsOf(ORG);
  const rewritten = heads.find((h) => h.day === '2025-01-03')!;
  expect(rewritten.digest).toBeDefined();
  expect(rewritten.actors).toBeUndefined();
  expect(rewritten.pages!.actors).toBeGreaterThan(1);
  const all = [...facts, extra];
  for (const asOf of ASOFS)
    expect(await reader.foldedAsOf(ORG, asOf, WINDOW)).toEqual(allAtOnce(all, asOf));
});
