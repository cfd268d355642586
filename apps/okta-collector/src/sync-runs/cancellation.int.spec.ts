import { MongoClient } from 'mongodb';
import { topicNames } from '@regentra/contracts';
import { startOktaSim, OktaSim } from '../../../../tools/okta-sim';
import { collectorConfig, startCollector, StartedApp } from '../../../../test/support/apps';
import { collectorApi } from '../../../../test/support/collector-api';
import { collectTopic, testKafka } from '../../../../test/support/kafka-helpers';
import { isolation, randomEncryptionKey, services } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';
import { waitForRequest } from '../../../../test/support/sync-requests';

const CONCURRENCY = 2;

/**
 * DELETE of a connection stops the org's running sync at its next Okta call
 * (the client is closed: in-flight calls are aborted, none is started after),
 * the sync ends with IdentitySyncFailed { reason: "cancelled" }, the System
 * Log cursor is gone and the lease is released. A delete made by another
 * instance stops it within SYNC_CANCEL_CHECK_MS. A save with another domain
 * drops the cursor, so the next poll backfills the new domain.
 */
describe('cancellation of a running sync', () => {
  const iso = isolation('cancel');
  const topics = topicNames(iso.topicPrefix);
  const key = randomEncryptionKey();
  let sim: OktaSim;
  let other: OktaSim;
  let mongo: MongoClient;
  let collector: StartedApp;
  let identity: Awaited<ReturnType<typeof collectTopic>>;
  const db = () => mongo.db(iso.collectorDb);
  let api: ReturnType<typeof collectorApi>;

  beforeAll(async () => {
    // 40 ms per answer and 2 calls at a time: a full sync of 800 users takes well over 20 s.
    sim = await startOktaSim({ users: 800, seed: 17, rateWindowMs: 1000, latencyMs: 40 });
    other = await startOktaSim({ users: 20, seed: 18, rateWindowMs: 1000 });
    mongo = await new MongoClient(services().mongoUri).connect();
    collector = await startCollector(
      collectorConfig(iso, {
        OKTA_ALLOW_INSECURE_HOSTS: `${sim.hostPort},${other.hostPort}`,
        TOKEN_ENCRYPTION_KEYS: key,
        OKTA_CONCURRENCY: String(CONCURRENCY),
        SYNC_CANCEL_CHECK_MS: '200',
      }),
    );
    api = collectorApi(collector);
    identity = await collectTopic(testKafka(), topics.identity);
  });
  afterAll(async () => {
    await identity?.stop();
    await collector?.close();
    await sim?.close();
    await other?.close();
    await mongo?.close();
  });

  const failedEventOf = (syncId: string) =>
    eventually(
      async () =>
        identity.records.find(
          (r) =>
            (r.json as { syncId?: string; type?: string }).syncId === syncId &&
            (r.json as { type: string }).type === 'IdentitySyncFailed',
        )?.json as { payload: { reason: string; retryable: boolean; message: string } } | undefined,
      `IdentitySyncFailed of ${syncId}`,
      60_000,
    );

  /** The org's identity sync, once it has read 100 users' factors (well before its end). */
  const syncUnderWay = async (orgId: string) => {
    const factorCalls = () => sim.calls()['GET /api/v1/users/{id}/factors'] ?? 0;
    const from = factorCalls();
    await eventually(
      async () => (factorCalls() - from >= 100 ? true : undefined),
      'identity sync under way',
      60_000,
      50,
    );
    const running = await db()
      .collection('sync_runs')
      .findOne({ orgId, kind: 'identity', state: 'running' });
    if (!running) throw new Error(`no running identity sync of ${orgId}`);
    return running;
  };

  const callsAfter = (at: number) => sim.requestLog().filter((entry) => entry.at > at).length;

  it('DELETE on the instance running the sync: no Okta call after it, cancelled, cursor and lease cleared', async () => {
    expect((await api.connect('org-del', sim.url, sim.token)).status).toBe(200);
    const poll = String((await api.sync('org-del', 'system-log')).json.requestId);
    expect((await waitForRequest(mongo, iso.collectorDb, poll)).state).toBe('done');
    expect(
      await db()
        .collection('log_cursors')
        .findOne({ _id: 'org-del' as never }),
    ).not.toBeNull();

    const requestId = String((await api.sync('org-del', 'identity')).json.requestId);
    const running = await syncUnderWay('org-del');
    const deleted = await api.disconnect('org-del');
    expect(deleted.status).toBeLessThan(300);
    const afterDelete = Date.now();

    const failed = await failedEventOf(String(running._id));
    expect(failed.payload.reason).toBe('cancelled');
    expect(failed.payload.retryable).toBe(false);
    expect(failed.payload.message).toMatch(/deleted/);
    const done = await waitForRequest(mongo, iso.collectorDb, requestId);
    expect(done.state).toBe('failed');
    expect(done.note).toMatch(/cancelled/);
    // Let anything still scheduled reach the simulator before counting.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // The client was closed before DELETE answered: at most the calls already on the wire arrive later.
    expect(callsAfter(afterDelete)).toBeLessThanOrEqual(CONCURRENCY);
    const run = await db().collection('sync_runs').findOne({ _id: running._id });
    expect(run).toMatchObject({ state: 'failed', outcome: { reason: 'cancelled' } });
    expect(
      await db()
        .collection('log_cursors')
        .findOne({ _id: 'org-del' as never }),
    ).toBeNull();
    await eventually(
      async () =>
        (
          await db()
            .collection('org_leases')
            .findOne({ _id: 'org-del' as never })
        )?.holder === null
          ? true
          : undefined,
      'lease released',
    );
  });

  it('a delete by another instance stops the sync within the check interval', async () => {
    expect((await api.connect('org-far', sim.url, sim.token)).status).toBe(200);
    await api.sync('org-far', 'identity');
    const running = await syncUnderWay('org-far');
    const callsBefore = sim.requestLog().length;
    // What another instance's DELETE does to the shared database.
    await db()
      .collection('connections')
      .deleteOne({ _id: 'org-far' as never });

    const failed = await failedEventOf(String(running._id));
    expect(failed.payload.reason).toBe('cancelled');
    const afterFailed = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(callsAfter(afterFailed)).toBeLessThanOrEqual(CONCURRENCY);
    // A full sync of 800 users needs over 800 calls; the cancelled one stopped long before.
    expect(sim.requestLog().length - callsBefore).toBeLessThan(200);
  });

  it('saving another domain drops the System Log cursor: the next poll backfills the new domain', async () => {
    expect((await api.connect('org-move', sim.url, sim.token)).status).toBe(200);
    const first = String((await api.sync('org-move', 'system-log')).json.requestId);
    expect((await waitForRequest(mongo, iso.collectorDb, first)).state).toBe('done');
    const cursor = await db()
      .collection('log_cursors')
      .findOne({ _id: 'org-move' as never });
    expect(String(cursor?.nextUrl)).toContain(sim.hostPort);

    expect((await api.connect('org-move', other.url, other.token)).status).toBe(200);
    expect(
      await db()
        .collection('log_cursors')
        .findOne({ _id: 'org-move' as never }),
    ).toBeNull();
    const otherCalls = other.requestLog().length;
    const second = String((await api.sync('org-move', 'system-log')).json.requestId);
    const done = await waitForRequest(mongo, iso.collectorDb, second);
    expect(done.state).toBe('done');
    const run = await db()
      .collection('sync_runs')
      .findOne({ _id: (done.syncIds ?? [])[0] as never });
    expect(run).toMatchObject({ state: 'completed', outcome: { mode: 'backfill' } });
    expect(other.requestLog().length).toBeGreaterThan(otherCalls);
    const moved = await db()
      .collection('log_cursors')
      .findOne({ _id: 'org-move' as never });
    expect(String(moved?.nextUrl)).toContain(other.hostPort);
  });
});
