import { Db, MongoClient } from 'mongodb';
import { Producer } from 'kafkajs';
import { EncodedRecord, topicNames } from '@regentra/contracts';
import { projectorConfig, startProjector, StartedApp } from '../../../../test/support/apps';
import {
  at,
  connected,
  factor,
  logEvent,
  logPoll,
  syncOf,
} from '../../../../test/support/identity-topic';
import { testKafka } from '../../../../test/support/kafka-helpers';
import { readWholeSnapshot } from '../../../../test/support/snapshots';
import { isolation, services } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';
import { CONTROL_IDS } from '../evidence/rules/controls.registry';
import { MaterializerService } from './materializer.service';
import { IDENTITY_STAGING, StagingRepository } from './staging.repository';

jest.setTimeout(180_000);

/**
 * Incremental identity syncs through a started projector on the real broker
 * and database: applied on top of the last applied sync they equal a full
 * sync of the final state (read models and evidence), sweep exactly the
 * deleted user, and one whose base is not the last applied sync changes
 * nothing and is failed with the reason.
 */
const iso = isolation('incremental-syncs');
const topics = topicNames(iso.topicPrefix);
let projector: StartedApp;
let producer: Producer;
let mongo: MongoClient;
let db: Db;

async function publish(...records: EncodedRecord[]): Promise<void> {
  await producer.send({
    topic: topics.identity,
    acks: -1,
    messages: records.map((r) => ({ key: r.key, value: r.value })),
  });
}

type Status = {
  connection?: { changedAt?: string };
  lastIdentitySync?: Record<string, unknown>;
  lastError?: Record<string, unknown>;
  lastLogPoll?: { syncId?: string };
  runningProgress?: { syncId?: string; phase?: string } | null;
};
const statusOf = (orgId: string) =>
  db.collection<{ _id: string } & Status>('integration_status').findOne({ _id: orgId });

/** Published after the events under test: once the status shows it, everything before it was applied. */
async function barrier(orgId: string): Promise<void> {
  const changedAt = new Date().toISOString();
  await publish(connected(orgId, changedAt));
  await eventually(
    async () => ((await statusOf(orgId))?.connection?.changedAt === changedAt ? true : undefined),
    `status of ${orgId} past the barrier`,
  );
}

type SyncDoc = { _id: string; [field: string]: unknown };
const syncDoc = (orgId: string, syncId: string) =>
  db.collection<SyncDoc>('identity_syncs').findOne({ _id: `${orgId}|${syncId}` });
const applied = (orgId: string, syncId: string) =>
  eventually(
    async () => ((await syncDoc(orgId, syncId))?.materialized === 'applied' ? true : undefined),
    `${syncId} of ${orgId} applied`,
    120_000,
  );
const docsOf = (collection: string, orgId: string) =>
  db.collection<{ _id: string }>(collection).find({ orgId }).sort({ _id: 1 }).toArray();
const snapshots = (orgId: string, syncId: string) =>
  db.collection('evidence_snapshots').countDocuments({ orgId, syncId });
/** Whether anything of the sync is still staged. */
const stagingExists = async (orgId: string, syncId: string) =>
  (await db.collection(IDENTITY_STAGING).countDocuments({ orgId, syncId })) > 0;

const BOOKKEEPING = ['_id', 'orgId', 'lastSeenSyncId', 'removed', 'removedAt', 'removedBySyncId'];
/** The current documents of the org without the fields that name the org or the syncs. */
async function readModels(orgId: string) {
  const strip = (docs: Array<Record<string, unknown>>) =>
    docs
      .filter((d) => d.removed === false)
      .map((d) => Object.fromEntries(Object.entries(d).filter(([k]) => !BOOKKEEPING.includes(k))));
  return {
    users: strip(await docsOf('okta_users', orgId)),
    groups: strip(await docsOf('okta_groups', orgId)),
    apps: strip(await docsOf('okta_apps', orgId)),
  };
}

