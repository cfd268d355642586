import { MongoClient } from 'mongodb';
import { MAX_MESSAGE_BYTES, topicNames } from '@regentra/contracts';
import { startOktaSim, OktaSim } from '../../../../tools/okta-sim';
import { collectorConfig, startCollector, StartedApp } from '../../../../test/support/apps';
import { collectorApi } from '../../../../test/support/collector-api';
import { eventsOfSync, reassemble } from '../../../../test/support/identity-topic';
import { collectTopic, testKafka } from '../../../../test/support/kafka-helpers';
import { isolation, services } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';
import { waitForRequest } from '../../../../test/support/sync-requests';

/**
 * An identity sync of an org with real customers' object sizes (users of
 * 2.5–5 KB, app users of 1–2 KB) and an app with 600 direct assignments: one
 * Okta page of 500 app users is ~750 KB, over the record cap, so it must go
 * out in several records sized by bytes, and none may be lost.
 */
jest.setTimeout(240_000);

describe('identity sync of a realistic-size org', () => {
  const iso = isolation('idsize');
  const topics = topicNames(iso.topicPrefix);
  let sim: OktaSim;
  let collector: StartedApp;
  let mongo: MongoClient;
  let identity: Awaited<ReturnType<typeof collectTopic>>;

  beforeAll(async () => {
    sim = await startOktaSim({
      users: 600,
      seed: 11,
      rateWindowMs: 1000,
      objectSize: 'realistic',
    });
    mongo = await new MongoClient(services().mongoUri).connect();
    collector = await startCollector(
      collectorConfig(iso, { OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort, OKTA_CONCURRENCY: '16' }),
    );
    identity = await collectTopic(testKafka(), topics.identity);
  });

  afterAll(async () => {
    await identity?.stop();
    await collector?.close();
    await sim?.close();
    await mongo?.close();
  });

  it('completes with every record under the cap and every app user published', async () => {
    const bigApp = sim.org.apps[sim.org.apps.length - 1]!;
    for (const user of sim.org.users) sim.assignAppUser(bigApp.id, user.id);
    const truth = sim.groundTruth();
    const direct = truth.apps
      .find((a) => a.id === bigApp.id)!
      .userAssignments.filter((a) => a.scope === 'USER');
    expect(direct.length).toBeGreaterThanOrEqual(500);

    const api = collectorApi(collector);
    expect((await api.connect('org-s', sim.url, sim.token)).status).toBe(200);
    const requestId = String((await api.sync('org-s', 'identity')).json.requestId);
    const done = await waitForRequest(mongo, iso.collectorDb, requestId);
    const syncId = (done.syncIds as string[])[0] as string;
    await eventually(
      () =>
        identity.records.find((r) => {
          const e = r.json as { syncId?: string; type?: string };
          return e.syncId === syncId && /^IdentitySync(Completed|Failed)$/.test(e.type ?? '');
        }),
      'sync outcome on the topic',
    );
    const events = eventsOfSync(identity.records, syncId);
    expect(events.filter((e) => e.type === 'IdentitySyncFailed')).toEqual([]);
    expect(events[events.length - 1]?.type).toBe('IdentitySyncCompleted');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));

    const sizes = identity.records
      .filter((r) => (r.json as { syncId?: string }).syncId === syncId)
      .map((r) => Buffer.byteLength(r.value ?? ''));
    const largest = Math.max(...sizes);
    process.stdout.write(`largest identity record: ${largest} bytes of ${sizes.length}\n`);
    expect(largest).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);

    const got = reassemble(events);
    expect(got.users.size).toBe(truth.users.length);
    for (const app of truth.apps) {
      const published = (got.appUsers.get(app.id) ?? []).map((a) => `${a.userId}:${a.scope}`);
      expect(published.sort()).toEqual(
        app.userAssignments.map((a) => `${a.userId}:${a.scope}`).sort(),
      );
    }
    const parts = events.filter(
      (e) => e.type === 'AppUserAssignments' && e.payload.appId === bigApp.id,
    );
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.map((e) => (e.payload as { lastPart: boolean }).lastPart)).toEqual(
      parts.map((_, i) => i === parts.length - 1),
    );
  });
});
