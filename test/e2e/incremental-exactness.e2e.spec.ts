import { MongoClient } from 'mongodb';
import { startOktaSim, OktaSim } from '../../tools/okta-sim';
import {
  collectorConfig,
  projectorConfig,
  projectorGet,
  startCollector,
  startProjector,
  StartedApp,
} from '../support/apps';
import { collectorApi } from '../support/collector-api';
import { isolation, randomEncryptionKey, services } from '../support/test-env';
import { waitForRequest } from '../support/sync-requests';
import { evidenceOf, firstDifference } from '../support/evidence-compare';
import { ACTIVE, Evidence, waitForEvidenceOfSync } from '../support/evidence-expectations';

const ORG = 'org-inc';
const ROUNDS = Number(process.env.EXACTNESS_ROUNDS ?? 6);
const CHANGES_PER_ROUND = 12;

/**
 * Proof of exactness (issue 14): one simulated org, two pipelines. The first
 * collector runs incremental identity syncs (after its first, full one); the
 * second reads everything every time. Between syncs the simulator applies
 * random changes of every kind (factors, lifecycle, hard deletes, group
 * members, app assignments, roles, groups and apps deleted), each logging the
 * System Log events Okta logs. After every sync the four controls' evidence
 * (summaries and every item list) must be the same in both.
 */
