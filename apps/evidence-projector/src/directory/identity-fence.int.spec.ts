import { randomUUID } from 'node:crypto';
import { Db, MongoClient } from 'mongodb';
import { Producer } from 'kafkajs';
import { EncodedRecord, FENCE_HEADER, topicNames } from '@regentra/contracts';
import { projectorConfig, startProjector, StartedApp } from '../../../../test/support/apps';
import { connected, syncOf } from '../../../../test/support/identity-topic';
import { collectTopic, testKafka } from '../../../../test/support/kafka-helpers';
import { isolation, services } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';
import { PROJECTOR_METRICS, ProjectorMetrics } from '../platform/metrics';
import { replay } from '../replay/replay.runner';

jest.setTimeout(180_000);

/**
 * Fencing through a started projector on the real broker and database: once
 * a record with a higher `regentra-fence` of an org was seen (a new lease
 * holder), records of the older holder are not applied — neither to the read
 * models nor to the status — while records of the current holder, redelivered
 * ones included, and records without the header still are. A replay from
 * offset 0 into a fresh database judges the same way.
 */
const iso = isolation('fence');
const topics = topicNames(iso.topicPrefix);
let projector: StartedApp;
let producer: Producer;
let mongo: MongoClient;
let db: Db;

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `u${from + i}`);

async function publish(...records: EncodedRecord[]): Promise<void> {
  await producer.send({
    topic: topics.identity,
    acks: -1,
    messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
  });
}

/** A ConnectionStateChanged (no fence): once the status shows it, everything before it was handled. */
async function barrier(orgId: string): Promise<void> {
  const changedAt = new Date().toISOString();
  await publish(connected(orgId, changedAt));
  await eventually(
    async () => ((await statusOf(orgId))?.connection?.changedAt === changedAt ? true : undefined),
    `status of ${orgId} past the barrier`,
  );
}

type Status = {
  connection?: { changedAt?: string };
  runningIdentitySync?: { syncId?: string } | null;
  lastIdentitySync?: Record<string, unknown>;
  runningProgress?: { syncId?: string; phase?: string } | null;
};
const statusOf = (orgId: string, from = db) =>
  from.collection<{ _id: string } & Status>('integration_status').findOne({ _id: orgId });
type SyncDoc = {
  _id: string;
  state?: string;
  materialized?: string | null;
  failureReason?: string | null;
};
const syncDoc = (orgId: string, syncId: string) =>
  db.collection<SyncDoc>('identity_syncs').findOne({ _id: `${orgId}|${syncId}` });
const users = (orgId: string, from = db) =>
  from.collection('okta_users').find({ orgId }).sort({ _id: 1 }).toArray();
const highestFence = async (orgId: string) =>
  (await db.collection<{ _id: string; fence: number }>('identity_fences').findOne({ _id: orgId }))
    ?.fence;

/** Identity records the projector ignored as superseded, per type. */
async function superseded(): Promise<Record<string, number>> {
  const metric = projector.app.get<ProjectorMetrics>(PROJECTOR_METRICS).supersededFence;
  const counts: Record<string, number> = {};
  for (const { labels, value } of (await metric.get()).values)
    counts[String(labels.type)] = (counts[String(labels.type)] ?? 0) + value;
  return counts;
}

/** A first sync of u0..u9, applied under `fence`: the state the later records must not lose. */
async function applyFirstSync(orgId: string, fence: number): Promise<void> {
  const s1 = syncOf(orgId, 's1', 0, { fence });
  await publish(s1.started(), s1.users(ids(10)), s1.completed());
  await eventually(
    async () => ((await syncDoc(orgId, 's1'))?.materialized === 'applied' ? true : undefined),
    `first sync of ${orgId} applied`,
  );
  expect(await users(orgId)).toHaveLength(10);
}

async function applied(orgId: string, syncId: string): Promise<void> {
  await eventually(
    async () => ((await syncDoc(orgId, syncId))?.materialized === 'applied' ? true : undefined),
    `${syncId} of ${orgId} applied`,
  );
}

