import { MongoClient } from 'mongodb';
import { topicNames } from '@regentra/contracts';
import { startOktaSim, OktaSim } from '../../../../tools/okta-sim';
import { collectorConfig, startCollector, StartedApp } from '../../../../test/support/apps';
import { collectorApi } from '../../../../test/support/collector-api';
import { eventsOfSync, reassemble } from '../../../../test/support/identity-topic';
import { collectTopic, testKafka } from '../../../../test/support/kafka-helpers';
import { isolation, services } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';
import { waitForRequest } from '../../../../test/support/sync-requests';

/**
 * A full identity sync of a 2,000-user simulated org against real Kafka and
 * the collector database: what reaches the topic equals the simulator's ground
 * truth, deprovisioned users and users without factors included, and the
 * token appears nowhere.
 */
describe('identity sync of a 2,000-user org', () => {
  const iso = isolation('idsync');
  const topics = topicNames(iso.topicPrefix);
  let sim: OktaSim;
  let collector: StartedApp;
  let mongo: MongoClient;
  let api: ReturnType<typeof collectorApi>;
  let identity: Awaited<ReturnType<typeof collectTopic>>;

  beforeAll(async () => {
    sim = await startOktaSim({ users: 2000, seed: 7, rateWindowMs: 1000 });
    mongo = await new MongoClient(services().mongoUri).connect();
    collector = await startCollector(
      collectorConfig(iso, { OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort, OKTA_CONCURRENCY: '16' }),
    );
    api = collectorApi(collector);
    identity = await collectTopic(testKafka(), topics.identity);
  });

  afterAll(async () => {
    await identity?.stop();
    await collector?.close();
    await sim?.close();
    await mongo?.close();
  });

  it('refuses a bad domain and a rejected token, saving nothing', async () => {
    const badDomain = await api.connect('org-bad', 'http://10.0.0.1', sim.token);
    expect(badDomain.status).toBe(400);
    expect(badDomain.json.code).toBe('invalid_domain');
    const badToken = await api.connect('org-bad', sim.url, '00this-is-not-the-right-token-at-all');
    expect(badToken.status).toBe(422);
    expect(String(badToken.json.message)).toMatch(/Okta rejected the API token/);
    expect((await api.status('org-bad')).status).toBe(404);
    const missing = await api.call('PUT', '/v1/orgs/org-bad/okta/connection', { domain: sim.url });
    expect(missing.status).toBe(400);
    expect(String(missing.json.message)).toContain('apiToken');
    const notJson = await api.call('PUT', '/v1/orgs/org-bad/okta/connection', '{"domain":');
    expect(notJson.status).toBe(400);
    const noAuth = await api.call(
      'GET',
      '/v1/orgs/org-bad/okta/status',
      undefined,
      'wrong-token-wrong-token',
    );
    expect(noAuth.status).toBe(401);
  });

  it('saves and tests a connection, reporting the owner and read-only roles', async () => {
    const saved = await api.connect('org-a', sim.url, sim.token);
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({
      status: 'connected',
      readOnly: true,
      roles: ['READ_ONLY_ADMIN'],
      warnings: [],
    });
    expect(saved.json.tokenOwner).toMatchObject({ id: expect.any(String) });
    const retest = await api.test('org-a');
    expect(retest.status).toBe(200);
    const stored = await mongo
      .db(iso.collectorDb)
      .collection('connections')
      .findOne({ _id: 'org-a' as never });
    expect(JSON.stringify(stored)).not.toContain(sim.token);
    expect(stored?.token).toMatchObject({
      keyId: 'k1',
      iv: expect.any(String),
      tag: expect.any(String),
    });
  });

  it('publishes every entity of the org, bracketed, matching the ground truth', async () => {
    const accepted = await api.sync('org-a', 'identity');
    expect(accepted.status).toBe(202);
    const requestId = String(accepted.json.requestId);
    const done = await waitForRequest(mongo, iso.collectorDb, requestId);
    expect(done).toMatchObject({ state: 'done' });
    const syncId = (done.syncIds as string[])[0] as string;
    const truth = sim.groundTruth();

    const completed = await eventually(
      () =>
        identity.records.find(
          (r) =>
            (r.json as { syncId?: string; type?: string }).syncId === syncId &&
            (r.json as { type: string }).type === 'IdentitySyncCompleted',
        ),
      'completed event on the topic',
    );
    const events = eventsOfSync(identity.records, syncId);
    expect(events[0]?.type).toBe('IdentitySyncStarted');
    expect(events[events.length - 1]?.type).toBe('IdentitySyncCompleted');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events.filter((e) => e.type === 'IdentitySyncFailed')).toHaveLength(0);
    expect(
      identity.records
        .filter((r) => (r.json as { syncId?: string }).syncId === syncId)
        .every((r) => r.key === 'org-a'),
    ).toBe(true);

    const got = reassemble(events);
    expect(got.users.size).toBe(truth.users.length);
    const deprovisioned = truth.users.filter((u) => u.status === 'DEPROVISIONED');
    expect(deprovisioned.length).toBeGreaterThan(0);
    for (const user of deprovisioned) expect(got.users.get(user.id)?.status).toBe('DEPROVISIONED');
    const withoutFactors = truth.users.filter((u) => u.factors.length === 0);
    expect(withoutFactors.length).toBeGreaterThan(0);
    for (const user of truth.users) {
      expect(got.factors.get(user.id)).toEqual({ status: 'read', count: user.factors.length });
    }
    expect([...got.groups].sort()).toEqual(truth.groups.map((g) => g.id).sort());
    for (const group of truth.groups)
      expect([...(got.members.get(group.id) ?? [])].sort()).toEqual([...group.memberIds].sort());
    expect([...got.apps].sort()).toEqual(truth.apps.map((a) => a.id).sort());
    for (const app of truth.apps) {
      const published = (got.appUsers.get(app.id) ?? [])
        .map((a) => `${a.userId}:${a.scope}`)
        .sort();
      expect(published).toEqual(app.userAssignments.map((a) => `${a.userId}:${a.scope}`).sort());
    }
    const payload = (
      completed.json as {
        payload: { counts: Record<string, number>; coverage: Record<string, { failed: number }> };
      }
    ).payload;
    expect(payload.counts.users).toBe(truth.users.length);
    expect(payload.counts.deprovisionedUsers).toBe(deprovisioned.length);
    expect(Object.values(payload.coverage).every((c) => c.failed === 0)).toBe(true);
    expect(Math.max(...identity.records.map((r) => Buffer.byteLength(r.value ?? '')))).toBeLessThan(
      512 * 1024,
    );

    const status = await api.status('org-a');
    expect(status.json).toMatchObject({
      connection: { state: 'connected', readOnly: true },
      identity: { running: null, last: { syncId, state: 'completed' } },
    });
    expect(
      (status.json.connection as { tokenLastUsedAt: string | null }).tokenLastUsedAt,
    ).not.toBeNull();
    expect((status.json.identity as { nextScheduledAt: string }).nextScheduledAt).toMatch(
      /T(00|04|08|12|16|20):00:00.000Z$/,
    );
  });

  it('never lets the token out: topic, logs, status answers', async () => {
    const status = await api.status('org-a');
    expect(status.text).not.toContain(sim.token);
    expect(identity.records.some((r) => (r.value ?? '').includes(sim.token))).toBe(false);
    expect(collector.logs.text()).not.toContain(sim.token);
    expect(collector.logs.lines.length).toBeGreaterThan(0);
  });
});
