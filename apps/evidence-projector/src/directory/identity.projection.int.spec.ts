import { Db, MongoClient } from 'mongodb';
import { Producer } from 'kafkajs';
import { EncodedRecord, topicNames } from '@regentra/contracts';
import { projectorConfig, startProjector, StartedApp } from '../../../../test/support/apps';
import { at, connected, factor, Factor, syncOf } from '../../../../test/support/identity-topic';
import { testKafka } from '../../../../test/support/kafka-helpers';
import { isolation, services } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';
import { IDENTITY_STAGING, StagingRepository } from './staging.repository';

jest.setTimeout(120_000);

/**
 * Only complete syncs are applied, through a started projector on the real
 * broker and database: a completion whose pages did not all arrive fails the
 * sync (nothing swept, no snapshot, the previous state stays), the first
 * outcome event of a sync decides it, and a complete sync still applies.
 */
const iso = isolation('complete-syncs');
const topics = topicNames(iso.topicPrefix);
let projector: StartedApp;
let producer: Producer;
let mongo: MongoClient;
let db: Db;

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `u${from + i}`);
/** One push factor for each of the users. */
const pushFactors = (userIds: string[]) =>
  userIds.map((id): [string, Factor[]] => [id, [factor(`f-${id}`, 'push')]]);

async function publish(...records: EncodedRecord[]): Promise<void> {
  await producer.send({
    topic: topics.identity,
    acks: -1,
    messages: records.map((r) => ({ key: r.key, value: r.value })),
  });
}

/** Published after the events under test: once the status shows it, everything before it was applied. */
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
  lastIdentitySync?: Record<string, unknown>;
  lastError?: Record<string, unknown>;
  lastSuccessfulIdentitySyncAt?: string;
  runningProgress?: { syncId?: string; phase?: string } | null;
};
const statusOf = (orgId: string) =>
  db.collection<{ _id: string } & Status>('integration_status').findOne({ _id: orgId });
type SyncDoc = { _id: string; materialized?: string | null; failureReason?: string | null };
const syncDoc = (orgId: string, syncId: string) =>
  db.collection<SyncDoc>('identity_syncs').findOne({ _id: `${orgId}|${syncId}` });
const users = (orgId: string) =>
  db.collection('okta_users').find({ orgId }).sort({ _id: 1 }).toArray();
const snapshots = (orgId: string, syncId: string) =>
  db.collection('evidence_snapshots').countDocuments({ orgId, syncId });
/** Whether anything of the sync is still staged. */
const stagingExists = async (orgId: string, syncId: string) =>
  (await db.collection(IDENTITY_STAGING).countDocuments({ orgId, syncId })) > 0;

/** A first sync of u0..u9, applied: the state the later syncs must not lose. */
/** Waits until the projection has applied the sync. */
const applied = (orgId: string, syncId: string, what: string) =>
  eventually(
    async () => ((await syncDoc(orgId, syncId))?.materialized === 'applied' ? true : undefined),
    what,
  );
async function applyFirstSync(orgId: string): Promise<void> {
  const s1 = syncOf(orgId, 's1', 0);
  await publish(
    s1.started(),
    s1.users(ids(5)),
    s1.users(ids(5, 5)),
    s1.factors(pushFactors(ids(10))),
    s1.progress('users'),
    s1.completed(),
  );
  await eventually(
    async () => ((await syncDoc(orgId, 's1'))?.materialized === 'applied' ? true : undefined),
    `first sync of ${orgId} applied`,
  );
  expect(await users(orgId)).toHaveLength(10);
  expect(await snapshots(orgId, 's1')).toBeGreaterThan(0);
}

/** Waits until the status shows the sync's progress `phase`: every page before it was staged. */
async function progressed(orgId: string, syncId: string, phase: string): Promise<void> {
  await eventually(async () => {
    const progress = (await statusOf(orgId))?.runningProgress;
    return progress?.syncId === syncId && progress.phase === phase ? true : undefined;
  }, `${syncId} of ${orgId} staged through its ${phase} progress`);
}

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

