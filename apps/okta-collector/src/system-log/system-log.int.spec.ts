import { MongoClient } from 'mongodb';
import { topicNames } from '@regentra/contracts';
import { OktaSim, startOktaSim } from '../../../../tools/okta-sim';
import {
  collectorConfig,
  projectorConfig,
  startCollector,
  startProjector,
  StartedApp,
} from '../../../../test/support/apps';
import { collectorApi } from '../../../../test/support/collector-api';
import { collectTopic, testKafka } from '../../../../test/support/kafka-helpers';
import { isolation, services } from '../../../../test/support/test-env';
import { eventually, waitUntil } from '../../../../test/support/wait';
import { waitForRequest } from '../../../../test/support/sync-requests';

interface LogRecord {
  type: string;
  syncId?: string;
  payload: {
    events?: Array<{ uuid: string; published: string }>;
    mode?: string;
    published?: number;
  };
}

/**
 * The System Log poller against the simulator's polling semantics: a 6,000
 * event backfill over several pages published once each, a late event with an older `published`
 * published exactly once, a crash between publish and checkpoint giving
 * duplicates the projector drops, a rejected checkpoint falling back, and a
 * tiny logs bucket costing no failed call.
 */
// The projector rolls up this org's backfill once per poll; on FerretDB the MFA-component
// queries scan the collection (tens of seconds here, more on a loaded machine).
jest.setTimeout(600_000);