/** Every control's snapshot at the sync (through the read API), without the org and sync names. */
async function evidenceAt(orgId: string, syncId: string) {
  const out: Record<string, unknown> = {};
  for (const control of CONTROL_IDS) {
    const snapshot = await readWholeSnapshot(projector.url, { orgId, control, syncId });
    const { orgId: _org, syncId: _sync, ...evidence } = snapshot.evidence;
    out[control] = evidence;
  }
  return out;
}

/** The base: u1..u4, g1 {u1,u2}, g2 {u3,u4} holding READ_ONLY_ADMIN, a1 {u1,u2; g1}, a2 {u3,u4}. */
function fullBase(orgId: string) {
  const s = syncOf(orgId, 's1', 0);
  return [
    s.started(),
    s.users([{ id: 'u1' }, { id: 'u2' }, { id: 'u3' }, { id: 'u4' }]),
    s.factors([
      ['u1', [factor('f1', 'push')]],
      ['u2', [factor('f2', 'push')]],
      ['u3', []],
      ['u4', [factor('f4', 'sms')]],
    ]),
    s.roles([['u1', ['SUPER_ADMIN']]]),
    s.groups(['g1', 'g2']),
    s.members('g1', ['u1', 'u2']),
    s.members('g2', ['u3', 'u4']),
    s.groupRoles('g2', ['READ_ONLY_ADMIN']),
    s.apps(['a1', 'a2']),
    s.appUsers('a1', ['u1', 'u2']),
    s.appGroups('a1', ['g1']),
    s.appUsers('a2', ['u3', 'u4']),
    s.appGroups('a2', []),
    s.progress('apps'),
    s.completed(),
  ];
}

/**
 * The changes, read incrementally on top of s1: u2 suspended, u5 new (in g1
 * and a1), u4 deleted (also from g2 and a2, which are not re-read), u3 enrolls
 * a factor; g1's members and a1's assignments re-read.
 */
function incremental(orgId: string, syncId: string, hour: number, baseSyncId: string) {
  const s = syncOf(orgId, syncId, hour, { basis: { baseSyncId, changedSince: at(0) } });
  return [
    s.started(),
    s.users([
      { id: 'u2', status: 'SUSPENDED', updated: hour },
      { id: 'u5', updated: hour },
    ]),
    s.deleted(['u4']),
    s.factors([
      ['u3', [factor('f3', 'webauthn')]],
      ['u5', [factor('f5', 'push')]],
    ]),
    s.groups(['g1', 'g2']),
    s.members('g1', ['u1', 'u2', 'u5']),
    s.apps(['a1', 'a2']),
    s.appUsers('a1', ['u1', 'u5']),
    s.appGroups('a1', ['g1']),
    s.progress('apps'),
    s.completed(),
  ];
}

