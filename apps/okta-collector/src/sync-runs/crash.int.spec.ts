import { ChildProcess } from 'node:child_process';
import { MongoClient } from 'mongodb';
import { FENCE_HEADER, topicNames } from '@regentra/contracts';
import { startOktaSim, OktaSim } from '../../../../tools/okta-sim';
import { collectorConfig, startCollector, StartedApp } from '../../../../test/support/apps';
import { collectorApi } from '../../../../test/support/collector-api';
import { ChildCollector, startChildCollector } from '../../../../test/support/child-collector';
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
  let second: ChildCollector | undefined;
  let mongo: MongoClient;

  beforeAll(async () => {
    sim = await startOktaSim({ users: 600, seed: 5, rateWindowMs: 1000, latencyMs: 40 });
    mongo = await new MongoClient(services().mongoUri).connect();
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    second?.child.kill('SIGKILL');
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

  /**
   * The fault suite's first finding: a collector killed in the groups phase
   * and restarted left its run "running" in the status and its request
   * claimed for good; the Sync Now never ran. Now the restarted collector's
   * sweep finds the run without a live lease, reports it abandoned and runs
   * the request again, with nobody asking; the status stops showing the dead
   * run as running once its lease has lapsed.
   */
  it('runs the interrupted request again on its own after a restart, and the status stops calling it running', async () => {
    const leaseMs = 3000;
    const env = {
      TOKEN_ENCRYPTION_KEYS: key,
      OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
      SYNC_LEASE_MS: String(leaseMs),
      OKTA_CONCURRENCY: '2',
    };
    const first = await startChildCollector(iso, env);
    child = first.child;
    expect((await first.api.connect('org-r', sim.url, sim.token)).status).toBe(200);
    const asked = await first.api.sync('org-r');
    expect(asked.status).toBe(202);
    const requestId = String(asked.json.requestId);
    const running = await eventually(
      async () =>
        (await mongo
          .db(iso.collectorDb)
          .collection('sync_runs')
          .findOne({ orgId: 'org-r', state: 'running', phase: 'groups' })) ?? undefined,
      'sync in its groups phase',
      120_000,
      50,
    );
    child.kill('SIGKILL');
    await first.exited;

    second = await startChildCollector(iso, env);
    // No one asks again: the interrupted request itself must finish.
    const done = await waitForRequest(mongo, iso.collectorDb, requestId, 120_000);
    expect(done.state).toBe('done');
    expect(done.syncIds?.length).toBe(1);
    expect(done.syncIds?.[0]).not.toBe(String(running._id));
    const killedRun = await mongo
      .db(iso.collectorDb)
      .collection('sync_runs')
      .findOne({ _id: String(running._id) as never });
    expect(killedRun?.state).toBe('abandoned');
    const status = await second.api.status('org-r');
    expect(status.status).toBe(200);
    const identity = status.json.identity as { running: unknown; last: { state: string } };
    expect(identity.running).toBeNull();
    expect(identity.last.state).toBe('completed');
  });

  it('does not show a run as running once its collector is dead and another holds the lease', async () => {
    await restarted?.close();
    restarted = await startCollector(
      collectorConfig(iso, {
        OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
        TOKEN_ENCRYPTION_KEYS: key,
        SYNC_LEASE_MS: '60000',
      }),
    );
    const api = collectorApi(restarted);
    expect((await api.connect('org-s', sim.url, sim.token)).status).toBe(200);
    const db = mongo.db(iso.collectorDb);
    const startedAt = new Date();
    // A run stored as running by a collector that died; another instance has
    // since taken the org's lease (fence 8) and not yet reported it.
    await db.collection('sync_runs').insertOne({
      _id: 'identity-dead-run' as never,
      orgId: 'org-s',
      kind: 'identity',
      requestIds: [],
      trigger: 'manual',
      holder: 'collector-dead',
      fence: 7,
      connectionGeneration: 1,
      startedAt,
      state: 'running',
      finishedAt: null,
      phase: 'groups',
      progress: { groups: 3 },
      outcome: null,
    });
    const lease = db.collection('org_leases');
    await lease.updateOne(
      { _id: 'org-s' as never },
      { $set: { holder: 'collector-other', fence: 8 }, $currentDate: { renewedAt: true } },
      { upsert: true },
    );
    type IdentityStatus = {
      running: { syncId: string } | null;
      last: { syncId: string; state: string; outcome: { reason: string } } | null;
    };
    const shown = async () => (await api.status('org-s')).json.identity as IdentityStatus;
    let identity = await shown();
    expect(identity.running).toBeNull();
    expect(identity.last).toMatchObject({
      syncId: 'identity-dead-run',
      state: 'abandoned',
      outcome: { reason: 'abandoned' },
    });
    // The same run while its own holder renews the lease is running.
    await lease.updateOne(
      { _id: 'org-s' as never },
      { $set: { holder: 'collector-dead', fence: 7 }, $currentDate: { renewedAt: true } },
    );
    identity = await shown();
    expect(identity.running?.syncId).toBe('identity-dead-run');
    expect(identity.last).toBeNull();
  });
});
