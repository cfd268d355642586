import { ChildProcess } from 'node:child_process';
import { MongoClient } from 'mongodb';
import { topicNames } from '@regentra/contracts';
import { startOktaSim, OktaSim } from '../../../../tools/okta-sim';
import { collectorConfig, startCollector, StartedApp } from '../../../../test/support/apps';
import { startChildCollector } from '../../../../test/support/child-collector';
import { collectTopic, testKafka } from '../../../../test/support/kafka-helpers';
import { isolation, randomEncryptionKey, services } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';
import { waitForRequest } from '../../../../test/support/sync-requests';

/**
 * SIGTERM to a real collector process during an identity sync: the sync
 * stops at a page boundary and publishes IdentitySyncFailed { reason:
 * "shutdown" }, its request goes back to the inbox, the lease is released and
 * the database closes last (no "client closed" errors). Another collector
 * then runs the same request to completion without anyone asking again.
 */
describe('graceful shutdown of a collector mid-sync', () => {
  const iso = isolation('sigterm');
  const topics = topicNames(iso.topicPrefix);
  const key = randomEncryptionKey();
  let sim: OktaSim;
  let child: ChildProcess | undefined;
  let successor: StartedApp | undefined;
  let mongo: MongoClient;
  const db = () => mongo.db(iso.collectorDb);

  beforeAll(async () => {
    sim = await startOktaSim({ users: 600, seed: 23, rateWindowMs: 1000, latencyMs: 40 });
    mongo = await new MongoClient(services().mongoUri).connect();
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await successor?.close();
    await sim?.close();
    await mongo?.close();
  });

  it('reports the sync as shut down, re-queues its request, releases the lease, and another instance finishes it', async () => {
    const started = await startChildCollector(iso, {
      TOKEN_ENCRYPTION_KEYS: key,
      OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
      SYNC_LEASE_MS: '60000', // a lease that is not released would block the successor for a minute
      OKTA_CONCURRENCY: '2',
      LOG_LEVEL: 'info',
    });
    child = started.child;
    const { api, exited } = started;
    expect((await api.connect('org-s', sim.url, sim.token)).status).toBe(200);
    const identity = await collectTopic(testKafka(), topics.identity);
    try {
      const requestId = String((await api.sync('org-s', 'identity')).json.requestId);
      const factorCalls = () => sim.calls()['GET /api/v1/users/{id}/factors'] ?? 0;
      await eventually(
        async () => (factorCalls() >= 100 ? true : undefined),
        'sync under way',
        60_000,
        50,
      );
      const running = await db()
        .collection('sync_runs')
        .findOne({ orgId: 'org-s', kind: 'identity', state: 'running' });
      const syncId = String(running?._id);

      child.kill('SIGTERM');
      const exit = await exited;
      expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);

      const ofSync = () =>
        identity.records
          .map((r) => r.json as { syncId?: string; type: string; payload: Record<string, unknown> })
          .filter((e) => e.syncId === syncId);
      const failed = await eventually(
        async () => ofSync().find((e) => e.type === 'IdentitySyncFailed'),
        'IdentitySyncFailed of the interrupted sync',
      );
      expect(failed.payload).toMatchObject({ reason: 'shutdown', retryable: true });
      expect(ofSync().map((e) => e.type)).not.toContain('IdentitySyncCompleted');
      // Nothing of the sync after its failure: it stopped at a page boundary.
      expect(ofSync().at(-1)?.type).toBe('IdentitySyncFailed');
      expect(
        await db()
          .collection('sync_runs')
          .findOne({ _id: syncId as never }),
      ).toMatchObject({
        state: 'failed',
        outcome: { reason: 'shutdown' },
      });
      expect(
        await db()
          .collection('sync_requests')
          .findOne({ _id: requestId as never }),
      ).toMatchObject({ state: 'queued' });
      expect(
        await db()
          .collection('org_leases')
          .findOne({ _id: 'org-s' as never }),
      ).toMatchObject({ holder: null });
      // The database was closed last: no write ran into a closed client.
      expect(started.output()).not.toMatch(
        /MongoNotConnectedError|MongoTopologyClosedError|Topology is closed|client was closed/i,
      );
      expect(started.output()).not.toMatch(/org run crashed|could not publish/);

      // The next instance runs the re-queued request on its own.
      successor = await startCollector(
        collectorConfig(iso, {
          OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
          TOKEN_ENCRYPTION_KEYS: key,
          SYNC_LEASE_MS: '60000',
        }),
      );
      const done = await waitForRequest(mongo, iso.collectorDb, requestId, 180_000);
      expect(done.state).toBe('done');
      const finishedBy = (done.syncIds ?? [])[0] as string;
      expect(finishedBy).not.toBe(syncId);
      expect(
        identity.records.some(
          (r) =>
            (r.json as { syncId?: string; type?: string }).syncId === finishedBy &&
            (r.json as { type: string }).type === 'IdentitySyncCompleted',
        ),
      ).toBe(true);
    } finally {
      await identity.stop();
    }
  });
});