describe('incremental identity syncs give the evidence of full syncs', () => {
  const incIso = isolation('inc');
  const fullIso = isolation('full');
  const key = randomEncryptionKey();
  let sim: OktaSim;
  let mongo: MongoClient;
  const apps: StartedApp[] = [];
  let incremental: { api: ReturnType<typeof collectorApi>; projector: StartedApp };
  let full: { api: ReturnType<typeof collectorApi>; projector: StartedApp };

  const pipeline = async (iso: ReturnType<typeof isolation>, mode: 'incremental' | 'full') => {
    const collector = await startCollector(
      collectorConfig(iso, {
        OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
        TOKEN_ENCRYPTION_KEYS: key,
        IDENTITY_SYNC_MODE: mode,
        // No overlap: the whole test runs within minutes, and a 10-minute overlap would
        // re-read every object any earlier round touched, hiding a change kind it misses.
        INCREMENTAL_OVERLAP_MINUTES: '0',
        LOG_LEVEL: 'warn',
      }),
    );
    const projector = await startProjector(projectorConfig(iso, { LOG_LEVEL: 'warn' }));
    apps.push(collector, projector);
    const api = collectorApi(collector);
    expect((await api.connect(ORG, sim.url, sim.token)).status).toBe(200);
    return { api, projector };
  };

  beforeAll(async () => {
    sim = await startOktaSim({ users: 160, seed: 1401, rateWindowMs: 1000 });
    mongo = await new MongoClient(services().mongoUri).connect();
    incremental = await pipeline(incIso, 'incremental');
    full = await pipeline(fullIso, 'full');
  });
  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    await sim?.close();
    await mongo?.close();
  });

  interface SyncOutcome {
    reads?: { factors?: number } | null;
    unread?: Record<string, string[]>;
    rereadUnread?: Record<string, number>;
  }

  /** Syncs identity and waits until the projector serves evidence of that sync for every control. */
  const sync = async (
    side: typeof incremental,
    iso: ReturnType<typeof isolation>,
    mode?: 'full',
  ): Promise<{ syncId: string; mode: string; why: string; outcome: SyncOutcome }> => {
    const requestId = String((await side.api.sync(ORG, 'identity', mode)).json.requestId);
    const done = await waitForRequest(mongo, iso.collectorDb, requestId);
    expect(done).toMatchObject({ state: 'done' });
    const syncId = (done.syncIds ?? [])[0] as string;
    const run = await mongo
      .db(iso.collectorDb)
      .collection('sync_runs')
      .findOne({ _id: syncId as never });
    // every control: they land one by one, and comparing a control still on the
    // previous sync reads as a difference
    await waitForEvidenceOfSync(side.projector.url, ORG, syncId);
    return {
      syncId,
      mode: String(run?.mode),
      why: String(run?.fullReason ?? run?.baseSyncId),
      outcome: (run?.outcome ?? {}) as SyncOutcome,
    };
  };

  /** Both pipelines serve the same evidence (what differs, if not). */
  const expectSameEvidence = async (when: string) => {
    const [a, b] = [
      await evidenceOf(incremental.projector.url, ORG),
      await evidenceOf(full.projector.url, ORG),
    ];
    if (JSON.stringify(a) !== JSON.stringify(b))
      throw new Error(`${when}: incremental evidence differs from full\n${firstDifference(a, b)}`);
  };

  it('after every round of random changes, the incremental pipeline serves exactly the full pipeline evidence', async () => {
    const first = await sync(incremental, incIso);
    expect(first.mode).toBe('full');
    await sync(full, fullIso);
    expect(await evidenceOf(incremental.projector.url, ORG)).toEqual(
      await evidenceOf(full.projector.url, ORG),
    );

    const kinds = new Set<string>();
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const change of sim.applyRandomChanges(1400 + round, CHANGES_PER_ROUND))
        kinds.add(change.kind);
      const inc = await sync(incremental, incIso);
      expect(`${inc.mode} (${inc.why})`).toMatch(/^incremental/);
      await sync(full, fullIso);
      const [a, b] = [
        await evidenceOf(incremental.projector.url, ORG),
        await evidenceOf(full.projector.url, ORG),
      ];
      if (JSON.stringify(a) !== JSON.stringify(b))
        throw new Error(
          `round ${round}: incremental evidence differs from full\n${firstDifference(a, b)}`,
        );
    }
    // The rounds exercised most kinds of change (the simulator draws them at random).
    expect(kinds.size).toBeGreaterThanOrEqual(15);

    // Two changes Okta logs only at the group level, made on purpose: a group
    // with members assigned to an app (its members gain GROUP assignments, no
    // per-member event), then that group deleted (no event names the app).
    // An app reached by no group (its groups unassigned first), so the group's
    // members get it only through that group and lose it with the group.
    const app = sim.org.apps.find((a) => a.status === 'ACTIVE');
    const group = sim.org.groups.find(
      (g) => g.type === 'OKTA_GROUP' && [...g.members].some((m) => !app?.directUsers.has(m)),
    );
    if (!group || !app) throw new Error('the simulated org has no suitable group or active app');
    for (const change of [
      () => {
        for (const { groupId } of [...app.groups]) sim.unassignAppGroup(app.id, groupId);
        sim.assignAppGroup(app.id, group.id);
      },
      () => sim.deleteGroup(group.id),
    ]) {
      change();
      const inc = await sync(incremental, incIso);
      expect(`${inc.mode} (${inc.why})`).toMatch(/^incremental/);
      await sync(full, fullIso);
      const [a, b] = [
        await evidenceOf(incremental.projector.url, ORG),
        await evidenceOf(full.projector.url, ORG),
      ];
      if (JSON.stringify(a) !== JSON.stringify(b))
        throw new Error(
          `group-level change: incremental evidence differs from full\n${firstDifference(a, b)}`,
        );
    }
  });

  it('re-reads exactly the factors it could not read, stays incremental, and heals once they read', async () => {
    const victims = sim
      .groundTruth()
      .users.filter((u) => ACTIVE.has(u.status))
      .slice(0, 3)
      .map((u) => u.id)
      .sort();
    expect(victims).toHaveLength(3);
    const factorsPath = /^\/api\/v1\/users\/([^/]+)\/factors$/;
    /** The users whose factors the last sync asked Okta for (answered, a 429 retried is one read). */
    const factorReads = () =>
      sim
        .requestLog()
        .filter((r) => r.status !== 429)
        .map((r) => factorsPath.exec(r.path)?.[1])
        .filter((id): id is string => id !== undefined)
        .sort();
    const authentication = async (): Promise<Evidence> => {
      const res = await projectorGet(
        incremental.projector.url,
        `/v1/orgs/${ORG}/evidence/authentication?limit=1000`,
      );
      return (await res.json()) as Evidence;
    };
    sim.faults.forbiddenPaths = new RegExp(`^/api/v1/users/(${victims.join('|')})/factors$`);

    const first = await sync(incremental, incIso, 'full');
    expect(first.mode).toBe('full');
    expect(first.outcome.unread?.factors).toEqual(victims);
    await sync(full, fullIso);
    await expectSameEvidence('full sync with unreadable factors');

    for (let round = 1; round <= 2; round += 1) {
      sim.resetCounters();
      const inc = await sync(incremental, incIso);
      expect(`${inc.mode} (${inc.why})`).toMatch(/^incremental/);
      expect(factorReads()).toEqual(victims);
      expect(inc.outcome.reads?.factors).toBe(3);
      expect(inc.outcome.rereadUnread?.factors).toBe(3);
      expect(inc.outcome.unread?.factors).toEqual(victims);
      await sync(full, fullIso);
      await expectSameEvidence(`incremental ${round} with unreadable factors`);
      const auth = await authentication();
      expect(auth.summary.complete).toBe(false);
      expect(auth.summary.incompleteDatasets).toContain('factors');
      expect(auth.items.mfaUnknown!.map((i) => String(i.userId)).sort()).toEqual(victims);
    }

    sim.faults.forbiddenPaths = null;
    sim.resetCounters();
    const healed = await sync(incremental, incIso);
    expect(`${healed.mode} (${healed.why})`).toMatch(/^incremental/);
    expect(factorReads()).toEqual(victims);
    expect(Object.values(healed.outcome.unread ?? { missing: ['unread'] }).flat()).toEqual([]);
    await sync(full, fullIso);
    await expectSameEvidence('incremental after the fault cleared');
    const auth = await authentication();
    expect(auth.summary.mfaUnknown).toBe(0);
    // identity syncs only: the System Log was never polled, so only it keeps the control incomplete
    expect(auth.summary.complete).toBe(false);
    expect(auth.summary.incompleteDatasets).toEqual(['systemLog']);
  });
});