/** A full sync of the final state (what the incremental one must equal). */
function fullFinal(orgId: string, hour: number) {
  const s = syncOf(orgId, 's2', hour);
  return [
    s.started(),
    s.users([
      { id: 'u1' },
      { id: 'u2', status: 'SUSPENDED', updated: hour },
      { id: 'u3' },
      { id: 'u5', updated: hour },
    ]),
    s.factors([
      ['u1', [factor('f1', 'push')]],
      ['u2', [factor('f2', 'push')]],
      ['u3', [factor('f3', 'webauthn')]],
      ['u5', [factor('f5', 'push')]],
    ]),
    s.roles([['u1', ['SUPER_ADMIN']]]),
    s.groups(['g1', 'g2']),
    s.members('g1', ['u1', 'u2', 'u5']),
    s.members('g2', ['u3']),
    s.groupRoles('g2', ['READ_ONLY_ADMIN']),
    s.apps(['a1', 'a2']),
    s.appUsers('a1', ['u1', 'u5']),
    s.appGroups('a1', ['g1']),
    s.appUsers('a2', ['u3']),
    s.appGroups('a2', []),
    s.progress('apps'),
    s.completed(),
  ];
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

describe('incremental identity syncs (started projector, real Kafka and database)', () => {
  it('applies an incremental sync on its base: the read models and evidence of a full sync of the final state', async () => {
    const orgId = 'org-inc';
    const reference = 'org-inc-full';
    await publish(...fullBase(orgId), ...fullBase(reference));
    await applied(orgId, 's1');
    await applied(reference, 's1');

    await publish(...incremental(orgId, 's2', 4, 's1'), ...fullFinal(reference, 4));
    await applied(orgId, 's2');
    await applied(reference, 's2');

    const overlaid = await readModels(orgId);
    expect(overlaid.users.map((u) => u.id)).toEqual(['u1', 'u2', 'u3', 'u5']);
    expect(overlaid).toEqual(await readModels(reference));

    const users = new Map((await docsOf('okta_users', orgId)).map((u) => [u._id, u]));
    expect(users.get(`${orgId}|u4`)).toMatchObject({
      removed: true,
      removedAt: at(5),
      removedBySyncId: 's2',
    });
    // Listed by s2: seen by it; carried over: the sync that last listed them.
    expect(users.get(`${orgId}|u2`)).toMatchObject({ removed: false, lastSeenSyncId: 's2' });
    expect(users.get(`${orgId}|u5`)).toMatchObject({ removed: false, lastSeenSyncId: 's2' });
    expect(users.get(`${orgId}|u1`)).toMatchObject({ removed: false, lastSeenSyncId: 's1' });
    expect(users.get(`${orgId}|u3`)).toMatchObject({ removed: false, lastSeenSyncId: 's1' });
    const swept = async (collection: string) =>
      (await docsOf(collection, orgId)).filter((d) => (d as { removed?: boolean }).removed);
    expect(await swept('okta_groups')).toEqual([]);
    expect(await swept('okta_apps')).toEqual([]);

    // The snapshot of the incremental sync is the org's whole evidence, as after the full sync.
    expect(await snapshots(orgId, 's2')).toBe(CONTROL_IDS.length);
    expect(await evidenceAt(orgId, 's2')).toEqual(await evidenceAt(reference, 's2'));

    expect(await syncDoc(orgId, 's2')).toMatchObject({
      state: 'completed',
      materialized: 'applied',
      mode: 'incremental',
      baseSyncId: 's1',
      reads: { groupMembers: 1, appAssignments: 1 },
    });
    expect(await syncDoc(reference, 's2')).toMatchObject({ mode: 'full' });
    expect(await stagingExists(orgId, 's2')).toBe(false);
    await barrier(orgId);
    expect((await statusOf(orgId))?.lastIdentitySync).toMatchObject({
      syncId: 's2',
      outcome: 'completed',
      mode: 'incremental',
      baseSyncId: 's1',
    });

    // Based on s1, which is no longer the last applied sync: nothing changes.
    const before = {
      users: await docsOf('okta_users', orgId),
      groups: await docsOf('okta_groups', orgId),
      apps: await docsOf('okta_apps', orgId),
    };
    const stale = syncOf(orgId, 's3', 8, { basis: { baseSyncId: 's1', changedSince: at(0) } });
    const pages = [
      stale.started(),
      stale.users([{ id: 'u1', status: 'SUSPENDED', updated: 8 }]),
      stale.deleted(['u3']),
      stale.groups(['g1']),
      stale.apps([]),
    ];
    const done = stale.completed();
    await publish(...pages, done, done); // redelivered: the same verdict
    await barrier(orgId);
    const reason = 'incomplete: base sync s1 is not the last applied sync (s2)';
    expect(await syncDoc(orgId, 's3')).toMatchObject({
      state: 'failed',
      failureReason: reason,
      failedAt: at(9),
      mode: 'incremental',
      baseSyncId: 's1',
    });
    expect((await syncDoc(orgId, 's3'))?.materialized ?? null).toBeNull();
    expect({
      users: await docsOf('okta_users', orgId),
      groups: await docsOf('okta_groups', orgId),
      apps: await docsOf('okta_apps', orgId),
    }).toEqual(before);
    expect(await snapshots(orgId, 's3')).toBe(0);
    expect(await stagingExists(orgId, 's3')).toBe(false);
    const status = await statusOf(orgId);
    expect(status?.lastIdentitySync).toMatchObject({
      syncId: 's3',
      outcome: 'failed',
      reason,
      mode: 'incremental',
      baseSyncId: 's1',
    });
    expect(status?.lastError).toMatchObject({ reason });
    expect(String(status?.lastError?.message)).toMatch(/does not build on/);
  });

  it('lists the deleted user in the provisioning evidence with its System Log delete event', async () => {
    const orgId = 'org-inc-deleted';
    await publish(...fullBase(orgId));
    await applied(orgId, 's1');
    // The deletion, in the System Log between the two syncs.
    await producer.send({
      topic: topics.systemLog,
      acks: -1,
      messages: logPoll(orgId, 3, [
        logEvent('del-u4', 'user.lifecycle.delete.completed', 3, ['u4']),
      ]).map((r) => ({ key: r.key, value: r.value })),
    });
    await eventually(
      async () => ((await statusOf(orgId))?.lastLogPoll?.syncId === 'poll-1' ? true : undefined),
      'log poll applied',
    );
    await publish(...incremental(orgId, 's2', 4, 's1'));
    await applied(orgId, 's2');

    const evidence = (await evidenceAt(orgId, 's2')).provisioning as {
      summary: Record<string, unknown>;
      items: { deletedUsers: unknown[] };
    };
    expect(evidence.items.deletedUsers).toEqual([
      {
        userId: 'u4',
        login: 'u4@example.com',
        email: 'u4@example.com',
        status: 'ACTIVE',
        deletedAt: at(3),
        source: 'system-log',
        removedAt: at(5),
        removedBySyncId: 's2',
        deleteEvent: { uuid: 'del-u4', published: at(3), actorId: 'admin-9' },
      },
    ]);
    expect(evidence.summary).toMatchObject({ deletedInWindow: 1, deletedWithoutLogEvent: 0 });
  });

  it('fails an incremental sync of an org with no applied sync', async () => {
    const orgId = 'org-inc-nobase';
    await publish(...incremental(orgId, 's2', 4, 's1'));
    await barrier(orgId);
    expect(await syncDoc(orgId, 's2')).toMatchObject({
      state: 'failed',
      failureReason: 'incomplete: base sync s1 is not the last applied sync (none)',
    });
    expect(await docsOf('okta_users', orgId)).toEqual([]);
    expect(await snapshots(orgId, 's2')).toBe(0);
  });

  it('applies from the staged base when a first attempt wrote half way (documents deleted, not reinserted)', async () => {
    const orgId = 'org-inc-crash';
    const reference = 'org-inc-crash-full';
    await publish(...fullBase(orgId), ...fullBase(reference), ...fullFinal(reference, 4));
    await applied(orgId, 's1');
    await applied(reference, 's2');

    const events = incremental(orgId, 's2', 4, 's1');
    const completion = events.pop()!;
    await publish(...events);
    await eventually(async () => {
      const progress = (await statusOf(orgId))?.runningProgress;
      return progress?.syncId === 's2' && progress.phase === 'apps' ? true : undefined;
    }, 's2 staged through its last page');
    // A first attempt: the base staged, then a chunk of users deleted and the process gone.
    const materializer = projector.app.get(MaterializerService);
    await projector.app
      .get(StagingRepository)
      .stageBase(orgId, 's2', await materializer.currentOf(orgId));
    await db.collection('okta_users').deleteMany({ orgId, _id: { $in: [`${orgId}|u1`] } } as never);
    projector.app.get(StagingRepository).clearCache(); // as after the restart: read back from the database

    await publish(completion);
    await applied(orgId, 's2');
    expect(await readModels(orgId)).toEqual(await readModels(reference));
  });
});
