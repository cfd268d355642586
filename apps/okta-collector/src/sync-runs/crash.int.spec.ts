import { ChildProcess } from 'node:child_process';
import { MongoClient } from 'mongodb';
import { FENCE_HEADER, topicNames } from '@regentra/contracts';
import { startOktaSim, OktaSim } from '../../../../tools/okta-sim';
import { collectorConfig, startCollector, StartedApp } from '../../../../test/support/apps';
import { collectorApi } from '../../../../test/support/collector-api';
import { startChildCollector } from '../../../../test/support/child-collector';
import { collectTopic, testKafka } from '../../../../test/support/kafka-helpers';
import { isolation, randomEncryptionKey, services } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';
import { waitForRequest } from '../../../../test/support/sync-requests';

/**
 * kill -9 of a collector mid-sync: no completed event for that sync; after a
 * restart the next run proceeds and the killed sync is reported abandoned,
 * under a higher fence (`regentra-fence` header) than the killed run's records.
 * Runs the real compiled collector (npm test builds first) as a child process.
 */
describe('collector killed mid-sync', () => {
  const iso = isolation('crash');
  const topics = topicNames(iso.topicPrefix);
  const key = randomEncryptionKey();
  let sim: OktaSim;
  let child: ChildProcess | undefined;
  let restarted: StartedApp | undefined;
  let mongo: MongoClient;

  beforeAll(async () => {
    sim = await startOktaSim({ users: 600, seed: 5, rateWindowMs: 1000, latencyMs: 40 });
    mongo = await new MongoClient(services().mongoUri).connect();
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await restarted?.close();
    await sim?.close();
    await mongo?.close();
  });

  it('publishes no completion for the killed sync and reports it abandoned after restart', async () => {
    const started = await startChildCollector(iso, {
      TOKEN_ENCRYPTION_KEYS: key,
      OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
      SYNC_LEASE_MS: '3000',
      OKTA_CONCURRENCY: '2',
    });
    child = started.child;
    const { api } = started;
    expect((await api.connect('org-k', sim.url, sim.token)).status).toBe(200);
    const identity = await collectTopic(testKafka(), topics.identity);
    try {
      await api.sync('org-k');
      const running = await eventually(
        async () =>
          (await mongo
            .db(iso.collectorDb)
            .collection('sync_runs')
            .findOne({ orgId: 'org-k', state: 'running', 'progress.users': { $gte: 200 } })) ??
          undefined,
        'sync under way',
        60_000,
        100,
      );
      child.kill('SIGKILL');
      await started.exited;
      const killedSyncId = String(running._id);

      restarted = await startCollector(
        collectorConfig(iso, {
          OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
          TOKEN_ENCRYPTION_KEYS: key,
          SYNC_LEASE_MS: '3000',
        }),
      );
      const next = await collectorApi(restarted).sync('org-k');
      expect(next.status).toBe(202);
      const typesOf = (syncId: string) =>
        identity.records
          .filter((r) => (r.json as { syncId?: string }).syncId === syncId)
          .map((r) => (r.json as { type: string }).type);
      const abandoned = await eventually(
        () =>
          identity.records.find(
            (r) =>
              (r.json as { syncId?: string; type?: string }).syncId === killedSyncId &&
              (r.json as { type: string }).type === 'IdentitySyncFailed',
          ),
        'abandoned report',
        60_000,
      );
      expect((abandoned.json as { payload: { reason: string } }).payload.reason).toBe('abandoned');
      expect(typesOf(killedSyncId)).not.toContain('IdentitySyncCompleted');
      const done = await waitForRequest(
        mongo,
        iso.collectorDb,
        String(next.json.requestId),
        120_000,
      );
      expect(done.state).toBe('done');
      expect(typesOf((done.syncIds as string[])[0] as string)).toContain('IdentitySyncCompleted');
      const killedRun = await mongo
        .db(iso.collectorDb)
        .collection('sync_runs')
        .findOne({ _id: killedSyncId as never });
      expect(killedRun?.state).toBe('abandoned');

      // Every record of a sync carries its holder's fence; the abandoned report, the new holder's.
      const fencesOf = (syncId: string, except?: string) =>
        new Set(
          identity.records
            .filter((r) => {
              const json = r.json as { syncId?: string; type?: string };
              return json.syncId === syncId && json.type !== except;
            })
            .map((r) => r.headers[FENCE_HEADER]),
        );
      const oldFence = String(killedRun?.fence);
      const newFence = abandoned.headers[FENCE_HEADER];
      expect(fencesOf(killedSyncId, 'IdentitySyncFailed')).toEqual(new Set([oldFence]));
      expect(Number(newFence)).toBeGreaterThan(Number(oldFence));
      expect(fencesOf((done.syncIds as string[])[0] as string)).toEqual(new Set([newFence]));
    } finally {
      await identity.stop();
    }
  });
});
