import { Db, MongoClient } from 'mongodb';
import type { OktaLogEvent } from '@regentra/contracts';
import { isolation, services } from '../../../../test/support/test-env';
import type { LogDayDocument } from './log-day.document';
import type { LogFact } from './log-event.document';
import { figuresOfLogs, timedFacts } from './log-figures';
import { randomFacts } from './log-facts.testing';
import { LogFactsReader } from './log-facts.reader';
import { LogPollsRepository } from './log-polls.repository';
import { LogDaysBackfill } from './log-days.backfill';
import { LogDaysRepository } from './log-days.repository';
import { LogDirtyDaysRepository } from './log-dirty-days.repository';
import { LogDaysWriter } from './log-days.writer';
import { LogEventsRepository } from './log-events.repository';
import { LogRollupMarksRepository } from './log-rollup-marks.repository';
import { markOf, ROLLUP_VERSION } from './log-rollups.mark';

/**
 * Facts written the old way (facts only, no rollups, no mark), against the
 * real MongoDB-wire server: before the backfill the fold reads them raw and
 * gives the figures of all the facts at once; the backfill rebuilds exactly
 * the rollups the live writer writes for the same facts and marks the org,
 * after which the fold reads rollups again. An org the live writer saw from
 * its first fact is marked by the writer and left alone; one marked under an
 * older recipe is rebuilt; one half done resumes after its last rebuilt day.
 */
const OLD = 'org-old';
const LIVE = 'org-live';
const STALE = 'org-stale';
const RESUMED = 'org-resumed';
const DAY = 86_400_000;
const WINDOW = { lookbackDays: 91, signInDays: 30 };
const ASOFS = ['2025-01-04T10:11:12.131Z', '2025-01-07T00:00:00.000Z'];

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

/** The org's rollups, with the org taken out (to compare two orgs holding the same facts). */
const rollupsOf = async (orgId: string) =>
  (await days.collection.find({ orgId }).sort({ day: 1 }).toArray()).map(
    ({ _id, orgId: _org, ...rest }: LogDayDocument) => ({ id: _id.slice(orgId.length), ...rest }),
  );

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

/** A fresh process's writer, reader and backfill (no cached marks). */
function start() {
  writer = new LogDaysWriter(events, days, marks, new LogDirtyDaysRepository(db));
  reader = new LogFactsReader(events, days, writer, new LogPollsRepository(db));
  return new LogDaysBackfill(events, marks, writer);
}

/** As the live projector writes them: batches of contiguous time, each rolled up. */
async function writeLive(orgId: string, facts: LogFact[]) {
  const inTime = [...facts].sort((a, b) => (a.published < b.published ? -1 : 1));
  for (let i = 0; i < inTime.length; i += 50)
    await writer.afterWrite(orgId, await events.add(orgId, inTime.slice(i, i + 50).map(eventOf)));
}

const facts = randomFacts(11, true, 6, 200);

beforeAll(async () => {
  client = await new MongoClient(services().mongoUri).connect();
  db = client.db(isolation('logbackfill').projectorDb);
  events = new LogEventsRepository(db);
  await events.onModuleInit();
  days = new LogDaysRepository(db);
  marks = new LogRollupMarksRepository(db);
  start();
  // The previous version: facts only.
  for (const orgId of [OLD, RESUMED]) await events.add(orgId, facts.map(eventOf));
  // This version from the first fact on.
  await writeLive(LIVE, facts);
  // Rollups and a mark of an older recipe (here: wrong figures).
  await events.add(STALE, facts.map(eventOf));
  for (const { day } of await days.collection.find({ orgId: LIVE }).toArray()) {
    const doc = (await days.whole(LIVE, day))!;
    await days.put({
      ...doc,
      orgId: STALE,
      totals: { ...doc.totals, successful: doc.totals.successful + 7 },
    });
  }
  await marks.put({ ...markOf(STALE, { complete: true }), version: ROLLUP_VERSION - 1 });
  // A backfill of the same recipe stopped after its third day.
  await marks.put(markOf(RESUMED, { complete: false, rebuiltThrough: '2025-01-03' }));
});

afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
});

it('folds unmarked orgs from raw facts, then the backfill rebuilds the live rollups and marks them', async () => {
  const backfill = start();
  expect(await marks.get(LIVE)).toEqual(markOf(LIVE, { complete: true }));
  const live = await rollupsOf(LIVE);
  const dayCount = new Set(facts.map((f) => f.published.slice(0, 10))).size;
  expect(live.length).toBe(dayCount);

  const rawBefore = new Map<string, number>();
  // (a) before the backfill: no rollups (or stale ones), figures of all the facts anyway
  expect(await rollupsOf(OLD)).toEqual([]);
  for (const orgId of [OLD, STALE])
    for (const asOf of ASOFS) {
      const want = allAtOnce(facts, asOf);
      reader.rawDayReads = 0;
      expect(want.figures.totals.successful).toBeGreaterThan(0);
      expect({ orgId, asOf, ...(await reader.foldedAsOf(orgId, asOf, WINDOW)) }).toEqual({
        orgId,
        asOf,
        ...want,
      });
      // one read per day with facts, through asOf's day
      rawBefore.set(asOf, reader.rawDayReads);
      const days = new Set(facts.map((f) => f.published.slice(0, 10)));
      expect(reader.rawDayReads).toBe([...days].filter((d) => d <= asOf.slice(0, 10)).length);
    }

  // (b) the backfill
  const report = await backfill.run();
  expect(report.orgs.sort()).toEqual([OLD, RESUMED, STALE].sort());
  expect(report.stopped).toBe(false);
  // every day for OLD and STALE; RESUMED from its fourth day on
  const resumed = live.filter((d) => d.day > '2025-01-03');
  expect(report.days).toBe(2 * dayCount + resumed.length);
  for (const orgId of [OLD, STALE])
    expect({ orgId, days: await rollupsOf(orgId) }).toEqual({ orgId, days: live });
  expect(await rollupsOf(RESUMED)).toEqual(resumed);
  for (const orgId of [OLD, STALE, RESUMED])
    expect(await marks.get(orgId)).toEqual(markOf(orgId, { complete: true }));

  // rollups are read again: the same figures, a handful of raw days
  for (const asOf of ASOFS) {
    reader.rawDayReads = 0;
    expect(await reader.foldedAsOf(OLD, asOf, WINDOW)).toEqual(allAtOnce(facts, asOf));
    // asOf's day, and the days whose MFA components reach past asOf
    expect(reader.rawDayReads).toBeLessThan(rawBefore.get(asOf)!);
    expect(reader.rawDayReads).toBeLessThanOrEqual(3);
  }

  // a restart finds nothing to do; a shutdown before it starts stops it
  expect(await start().run()).toEqual({ orgs: [], days: 0, stopped: false });
  const stopped = start();
  await stopped.beforeApplicationShutdown();
  expect(await stopped.run()).toEqual({ orgs: [], days: 0, stopped: true });
}, 300_000);

it('marks an org the writer rolls up from its first fact, and not one with earlier facts', async () => {
  start();
  await writeLive('org-new', facts.slice(0, 40));
  expect(await marks.get('org-new')).toEqual(markOf('org-new', { complete: true }));
  await events.add('org-mixed', facts.slice(0, 40).map(eventOf));
  await writeLive('org-mixed', facts.slice(40, 80));
  expect(await marks.get('org-mixed')).toBeNull();
});