describe('System Log poller', () => {
  const iso = isolation('syslog');
  const topics = topicNames(iso.topicPrefix);
  let sim: OktaSim;
  let collector: StartedApp;
  let projector: StartedApp;
  let mongo: MongoClient;
  let api: ReturnType<typeof collectorApi>;
  let topic: Awaited<ReturnType<typeof collectTopic>>;

  const poll = async () => {
    const requestId = String((await api.sync('org-l', 'system-log')).json.requestId);
    const done = await waitForRequest(mongo, iso.collectorDb, requestId);
    const syncId = (done.syncIds as string[])[0] as string;
    await waitUntil(
      () =>
        topic.records.some(
          (r) =>
            (r.json as LogRecord).syncId === syncId &&
            (r.json as LogRecord).type.startsWith('SystemLogPoll') &&
            (r.json as LogRecord).type !== 'SystemLogPollStarted',
        ),
      'poll end event on the topic',
    );
    return { state: String(done.state), syncId };
  };
  const uuidsOnTopic = () =>
    topic.records.flatMap((r) =>
      (r.json as LogRecord).type === 'SystemLogBatch'
        ? ((r.json as LogRecord).payload.events ?? []).map((e) => e.uuid)
        : [],
    );
  const cursor = () =>
    mongo
      .db(iso.collectorDb)
      .collection('log_cursors')
      .findOne({ _id: 'org-l' as never });

  beforeAll(async () => {
    // 6,000 events: six 1,000-event pages of backfill (the projector's rollups of a larger
    // backfill cost minutes on FerretDB; the paging is the same)
    sim = await startOktaSim({ users: 200, seed: 3, logEvents: 6_000, rateWindowMs: 1000 });
    mongo = await new MongoClient(services().mongoUri).connect();
    collector = await startCollector(
      collectorConfig(iso, {
        OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
        LOG_EVENT_TYPES: 'all',
        LOG_BACKFILL_DAYS: '10',
      }),
    );
    projector = await startProjector(projectorConfig(iso));
    api = collectorApi(collector);
    topic = await collectTopic(testKafka(), topics.systemLog);
    expect((await api.connect('org-l', sim.url, sim.token)).status).toBe(200);
  });

  afterAll(async () => {
    await topic?.stop();
    await projector?.close();
    await collector?.close();
    await sim?.close();
    await mongo?.close();
  });

  it('backfills 6,000 events over several pages, each published once, in Okta order, checkpoint stored', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const run = await poll();
    expect(run.state).toBe('done');
    const uuids = uuidsOnTopic();
    expect(uuids.length).toBe(sim.groundTruth().logEvents);
    expect(uuids.length).toBeGreaterThanOrEqual(6_000);
    expect(new Set(uuids).size).toBe(uuids.length);
    expect(topic.records.every((r) => r.key === 'org-l')).toBe(true);
    expect((await cursor())?.nextUrl).toContain('after=');
    // no message near the broker limit, and the test process did not balloon
    expect(Math.max(...topic.records.map((r) => Buffer.byteLength(r.value ?? '')))).toBeLessThan(
      512 * 1024,
    );
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(400 * 1024 * 1024);
  });

  it('publishes a late event with an older published time exactly once', async () => {
    const [late] = sim.appendLogEvents([
      {
        eventType: 'user.session.start',
        published: new Date(Date.now() - 3 * 3600_000).toISOString(),
      },
    ]);
    await poll();
    await poll();
    expect(uuidsOnTopic().filter((u) => u === late)).toHaveLength(1);
    const empty = await poll();
    const completed = topic.records.find(
      (r) =>
        (r.json as LogRecord).syncId === empty.syncId &&
        (r.json as LogRecord).type === 'SystemLogPollCompleted',
    );
    expect((completed?.json as LogRecord).payload.published).toBe(0);
  });

  it('duplicates after a crash between publish and checkpoint reach the topic, and the projector drops them', async () => {
    const before = await cursor();
    const added = sim.appendLogEvents(
      Array.from({ length: 25 }, () => ({ eventType: 'user.authentication.auth_via_mfa' })),
    );
    await poll();
    // the crash: the checkpoint save of that poll never happened
    await mongo
      .db(iso.collectorDb)
      .collection('log_cursors')
      .replaceOne({ _id: 'org-l' as never }, before as never);
    await poll();
    for (const uuid of added) expect(uuidsOnTopic().filter((u) => u === uuid)).toHaveLength(2);
    const projected = await eventually(
      async () => {
        const n = await mongo
          .db(iso.projectorDb)
          .collection('okta_log_events')
          .countDocuments({ orgId: 'org-l' });
        return n === new Set(uuidsOnTopic()).size ? n : undefined;
      },
      'projector holds each uuid once',
      300_000,
      500,
    );
    expect(projected).toBe(new Set(uuidsOnTopic()).size);
  });

  it('falls back when Okta rejects the stored checkpoint', async () => {
    const current = await cursor();
    const broken = String(current?.nextUrl).replace(/after=[^&]+/, 'after=not-a-cursor');
    await mongo
      .db(iso.collectorDb)
      .collection('log_cursors')
      .updateOne({ _id: 'org-l' as never }, { $set: { nextUrl: broken } });
    const added = sim.appendLogEvents([{ eventType: 'user.session.start' }]);
    const run = await poll();
    expect(run.state).toBe('done');
    const completed = topic.records.find(
      (r) =>
        (r.json as LogRecord).syncId === run.syncId &&
        (r.json as LogRecord).type === 'SystemLogPollCompleted',
    );
    expect((completed?.json as LogRecord).payload.mode).toBe('fallback');
    expect(uuidsOnTopic().filter((u) => u === added[0])).toHaveLength(1);
    expect((await cursor())?.lastFallbackAt).toBeTruthy();
  });

  it('stays inside a tiny logs bucket without a failed call', async () => {
    sim.setRateLimit('logs', 6);
    sim.resetCounters();
    await mongo
      .db(iso.collectorDb)
      .collection('log_cursors')
      .deleteOne({ _id: 'org-l' as never });
    const run = await poll(); // a new backfill: 20+ pages at 4 requests per window
    expect(run.state).toBe('done');
    const counts = sim.statusCounts();
    expect(counts['429'] ?? 0).toBeLessThanOrEqual(2);
    expect(Object.keys(counts).filter((status) => Number(status) >= 500)).toEqual([]);
  });
});
