import type { RunPart } from '@regentra/contracts';
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { BUCKETS, startOktaSim, OktaSim } from '../../../../tools/okta-sim';
import { collectorConfig, startCollector, StartedApp } from '../../../../test/support/apps';
import { collectorApi } from '../../../../test/support/collector-api';
import { waitForRequest } from '../../../../test/support/sync-requests';
import { isolation, services } from '../../../../test/support/test-env';
import { ConnectionsService } from '../connections/connections.service';
import {
  IDENTITY_SYNC_RUNNER,
  RunOutcome,
  SYSTEM_LOG_RUNNER,
  SyncRunner,
} from '../sync-runs/run-port';
import { RunStopSignal } from '../sync-runs/run-stop';
import { SyncRunsRepository } from '../sync-runs/sync-runs.repository';

const SHARE = 0.45;
const WINDOW_MS = 1_500;
const ORG = 'org-budget';

/**
 * Two collector instances, one org: an identity sync on one and a System Log
 * poll on the other, at the same time. Both read the System Log (an
 * incremental identity sync reads the change events since its base), so they
 * spend the same Okta buckets; the simulator counts every call in Okta's own
 * windows, and no window of any bucket may see more than the share.
 */
describe('one rate budget per org across instances', () => {
  const iso = isolation('budget');
  let sim: OktaSim;
  let first: StartedApp;
  let second: StartedApp;
  let mongo: MongoClient;

  beforeAll(async () => {
    // 45 × 0.45 = 20 calls per window: every bucket well inside the budget's grid
    const limits = Object.fromEntries(BUCKETS.map((bucket) => [bucket, 45]));
    sim = await startOktaSim({
      users: 120,
      seed: 16,
      rateWindowMs: WINDOW_MS,
      rateLimits: limits,
      latencyMs: 5,
    });
    mongo = await new MongoClient(services().mongoUri).connect();
    const config = collectorConfig(iso, {
      OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
      OKTA_RATE_BUDGET: process.env.RATE_BUDGET_TEST_MODE ?? 'shared',
      OKTA_RATE_WINDOW_MS: String(WINDOW_MS),
      OKTA_RATE_LIMIT_SHARE: String(SHARE),
      OKTA_CONCURRENCY: '8',
    });
    first = await startCollector(config);
    second = await startCollector({ ...config, KAFKA_CLIENT_ID: `${config.KAFKA_CLIENT_ID}-2` });
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
    await sim?.close();
    await mongo?.close();
  });

  /** Runs one runner of `app` directly (as the coordinator would, without the org lease). */
  async function run(app: StartedApp, kind: RunPart): Promise<RunOutcome> {
    const connection = await app.app.get(ConnectionsService).get(ORG);
    if (!connection) throw new Error('no connection');
    const syncId = `${kind === 'identity' ? 'sync' : 'logpoll'}-${randomUUID()}`;
    const requestIds = [`test:${syncId}`];
    await app.app.get(SyncRunsRepository).start({
      _id: syncId,
      orgId: ORG,
      kind,
      requestIds,
      trigger: 'manual',
      holder: 'budget-test',
      fence: 1,
      connectionGeneration: connection.generation,
      startedAt: new Date(),
    });
    const runner = app.app.get<SyncRunner>(
      kind === 'identity' ? IDENTITY_SYNC_RUNNER : SYSTEM_LOG_RUNNER,
    );
    return runner.run({
      orgId: ORG,
      syncId,
      requestIds,
      trigger: 'manual',
      requestedFull: false,
      connection,
      collectorInstance: 'collector-test',
      fence: 1,
      leaseStillHeld: () => Promise.resolve(true),
      stop: new RunStopSignal(),
    });
  }

  it('keeps an identity sync and a log poll on two instances within the share of every window', async () => {
    const api = collectorApi(first);
    expect((await api.connect(ORG, sim.url, sim.token)).status).toBe(200);
    // the base: a log poll and a full identity sync, so the next identity sync is incremental
    const base = String((await api.sync(ORG, 'all')).json.requestId);
    expect((await waitForRequest(mongo, iso.collectorDb, base, 120_000)).state).toBe('done');
    // 25,000 factor events: both the poll and the incremental sync page through them
    const target = sim.org.users.slice(0, 40).map((user) => ({
      id: user.id,
      type: 'User',
      alternateId: user.profile.login,
      displayName: user.profile.login,
      detailEntry: null,
    }));
    for (let i = 0; i < 25; i += 1)
      sim.appendLogEvents(
        Array.from({ length: 1000 }, (_, j) => ({
          eventType: 'user.mfa.factor.activate',
          target: [target[(i * 1000 + j) % target.length] as (typeof target)[number]],
        })),
      );
    sim.resetCounters();
    const [identity, poll] = await Promise.all([run(first, 'identity'), run(second, 'system-log')]);
    expect(identity).toEqual({ state: 'completed' });
    expect(poll).toEqual({ state: 'completed' });
    const calls = sim.calls();
    expect(calls['GET /api/v1/logs']).toBeGreaterThan(40); // both read the log, many pages each
    const limits = sim.rateLimits();
    const peaks = sim.rateWindowPeaks();
    const over = BUCKETS.filter(
      (bucket) => (peaks[bucket] ?? 0) > Math.floor(limits[bucket] * SHARE),
    ).map(
      (bucket) =>
        `${bucket}: ${peaks[bucket]} calls in one window, share ${Math.floor(limits[bucket] * SHARE)}`,
    );
    expect(over).toEqual([]);
  }, 300_000);

  it('holds both instances to one share when each reads factors at full concurrency', async () => {
    // (after the first case: the org is connected.) Each instance's client has its own
    // local pacing; only the shared budget knows what the other instance sends.
    const connection = await first.app.get(ConnectionsService).get(ORG);
    if (!connection) throw new Error('no connection');
    const clients = await Promise.all(
      [first, second].map((app) => app.app.get(ConnectionsService).openClient(connection)),
    );
    sim.setRateLimit('other', 90); // 40 calls per window: room for the grid's cells
    const peakBefore = sim.rateWindowPeaks().other ?? 0;
    try {
      const users = sim.org.users.map((user) => user.id);
      await Promise.all(
        clients.map((client) => Promise.all(users.map((id) => client.listUserFactors(id)))),
      );
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
    const peak = sim.rateWindowPeaks().other ?? 0;
    expect(peak).toBeGreaterThanOrEqual(peakBefore);
    expect(`other: ${peak} calls in one window`).toBe(
      `other: ${Math.min(peak, Math.floor(90 * SHARE))} calls in one window`,
    );
  }, 300_000);
});
