import { MongoClient } from 'mongodb';
import { topicNames } from '@regentra/contracts';
import { ScheduleService } from '../schedules/schedule.service';
import { SyncCoordinator } from './sync-coordinator.service';
import { EventPublisher } from '../kafka/event-publisher';
import { startOktaSim, OktaSim } from '../../../../tools/okta-sim';
import { collectorConfig, startCollector, StartedApp } from '../../../../test/support/apps';
import { collectorApi } from '../../../../test/support/collector-api';
import { collectTopic, testKafka } from '../../../../test/support/kafka-helpers';
import { isolation, services } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';
import { waitForRequest } from '../../../../test/support/sync-requests';

interface RunDoc {
  _id: string;
  orgId: string;
  kind: string;
  state: string;
  requestIds: string[];
  startedAt: Date;
  finishedAt: Date | null;
  holder: string;
}

/**
 * Per-org serialization across instances, Sync Now during a run, one run per
 * schedule slot with two instances, and a token that dies mid-sync.
 */
describe('sync ordering and credentials', () => {
  const iso = isolation('serial');
  const topics = topicNames(iso.topicPrefix);
  let sim: OktaSim;
  let first: StartedApp;
  let second: StartedApp;
  let mongo: MongoClient;
  let api: ReturnType<typeof collectorApi>;

  const runsOf = (orgId: string) =>
    mongo
      .db(iso.collectorDb)
      .collection<RunDoc>('sync_runs')
      .find({ orgId, kind: 'identity' })
      .sort({ startedAt: 1 })
      .toArray();
  const request = (requestId: string) =>
    mongo
      .db(iso.collectorDb)
      .collection<{ _id: string; state: string; syncIds?: string[] }>('sync_requests')
      .findOne({ _id: requestId });
  const finished = (requestId: string) =>
    waitForRequest(mongo, iso.collectorDb, requestId, 120_000);

  beforeAll(async () => {
    sim = await startOktaSim({ users: 300, seed: 11, rateWindowMs: 1000, latencyMs: 15 });
    mongo = await new MongoClient(services().mongoUri).connect();
    const config = collectorConfig(iso, {
      OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
      OKTA_CONCURRENCY: '4',
      // every run reads everything: the test counts each run's first list calls and mid-run 401s
      IDENTITY_SYNC_MODE: 'full',
    });
    first = await startCollector(config);
    second = await startCollector({ ...config, KAFKA_CLIENT_ID: `${config.KAFKA_CLIENT_ID}-2` });
    api = collectorApi(first);
    expect((await api.connect('org-s', sim.url, sim.token)).status).toBe(200);
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
    await sim?.close();
    await mongo?.close();
  });

  it('runs Sync Now ×2 and a scheduled tick after the running sync, never overlapping', async () => {
    const a = String((await api.sync('org-s')).json.requestId);
    await eventually(
      async () => (await runsOf('org-s')).find((r) => r.state === 'running'),
      'first run started',
    );
    const b = String((await collectorApi(second).sync('org-s')).json.requestId);
    const c = String((await api.sync('org-s')).json.requestId);
    await first.app.get(ScheduleService).fire('identity', new Date());
    const [ra, rb, rc] = [await finished(a), await finished(b), await finished(c)];
    expect([ra.state, rb.state, rc.state]).toEqual(['done', 'done', 'done']);
    const runs = (await runsOf('org-s')).filter((r) => r.state !== 'running');
    expect(runs).toHaveLength(2);
    const [run1, run2] = runs as [RunDoc, RunDoc];
    expect(run1.requestIds).toEqual([a]);
    expect(run2.requestIds.sort()).toEqual([b, c].sort());
    expect(run2.startedAt.getTime()).toBeGreaterThanOrEqual((run1.finishedAt as Date).getTime());
    // the scheduled request of this slot was requested before run 1 started: satisfied, not run again
    const scheduled = await mongo
      .db(iso.collectorDb)
      .collection<{ _id: string; state: string }>('sync_requests')
      .findOne({ _id: { $regex: '^schedule:org-s:identity:' } });
    expect(scheduled?.state).toBe('satisfied');
    // two runs each listed the users exactly once (default list + DEPROVISIONED filter each)
    const firstPages = sim
      .requestLog()
      .filter((r) => r.path === '/api/v1/users' && !r.query.includes('after='));
    expect(firstPages.length).toBe(4);
    // and the second run's first list call came after the first run's last Okta call
    const [, , secondRunFirst] = firstPages;
    const firstRunCalls = sim.requestLog().filter((r) => r.at < (secondRunFirst?.at ?? 0));
    expect(Math.max(...firstRunCalls.map((r) => r.at))).toBeLessThanOrEqual(
      (run2.startedAt as Date).getTime() + 1000,
    );
    expect((secondRunFirst?.at ?? 0) >= (run1.finishedAt as Date).getTime()).toBe(true);
  });

  it('gives two instances firing the same slot one sync', async () => {
    const slotTime = new Date('2031-01-01T04:00:00.200Z');
    const before = (await runsOf('org-s')).length;
    await Promise.all([
      first.app.get(ScheduleService).fire('identity', slotTime),
      second.app.get(ScheduleService).fire('identity', slotTime),
    ]);
    const requestId = 'schedule:org-s:identity:2031-01-01T04:00:00.000Z';
    const done = await finished(requestId);
    expect(done.state).toBe('done');
    const runs = await runsOf('org-s');
    expect(runs.length).toBe(before + 1);
    expect(runs.filter((r) => r.requestIds.includes(requestId))).toHaveLength(1);
  });

  it('ends a sync as credentials_invalid on a mid-sync 401 and skips later schedules', async () => {
    const identity = await collectTopic(testKafka(), topics.identity);
    try {
      sim.faults.unauthorizedAfter = 40;
      const requestId = String((await api.sync('org-s')).json.requestId);
      const done = await finished(requestId);
      expect(done.state).toBe('failed');
      const syncId = (done.syncIds ?? [])[0];
      const failed = await eventually(
        () =>
          identity.records.find(
            (r) =>
              (r.json as { syncId?: string; type?: string }).syncId === syncId &&
              (r.json as { type: string }).type === 'IdentitySyncFailed',
          ),
        'failed event',
      );
      expect(
        (failed.json as { payload: { reason: string; retryable: boolean } }).payload,
      ).toMatchObject({ reason: 'credentials_invalid', retryable: false });
      expect(
        identity.records.some(
          (r) =>
            (r.json as { syncId?: string; type?: string }).syncId === syncId &&
            (r.json as { type: string }).type === 'IdentitySyncCompleted',
        ),
      ).toBe(false);
      const status = await api.status('org-s');
      expect(status.json.connection).toMatchObject({ state: 'credentials_invalid' });
      const callsBefore = sim.requestLog().length;
      expect(
        await first.app.get(ScheduleService).fire('identity', new Date('2031-02-01T08:00:00Z')),
      ).toBe(0);
      const skipped = await api.status('org-s');
      expect(
        String(
          (skipped.json.connection as { lastScheduleSkip: { reason: string } }).lastScheduleSkip
            .reason,
        ),
      ).toMatch(/skipped: credentials_invalid/);
      expect((await api.sync('org-s')).status).toBe(409);
      // a command that arrives over Kafka (not through the 409 of the HTTP API) is skipped too
      const direct = `direct-${Date.now()}`;
      await first.app.get(EventPublisher).publish('commands', [
        {
          type: 'SyncRequested',
          schemaVersion: 2,
          orgId: 'org-s',
          payload: {
            scope: 'identity',
            requestId: direct,
            requestedAt: new Date().toISOString(),
            requestedBy: 'test',
            mode: 'auto',
          },
        },
      ]);
      const skippedDirect = await waitForRequest(mongo, iso.collectorDb, direct);
      expect(skippedDirect).toMatchObject({
        state: 'skipped',
        note: expect.stringContaining('save the connection again'),
      });
      expect((await request(requestId))?.state).toBe('failed');
      await first.app.get(SyncCoordinator).idle();
      await second.app.get(SyncCoordinator).idle();
      expect(sim.requestLog().length).toBe(callsBefore); // no retry loop against Okta
      sim.faults.unauthorizedAfter = null;
      expect((await api.connect('org-s', sim.url, sim.token)).status).toBe(200);
      expect((await api.status('org-s')).json.connection).toMatchObject({ state: 'connected' });
    } finally {
      await identity.stop();
    }
  });
});
