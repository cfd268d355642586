import { MongoClient, Document } from 'mongodb';
import { MAX_MESSAGE_BYTES, topicNames } from '@regentra/contracts';
import { batchesUnder } from '@regentra/kafka';
import { verifySnapshot } from '../../apps/evidence-projector/src/evidence/rules/snapshot-hash';
import { replay } from '../../apps/evidence-projector/src/replay/replay.runner';
import { OktaSim, startOktaSim } from '../../tools/okta-sim';
import {
  collectorConfig,
  projectorConfig,
  startCollector,
  startProjector,
  StartedApp,
  projectorGet,
} from '../support/apps';
import { collectorApi } from '../support/collector-api';
import { collectTopic, testKafka } from '../support/kafka-helpers';
import { readWholeSnapshot } from '../support/snapshots';
import { isolation, services } from '../support/test-env';
import { eventually, waitUntil } from '../support/wait';
import { Evidence, expectedFrom, waitForEvidenceOfSync } from '../support/evidence-expectations';
import { waitForRequest } from '../support/sync-requests';

jest.setTimeout(600_000);

const ids = (items: Array<Record<string, unknown>> | undefined) =>
  (items ?? []).map((i) => String(i.userId)).sort();

describe('simulator → collector → Kafka → projector → evidence', () => {
  const iso = isolation('e2e');
  const topics = topicNames(iso.topicPrefix);
  let simA: OktaSim;
  let simB: OktaSim;
  let collector: StartedApp;
  let projector: StartedApp;
  let mongo: MongoClient;
  let api: ReturnType<typeof collectorApi>;

  const db = () => mongo.db(iso.projectorDb);
  const evidence = async (orgId: string, control: string): Promise<Evidence> => {
    const response = await projectorGet(
      projector.url,
      `/v1/orgs/${orgId}/evidence/${control}?limit=1000`,
    );
    expect(response.status).toBe(200);
    return (await response.json()) as Evidence;
  };
  /** Log poll first, projected, then identity: the snapshot's sign-in figures do not depend on topic interleaving. */
  const syncAllAndWait = async (orgId: string) => {
    const poll = await syncAndWait(orgId, 'system-log');
    await eventually(async () => {
      const status = await db()
        .collection('integration_status')
        .findOne({ _id: orgId as never });
      return (status?.lastLogPoll as { syncId?: string } | undefined)?.syncId === poll.syncIds[0]
        ? status
        : undefined;
    }, 'log poll projected');
    return syncAndWait(orgId, 'identity');
  };
  const syncAndWait = async (orgId: string, scope = 'all', mode?: 'auto' | 'full') => {
    const requestId = String((await api.sync(orgId, scope, mode)).json.requestId);
    const done = await waitForRequest(mongo, iso.collectorDb, requestId, 300_000);
    return { state: String(done.state), syncIds: done.syncIds as string[] };
  };
  /** Every control's evidence of that sync served (the four land one by one). */
  const evidenceOfSync = (orgId: string, syncId: string) =>
    waitForEvidenceOfSync(projector.url, orgId, syncId);

  beforeAll(async () => {
    simA = await startOktaSim({ users: 400, seed: 21, rateWindowMs: 1000 });
    simB = await startOktaSim({ users: 120, seed: 22, rateWindowMs: 1000 });
    mongo = await new MongoClient(services().mongoUri).connect();
    collector = await startCollector(
      collectorConfig(iso, {
        OKTA_ALLOW_INSECURE_HOSTS: `${simA.hostPort},${simB.hostPort}`,
        OKTA_CONCURRENCY: '16',
      }),
    );
    projector = await startProjector(projectorConfig(iso));
    api = collectorApi(collector);
    expect((await api.connect('org-a', simA.url, simA.token)).status).toBe(200);
    expect((await api.connect('org-b', simB.url, simB.token)).status).toBe(200);
  });

  afterAll(async () => {
    await projector?.close();
    await collector?.close();
    await simA?.close();
    await simB?.close();
    await mongo?.close();
  });

  it('makes every figure of the four controls equal the ground truth, per org', async () => {
    for (const [orgId, sim] of [
      ['org-a', simA],
      ['org-b', simB],
    ] as const) {
      const run = await syncAllAndWait(orgId);
      expect(run.state).toBe('done');
      await evidenceOfSync(orgId, run.syncIds[0] as string);
      const want = expectedFrom(sim.groundTruth());
      const auth = await evidence(orgId, 'authentication');
      expect(auth.summary).toMatchObject({
        activeUsers: want.activeUsers,
        mfaEnrolled: want.enrolled,
        mfaUnknown: 0,
        mfaCoverage: { numerator: want.enrolled, denominator: want.activeUsers },
        mfaCoveragePercent: Math.round((want.enrolled / want.activeUsers) * 10_000) / 100,
        complete: true,
      });
      expect(ids(auth.items.withoutMfa)).toEqual(want.withoutMfa);
      expect((auth.summary.signIns as { successful: number }).successful).toBeGreaterThan(0);
      const access = await evidence(orgId, 'access-review');
      expect(access.summary).toMatchObject({
        usersByStatusCounts: want.byStatus,
        deactivatedUsers: want.deactivated,
        exceptions: want.exceptions.length,
      });
      expect(ids(access.items.exceptions)).toEqual(want.exceptions);
      const lp = await evidence(orgId, 'least-privilege');
      expect(lp.summary).toMatchObject({
        adminRoleHolders: want.roleHolders,
        superAdmins: want.superAdmins.length,
        usersWithDirectAppAssignments: want.directAssignees,
      });
      expect(ids(lp.items.superAdmins)).toEqual(want.superAdmins);
      const prov = await evidence(orgId, 'provisioning');
      expect(prov.summary).toMatchObject({ suspendedUsers: want.suspended });
    }
    // isolation: nothing of org-b in org-a's documents and vice versa
    const users = await db().collection('okta_users').find({}).toArray();
    expect(users.filter((u) => u.orgId === 'org-a').length).toBe(simA.groundTruth().users.length);
    expect(users.filter((u) => u.orgId === 'org-b').length).toBe(simB.groundTruth().users.length);
  });

  it('moves a deactivated user to deprovisioning evidence after the next sync', async () => {
    const truth = simA.groundTruth();
    const victim = truth.users.find((u) => u.status === 'ACTIVE' && u.appIds.length > 0);
    expect(victim).toBeDefined();
    simA.deactivateUser(victim!.id);
    const run = await syncAndWait('org-a', 'identity');
    await evidenceOfSync('org-a', run.syncIds[0] as string);
    const access = await evidence('org-a', 'access-review');
    expect(ids(access.items.activeUsers)).not.toContain(victim!.id);
    expect(ids(access.items.deactivatedUsers)).toContain(victim!.id);
    const prov = await evidence('org-a', 'provisioning');
    expect(ids(prov.items.deprovisionedInWindow)).toContain(victim!.id);
    expect(ids(prov.items.leaversWithAccess)).toContain(victim!.id);
  });

  it('changes no evidence when a sync fails half way (401)', async () => {
    const before = await db()
      .collection('control_evidence')
      .find({ orgId: 'org-a' })
      .sort({ _id: 1 })
      .toArray();
    const usersBefore = await db()
      .collection('okta_users')
      .find({ orgId: 'org-a' })
      .sort({ _id: 1 })
      .toArray();
    simA.faults.unauthorizedAfter = 60;
    // a full sync: it reads far past 60 calls (an incremental one might not reach the 401)
    const run = await syncAndWait('org-a', 'identity', 'full');
    expect(run.state).toBe('failed');
    await eventually(async () => {
      const doc = await db()
        .collection('identity_syncs')
        .findOne({ _id: `org-a|${run.syncIds[0]}` as never });
      return doc?.state === 'failed' ? doc : undefined;
    }, 'projector saw the failure');
    expect(
      await db().collection('control_evidence').find({ orgId: 'org-a' }).sort({ _id: 1 }).toArray(),
    ).toEqual(before);
    expect(
      await db().collection('okta_users').find({ orgId: 'org-a' }).sort({ _id: 1 }).toArray(),
    ).toEqual(usersBefore);
    simA.faults.unauthorizedAfter = null;
    expect((await api.connect('org-a', simA.url, simA.token)).status).toBe(200);
  });

  it('lists snapshot heads without items and verifies a snapshot read page by page', async () => {
    const response = await projectorGet(
      projector.url,
      '/v1/orgs/org-a/evidence/authentication/snapshots',
    );
    const body = (await response.json()) as {
      snapshots: Array<{
        hash: string;
        syncId: string;
        asOf: string;
        evidence: Record<string, unknown>;
        itemTotals: Record<string, number> | null;
      }>;
    };
    expect(body.snapshots.length).toBeGreaterThanOrEqual(2);
    expect(body.snapshots[0]!.asOf >= body.snapshots[1]!.asOf).toBe(true);
    const entry = body.snapshots[0]!;
    // the history carries no item list: 1,000 entries are 1,000 summaries
    expect(entry.evidence).not.toHaveProperty('items');
    expect(entry.itemTotals).toEqual(expect.objectContaining({ withoutMfa: expect.any(Number) }));
    const snapshot = await readWholeSnapshot(
      projector.url,
      { orgId: 'org-a', control: 'authentication', syncId: entry.syncId },
      { limit: 7 },
    );
    expect(snapshot.hash).toBe(entry.hash);
    for (const [list, total] of Object.entries(entry.itemTotals!))
      expect(snapshot.evidence.items[list]).toHaveLength(total);
    expect(verifySnapshot({ hash: snapshot.hash, evidence: snapshot.evidence as never })).toBe(
      true,
    );
    const tampered = structuredClone(snapshot.evidence) as unknown as {
      summary: { activeUsers: number };
    };
    tampered.summary.activeUsers += 1;
    expect(verifySnapshot({ hash: snapshot.hash, evidence: tampered as never })).toBe(false);
    const missing = await projectorGet(
      projector.url,
      '/v1/orgs/org-a/evidence/authentication/snapshots/sync-none',
    );
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'no_snapshot' });
  });

  const stripVolatile = (docs: Document[]) =>
    docs.map((doc) => {
      const { projectedAt, position, updatedAt, ...rest } = doc;
      void projectedAt;
      void position;
      void updatedAt;
      return rest;
    });
  const READ_MODELS = [
    'okta_users',
    'okta_groups',
    'okta_apps',
    'control_evidence',
    'evidence_snapshots',
    'okta_log_events',
    'okta_log_days',
    'integration_status',
  ];
  const dump = async (database: string) => {
    const out: Record<string, Document[]> = {};
    for (const name of READ_MODELS)
      out[name] = stripVolatile(
        await mongo.db(database).collection(name).find({}).sort({ _id: 1 }).toArray(),
      );
    return out;
  };

  it('replays the topics into a second database with identical documents', async () => {
    const live = await dump(iso.projectorDb);
    const target = `${iso.projectorDb}_replay`;
    await replay({
      config: projectorConfig(iso),
      targetDb: target,
      groupId: `${iso.groupId}.replay`,
    });
    const replayed = await dump(target);
    for (const name of READ_MODELS)
      expect({ name, docs: replayed[name] }).toEqual({ name, docs: live[name] });
    expect(live.okta_users!.length).toBeGreaterThan(0);
  });

  it('gives the same result when every message is delivered twice, and survives a poison message', async () => {
    const before = await dump(iso.projectorDb);
    const kafka = testKafka();
    const producer = kafka.producer();
    await producer.connect();
    const dlq = await collectTopic(kafka, topics.deadLetter);
    try {
      for (const topic of [topics.systemLog, topics.identity]) {
        const all = await collectTopic(kafka, topic);
        const admin = kafka.admin();
        await admin.connect();
        const high = (await admin.fetchTopicOffsets(topic)).reduce(
          (sum, p) => sum + Number(p.high),
          0,
        );
        await admin.disconnect();
        await waitUntil(() => all.records.length >= high, `read all of ${topic}`);
        await all.stop();
        const originals = all.records.filter(
          (r) => r.json && (r.json as { eventId?: string }).eventId,
        );
        // Each send stays under the topic's max.message.bytes (one record batch per partition).
        for (const chunk of batchesUnder(originals, MAX_MESSAGE_BYTES)) {
          await producer.send({
            topic,
            messages: chunk.map((r) => ({ key: r.key, value: r.value })),
          });
        }
      }
      await producer.send({
        topic: topics.identity,
        messages: [{ key: 'org-a', value: '\u0000not json' }],
      });
      await api.connect('org-b', simB.url, simB.token); // a fresh good event after the poison one
      await waitUntil(
        async () =>
          dlq.records.some(
            (r) =>
              r.key === 'org-a' &&
              String((r.json as { reason?: string })?.reason).includes('not JSON'),
          ),
        'poison dead-lettered',
      );
      await eventually(
        async () => {
          const lag = await kafka.admin();
          await lag.connect();
          try {
            const offsets = await lag.fetchOffsets({
              groupId: `${iso.groupId}.projector`,
              topics: [topics.identity, topics.systemLog],
            });
            const ends = [
              ...(await lag.fetchTopicOffsets(topics.identity)),
              ...(await lag.fetchTopicOffsets(topics.systemLog)),
            ];
            const committed = offsets
              .flatMap((t) => t.partitions)
              .reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
            return committed >= ends.reduce((s, p) => s + Number(p.high), 0) ? true : undefined;
          } finally {
            await lag.disconnect();
          }
        },
        'projector caught up',
        120_000,
        500,
      );
      const after = await dump(iso.projectorDb);
      for (const name of READ_MODELS.filter((n) => n !== 'integration_status'))
        expect({ name, docs: after[name] }).toEqual({ name, docs: before[name] });
    } finally {
      await dlq.stop();
      await producer.disconnect();
    }
  });
});