const summary = (docs: Array<Record<string, unknown>>) =>
  docs.map((u) => ({ id: u.id, removed: u.removed, lastSeenSyncId: u.lastSeenSyncId }));

beforeAll(async () => {
  mongo = await new MongoClient(services().mongoUri, { retryWrites: false }).connect();
  db = mongo.db(iso.projectorDb);
  projector = await startProjector(projectorConfig(iso));
  producer = testKafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await projector?.close();
  await db?.dropDatabase();
  await mongo?.close();
});

describe('records of a superseded lease holder are ignored (started projector, real Kafka and database)', () => {
  it('after the new holder reported the sync abandoned, the old holder’s pages, completion and new sync change nothing', async () => {
    const orgId = 'org-zombie';
    await applyFirstSync(orgId, 4);
    const before = await users(orgId);

    // Holder 5 starts s2 and stages a page, then stalls past its lease.
    const s2 = syncOf(orgId, 's2', 4, { fence: 5 });
    await publish(s2.started(), s2.users(ids(5)), s2.progress('users'));
    // Holder 6 takes over and reports s2 abandoned, with its own fence.
    const failed = syncOf(orgId, 's2', 5, { fence: 6 }).abandoned();
    await publish(failed);
    // Holder 5 wakes up: the rest of s2 and its completion, then a whole new sync s3 that
    // would sweep u3..u9 as removed if it were applied.
    const s3 = syncOf(orgId, 's3', 6, { fence: 5 });
    await publish(
      s2.users(ids(5, 5)),
      s2.completed(),
      s3.started(),
      s3.users(ids(3)),
      s3.progress('users'),
      s3.completed(),
    );
    await barrier(orgId);

    expect(summary(await users(orgId))).toEqual(summary(before)); // nothing swept, nothing rewritten
    expect(await syncDoc(orgId, 's2')).toMatchObject({
      state: 'failed',
      failureReason: 'abandoned',
    });
    expect((await syncDoc(orgId, 's2'))?.materialized ?? null).toBeNull();
    expect(await syncDoc(orgId, 's3')).toBeNull(); // not even recorded as started
    expect(await db.collection('evidence_snapshots').countDocuments({ orgId, syncId: 's3' })).toBe(
      0,
    );
    const status = await statusOf(orgId);
    expect(status?.lastIdentitySync).toMatchObject({
      syncId: 's2',
      outcome: 'failed',
      reason: 'abandoned',
    });
    expect(status?.runningIdentitySync ?? null).toBeNull(); // s3's start never showed
    expect(status?.runningProgress ?? null).toBeNull();
    expect(await highestFence(orgId)).toBe(6);
    expect(await superseded()).toEqual({
      UsersPage: 2,
      IdentitySyncCompleted: 2,
      IdentitySyncStarted: 1,
      IdentitySyncProgress: 1,
    });
    const warned = projector.logs.lines
      .filter((line) => line.includes('superseded lease holder'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(warned).toHaveLength(6);
    expect(warned[0]).toMatchObject({
      level: 40,
      orgId,
      syncId: 's2',
      fence: 5,
      highestFence: 6,
      type: 'UsersPage',
    });

    // Holder 6 goes on: its records are applied, the redelivered ones (same fence) too.
    const s4 = syncOf(orgId, 's4', 7, { fence: 6 });
    const page = s4.users(ids(8));
    const done = s4.completed();
    await publish(failed, s4.started(), page, page, done, done);
    await applied(orgId, 's4');
    await barrier(orgId);
    const after = new Map((await users(orgId)).map((u) => [u.id as string, u]));
    expect(after.get('u0')).toMatchObject({ removed: false, lastSeenSyncId: 's4' });
    expect(after.get('u9')).toMatchObject({ removed: true, removedBySyncId: 's4' });
    expect(await syncDoc(orgId, 's2')).toMatchObject({ state: 'failed' }); // redelivered Failed: same
    expect(Object.values(await superseded()).reduce((a, b) => a + b, 0)).toBe(6); // none more
    expect(await highestFence(orgId)).toBe(6);
  });

  it('a completion of the old holder after a newer holder’s sync began is not applied', async () => {
    const orgId = 'org-overtaken';
    await applyFirstSync(orgId, 1);
    const before = await users(orgId);
    const s2 = syncOf(orgId, 's2', 4, { fence: 2 });
    await publish(s2.started(), s2.users(ids(5)));
    const s3 = syncOf(orgId, 's3', 5, { fence: 3 });
    await publish(s3.started(), s3.users(ids(6)));
    // Every page of s2 arrived: without the fence this completion would sweep u5..u9.
    await publish(s2.completed());
    await barrier(orgId);
    expect(summary(await users(orgId))).toEqual(summary(before));
    expect(await syncDoc(orgId, 's2')).toMatchObject({ state: 'running' });
    expect((await statusOf(orgId))?.runningIdentitySync).toMatchObject({ syncId: 's3' });

    await publish(s3.completed());
    await applied(orgId, 's3');
    const after = new Map((await users(orgId)).map((u) => [u.id as string, u]));
    expect(after.get('u5')).toMatchObject({ removed: false, lastSeenSyncId: 's3' });
    expect(after.get('u6')).toMatchObject({ removed: true, removedBySyncId: 's3' });
  });

  it('applies records without the header as before (older producers, old history)', async () => {
    const orgId = 'org-unfenced';
    await applyFirstSync(orgId, 7); // the org has a fence now
    const unfenced = (r: EncodedRecord): EncodedRecord => {
      const headers = { ...r.headers };
      delete headers[FENCE_HEADER];
      return { ...r, headers };
    };
    const s2 = syncOf(orgId, 's2', 4, { fence: 0 });
    await publish(...[s2.started(), s2.users(ids(4)), s2.completed()].map(unfenced));
    await applied(orgId, 's2');
    expect((await users(orgId)).filter((u) => u.removed === true)).toHaveLength(6);
    expect(await highestFence(orgId)).toBe(7);
  });

  it('dead-letters a record whose fence header is not one decimal integer', async () => {
    const orgId = 'org-bad-header';
    const dlq = await collectTopic(testKafka(), topics.deadLetter);
    try {
      const s1 = syncOf(orgId, 's1', 0, { fence: 1 });
      const started = s1.started();
      await publish({ ...started, headers: { ...started.headers, [FENCE_HEADER]: 'five' } });
      const letter = await eventually(
        () =>
          dlq.records.find((r) => (r.json as { source?: { key?: string } }).source?.key === orgId),
        'the dead letter',
      );
      expect((letter.json as { reason: string }).reason).toBe(
        `invalid ${FENCE_HEADER} header: ["five"]`,
      );
      await barrier(orgId);
      expect(await syncDoc(orgId, 's1')).toBeNull();
    } finally {
      await dlq.stop();
    }
  });

  it('a replay from offset 0 into a fresh database ends in the same read models', async () => {
    const target = isolation('fencereplay');
    await replay({
      config: { ...projectorConfig(iso), LOG_LEVEL: 'warn' },
      targetDb: target.projectorDb,
      groupId: `${target.groupId}.${randomUUID().slice(0, 8)}`,
      timeoutMs: 120_000,
    });
    const replayed = mongo.db(target.projectorDb);
    try {
      for (const orgId of ['org-zombie', 'org-overtaken', 'org-unfenced']) {
        expect(summary(await users(orgId, replayed))).toEqual(summary(await users(orgId)));
        const syncsOf = (from: Db) =>
          from
            .collection<SyncDoc>('identity_syncs')
            .find({ orgId })
            .sort({ _id: 1 })
            .project({ _id: 1, state: 1, failureReason: 1, materialized: 1 })
            .toArray();
        expect(await syncsOf(replayed)).toEqual(await syncsOf(db));
      }
    } finally {
      await replayed.dropDatabase();
    }
  });
});