describe('only complete syncs are applied (started projector, real Kafka and database)', () => {
  it.each([
    ['from the in-memory copy', 'org-gap-mem', false],
    ['from the database copy', 'org-gap-db', true],
  ])(
    'fails a completed sync with a page missing, %s: nothing removed, no snapshot, the gap named',
    async (_path, orgId, readBack) => {
      await applyFirstSync(orgId);
      const before = await users(orgId);
      const s2 = syncOf(orgId, 's2', 4);
      const started = s2.started();
      const firstPage = s2.users(ids(5));
      s2.users(ids(5, 5)); // seq 2: the page that never arrives (dead-lettered, cut by retention)
      const rest = [s2.factors(pushFactors(ids(10))), s2.progress('users')];
      await publish(started, firstPage, ...rest);
      if (readBack) {
        await progressed(orgId, 's2', 'users');
        projector.app.get(StagingRepository).clearCache(); // as after a group join
      }
      const completed = s2.completed();
      await publish(completed, completed); // redelivered: the same verdict
      await barrier(orgId);

      const reason = 'incomplete: missing seq 2 of 0-4';
      expect(await syncDoc(orgId, 's2')).toMatchObject({
        state: 'failed',
        failureReason: reason,
        failedAt: at(5),
      });
      expect(await users(orgId)).toEqual(before); // u5..u9 not swept, nothing rewritten
      expect(before.every((u) => u.removed === false && u.lastSeenSyncId === 's1')).toBe(true);
      expect(await snapshots(orgId, 's2')).toBe(0);
      expect(await db.collection('control_evidence').distinct('syncId', { orgId })).toEqual(['s1']);
      expect(await stagingExists(orgId, 's2')).toBe(false); // dropped as for a failed sync
      const status = await statusOf(orgId);
      expect(status?.lastIdentitySync).toMatchObject({ syncId: 's2', outcome: 'failed', reason });
      expect(status?.lastError).toMatchObject({ reason });
      expect(status?.lastSuccessfulIdentitySyncAt).toBe(at(1));
    },
  );

  it('ignores a Completed after a Failed of the same sync, and a Failed after an applied Completed', async () => {
    const orgId = 'org-failed-first';
    await applyFirstSync(orgId);
    const s1 = syncOf(orgId, 's1', 0);
    await publish(s1.failed()); // after s1 was applied
    await barrier(orgId);
    const s1Doc = await syncDoc(orgId, 's1');
    expect(s1Doc).toMatchObject({ state: 'completed', materialized: 'applied' });
    expect(s1Doc?.failureReason ?? null).toBeNull(); // FerretDB drops inserted nulls: absent is null
    expect((await statusOf(orgId))?.lastIdentitySync).toMatchObject({
      syncId: 's1',
      outcome: 'completed',
    });

    const before = await users(orgId);
    const s2 = syncOf(orgId, 's2', 4);
    const pages = [s2.started(), s2.users(ids(3)), s2.factors(pushFactors(ids(3)))];
    const failed = s2.failed();
    // A completion of every page (lastSeq 2), from a run that had already been failed.
    const completed = s2.completed({ lastSeq: 2 });
    await publish(...pages, failed, completed, failed, completed); // both redelivered
    await barrier(orgId);

    const s2Doc = await syncDoc(orgId, 's2');
    expect(s2Doc).toMatchObject({ state: 'failed', failureReason: 'okta_unavailable' });
    expect(s2Doc?.materialized ?? null).toBeNull();
    expect(await users(orgId)).toEqual(before); // u3..u9 not swept
    expect(await snapshots(orgId, 's2')).toBe(0);
    expect(await stagingExists(orgId, 's2')).toBe(false);
    const status = await statusOf(orgId);
    expect(status?.lastIdentitySync).toMatchObject({
      syncId: 's2',
      outcome: 'failed',
      reason: 'okta_unavailable',
    });
    expect(status?.lastError).toMatchObject({
      reason: 'okta_unavailable',
      message: 'Okta answered 503',
    });
    expect(status?.lastSuccessfulIdentitySyncAt).toBe(at(1));
  });

  it('still applies a complete sync: progress events, an empty page and redelivered pages included', async () => {
    const orgId = 'org-complete';
    await applyFirstSync(orgId);
    const s2 = syncOf(orgId, 's2', 4);
    const page = s2.users(ids(5));
    await publish(
      s2.started(),
      page,
      s2.progress('users'),
      page, // redelivered
      s2.users(ids(4, 5)), // u9 is gone from Okta
      s2.factors(pushFactors(ids(9))),
      s2.groups([]), // an org without groups: an empty page
      s2.progress('groups'),
    );
    await progressed(orgId, 's2', 'groups');
    projector.app.get(StagingRepository).clearCache(); // read back from the database copy
    await publish(s2.completed());
    await applied(orgId, 's2', 'second sync applied');

    const after = new Map((await users(orgId)).map((u) => [u.id as string, u]));
    expect(after.size).toBe(10);
    expect(after.get('u9')).toMatchObject({ removed: true, removedBySyncId: 's2' });
    expect(after.get('u0')).toMatchObject({ removed: false, lastSeenSyncId: 's2' });
    expect(await snapshots(orgId, 's2')).toBeGreaterThan(0);
    expect(await stagingExists(orgId, 's2')).toBe(false);
    await barrier(orgId);
    expect((await statusOf(orgId))?.lastIdentitySync).toMatchObject({
      syncId: 's2',
      outcome: 'completed',
    });
  });

  it('applies a sync staged by the previous version in its own collection, then drops that collection', async () => {
    const orgId = 'org-legacy-staging';
    await applyFirstSync(orgId);
    const s2 = syncOf(orgId, 's2', 3);
    await publish(
      s2.started(),
      s2.users(ids(9)),
      s2.factors(pushFactors(ids(9))),
      s2.progress('users'),
    );
    await progressed(orgId, 's2', 'users');
    // what the previous version wrote: one collection per sync, each page's _id its key
    const staged = await db.collection(IDENTITY_STAGING).find({ orgId, syncId: 's2' }).toArray();
    expect(staged.length).toBeGreaterThan(0);
    const legacy = projector.app.get(StagingRepository).legacyCollectionOf(orgId, 's2');
    await legacy.insertMany(
      staged.map(({ key, ...doc }) => ({ ...doc, _id: String(key) })) as never[],
    );
    await db.collection(IDENTITY_STAGING).deleteMany({ orgId, syncId: 's2' });
    projector.app.get(StagingRepository).clearCache(); // read back from the database copy
    await publish(s2.completed());
    await applied(orgId, 's2', 'legacy-staged sync applied');
    const after = new Map((await users(orgId)).map((u) => [u.id as string, u]));
    expect(after.get('u9')).toMatchObject({ removed: true, removedBySyncId: 's2' });
    expect(after.get('u0')).toMatchObject({ removed: false, lastSeenSyncId: 's2' });
    expect(await db.listCollections({ name: legacy.collectionName }).toArray()).toEqual([]);
  });
});
