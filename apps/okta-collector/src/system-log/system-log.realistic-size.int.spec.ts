import { MongoClient } from 'mongodb';
import { MAX_MESSAGE_BYTES, topicNames } from '@regentra/contracts';
import { OktaSim, startOktaSim } from '../../../../tools/okta-sim';
import { collectorConfig, startCollector, StartedApp } from '../../../../test/support/apps';
import { collectorApi } from '../../../../test/support/collector-api';
import { collectTopic, testKafka } from '../../../../test/support/kafka-helpers';
import { isolation, services } from '../../../../test/support/test-env';
import { waitUntil } from '../../../../test/support/wait';
import { waitForRequest } from '../../../../test/support/sync-requests';

interface LogRecord {
  type: string;
  syncId?: string;
  payload: { events?: Array<{ uuid: string }> };
}

/**
 * The System Log poller over realistic events (~3 KB each, full debugContext):
 * a page of 1000 must go out as several records sized by bytes (200 of them
 * were ~640 KB, over the cap), the poll completes and the checkpoint moves.
 */
jest.setTimeout(240_000);

describe('System Log poller with realistic-size events', () => {
  const iso = isolation('logsize');
  const topics = topicNames(iso.topicPrefix);
  let sim: OktaSim;
  let collector: StartedApp;
  let mongo: MongoClient;
  let topic: Awaited<ReturnType<typeof collectTopic>>;

  beforeAll(async () => {
    sim = await startOktaSim({
      users: 200,
      seed: 5,
      logEvents: 2500,
      rateWindowMs: 1000,
      objectSize: 'realistic',
    });
    mongo = await new MongoClient(services().mongoUri).connect();
    collector = await startCollector(
      collectorConfig(iso, {
        OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
        LOG_EVENT_TYPES: 'all',
        LOG_BACKFILL_DAYS: '10',
      }),
    );
    topic = await collectTopic(testKafka(), topics.systemLog);
  });

  afterAll(async () => {
    await topic?.stop();
    await collector?.close();
    await sim?.close();
    await mongo?.close();
  });

  it('completes, publishes every event under the cap and moves the checkpoint', async () => {
    const api = collectorApi(collector);
    expect((await api.connect('org-r', sim.url, sim.token)).status).toBe(200);
    const requestId = String((await api.sync('org-r', 'system-log')).json.requestId);
    const done = await waitForRequest(mongo, iso.collectorDb, requestId);
    const syncId = (done.syncIds as string[])[0] as string;
    const ofSync = () => topic.records.filter((r) => (r.json as LogRecord).syncId === syncId);
    await waitUntil(
      () =>
        ofSync().some((r) => /^SystemLogPoll(Completed|Failed)$/.test((r.json as LogRecord).type)),
      'poll outcome on the topic',
    );
    expect(ofSync().map((r) => (r.json as LogRecord).type)).not.toContain('SystemLogPollFailed');
    const uuids = ofSync().flatMap(
      (r) => (r.json as LogRecord).payload.events?.map((e) => e.uuid) ?? [],
    );
    expect(uuids.length).toBe(sim.groundTruth().logEvents);
    expect(uuids.length).toBeGreaterThan(200);
    expect(new Set(uuids).size).toBe(uuids.length);
    const sizes = ofSync().map((r) => Buffer.byteLength(r.value ?? ''));
    process.stdout.write(
      `largest System Log record: ${Math.max(...sizes)} bytes of ${sizes.length}\n`,
    );
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    const cursor = await mongo
      .db(iso.collectorDb)
      .collection('log_cursors')
      .findOne({ _id: 'org-r' as never });
    expect(cursor?.nextUrl).toContain('after=');
  });
});
