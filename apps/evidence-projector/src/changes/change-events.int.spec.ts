import { randomUUID } from 'node:crypto';
import { Admin, Producer } from 'kafkajs';
import { Db, MongoClient } from 'mongodb';
import { ChangeEvent, decodeMessage, EncodedRecord, topicNames, TOPICS } from '@regentra/contracts';
import { projectorConfig, startProjector, StartedApp } from '../../../../test/support/apps';
import { at, factor, logEvent, logPoll, syncOf } from '../../../../test/support/identity-topic';
import { collectTopic, CollectedRecord, testKafka } from '../../../../test/support/kafka-helpers';
import { isolation, services } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';
import { IdentitySyncsRepository } from '../directory/identity-syncs.repository';
import { replay } from '../replay/replay.runner';

jest.setTimeout(300_000);

/**
 * Change events through a started projector on the real broker and database:
 * the first sync of an org publishes nothing; a second sync (full for one org,
 * incremental for another) publishes exactly its ten changes to
 * okta.changes.v1 with the sync id, the previous sync and, where the System
 * Log facts hold one, the explaining event; a completion repeated after a
 * crash between the publish and the sync being recorded applied publishes the
 * same ids again; a replay publishes nothing by default, and the same ids
 * (the same records) when asked to.
 */
const iso = isolation('change-events');
const topics = topicNames(iso.topicPrefix);
const kafka = testKafka();
let projector: StartedApp;
let producer: Producer;
let admin: Admin;
let mongo: MongoClient;
let db: Db;
let changes: { records: CollectedRecord[]; stop(): Promise<void> };

const FULL = 'org-changes-full';
const INCREMENTAL = 'org-changes-incremental';
/** Before: u1..u3 active, u4 deactivated; g1 {u1,u2,u4}, g2 {u3}; a1 {u1,u4}, a2 {u2}; u1 a super admin. */
function firstSync(orgId: string) {
  const s = syncOf(orgId, 's1', 0);
  return [
    s.started(),
    s.users([{ id: 'u1' }, { id: 'u2' }, { id: 'u3' }, { id: 'u4', status: 'DEPROVISIONED' }]),
    s.factors([
      ['u1', [factor('f1', 'push')]],
      ['u2', [factor('f2', 'sms')]],
      ['u3', []],
      ['u4', [factor('f4', 'push')]],
    ]),
    s.roles([
      ['u1', ['SUPER_ADMIN']],
      ['u4', ['APP_ADMIN']],
    ]),
    s.groups(['g1', 'g2']),
    s.members('g1', ['u1', 'u2', 'u4']),
    s.members('g2', ['u3']),
    s.apps(['a1', 'a2']),
    s.appUsers('a1', ['u1', 'u4']),
    s.appGroups('a1', []),
    s.appUsers('a2', ['u2']),
    s.appGroups('a2', []),
    s.completed(),
  ];
}

/**
 * A full sync of the changed org: u1 suspended and no longer a super admin,
 * u2 swapped its sms factor for webauthn, left g1 and lost a2, u3 joined g1,
 * got a1 and became an org admin, u4 deleted.
 */
function fullSecondSync(orgId: string) {
  const s = syncOf(orgId, 's2', 4);
  return [
    s.started(),
    s.users([{ id: 'u1', status: 'SUSPENDED' }, { id: 'u2' }, { id: 'u3' }]),
    s.factors([
      ['u1', [factor('f1', 'push')]],
      ['u2', [factor('f3', 'webauthn')]],
      ['u3', []],
    ]),
    s.roles([['u3', ['ORG_ADMIN']]]),
    s.groups(['g1', 'g2']),
    s.members('g1', ['u1', 'u3']),
    s.members('g2', ['u3']),
    s.apps(['a1', 'a2']),
    s.appUsers('a1', ['u1', 'u3']),
    s.appGroups('a1', []),
    s.appUsers('a2', []),
    s.appGroups('a2', []),
    s.completed(),
  ];
}

/** The same changes, read incrementally on top of s1. */
function incrementalSecondSync(orgId: string) {
  const s = syncOf(orgId, 's2', 4, { basis: { baseSyncId: 's1', changedSince: at(0) } });
  return [
    s.started(),
    s.users([{ id: 'u1', status: 'SUSPENDED' }]),
    s.deleted(['u4']),
    s.factors([['u2', [factor('f3', 'webauthn')]]]),
    s.roles([
      ['u1', []],
      ['u3', ['ORG_ADMIN']],
    ]),
    s.groups(['g1', 'g2']),
    s.members('g1', ['u1', 'u3']),
    s.apps(['a1', 'a2']),
    s.appUsers('a1', ['u1', 'u3']),
    s.appGroups('a1', []),
    s.appUsers('a2', []),
    s.appGroups('a2', []),
    s.completed(),
  ];
}

/** The System Log between the syncs of FULL: what explains some of its changes. */
const logOfFull = (orgId: string) =>
  logPoll(orgId, 3, [
    logEvent('e-suspend', 'user.lifecycle.suspend', 2, ['u1']),
    logEvent('e-revoke-failed', 'user.account.privilege.revoke', 2, ['u1'], { ok: false }),
    logEvent('e-factor', 'user.mfa.factor.activate', 2, ['u2']),
    logEvent('e-join', 'group.user_membership.add', 3, ['u3', 'g1']),
    logEvent('e-grant', 'user.account.privilege.grant', 3, ['u3']),
    logEvent('e-delete', 'user.lifecycle.delete.completed', 3, ['u4']),
  ]);

const explained = (uuid: string, eventType: string, hour: number) => ({
  uuid,
  eventType,
  published: at(hour),
});

/** The ten changes of s2 in publishing order, with the explanations FULL's log holds. */
const EXPECTED: Array<[ChangeEvent['type'], object, object | null]> = [
  [
    'UserStatusChanged',
    { userId: 'u1', from: 'ACTIVE', to: 'SUSPENDED' },
    explained('e-suspend', 'user.lifecycle.suspend', 2),
  ],
  // the revoke event in the log failed: it explains nothing
  ['AdminRoleRevoked', { userId: 'u1', roleType: 'SUPER_ADMIN', assignmentType: 'USER' }, null],
  [
    'FactorEnrolled',
    { userId: 'u2', factorId: 'f3', factorType: 'webauthn' },
    explained('e-factor', 'user.mfa.factor.activate', 2),
  ],
  ['FactorRemoved', { userId: 'u2', factorId: 'f2', factorType: 'sms' }, null],
  ['GroupMembershipRemoved', { userId: 'u2', groupId: 'g1' }, null],
  ['AppAssignmentRemoved', { userId: 'u2', appId: 'a2', scope: 'USER' }, null],
  [
    'GroupMembershipAdded',
    { userId: 'u3', groupId: 'g1' },
    explained('e-join', 'group.user_membership.add', 3),
  ],
  ['AppAssignmentAdded', { userId: 'u3', appId: 'a1', scope: 'USER' }, null],
  [
    'AdminRoleGranted',
    { userId: 'u3', roleType: 'ORG_ADMIN', assignmentType: 'USER' },
    explained('e-grant', 'user.account.privilege.grant', 3),
  ],
  ['UserDeleted', { userId: 'u4' }, explained('e-delete', 'user.lifecycle.delete.completed', 3)],
];

async function publishTo(topic: string, records: EncodedRecord[]): Promise<void> {
  await producer.send({
    topic,
    acks: -1,
    messages: records.map((r) => ({ key: r.key, value: r.value })),
  });
}

const applied = (orgId: string, syncId: string) =>
  eventually(
    async () => {
      const doc = await db
        .collection<{ _id: string; materialized?: string }>('identity_syncs')
        .findOne({ _id: `${orgId}|${syncId}` });
      return doc?.materialized === 'applied' ? true : undefined;
    },
    `${syncId} of ${orgId} applied`,
    120_000,
  );

/** Records on okta.changes.v1 now, from the broker's end offsets (exact, unlike a reader's progress). */
async function changeRecordCount(): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topics.changes);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

/** The records the reader got so far, once it has `count` of them. */
const readChanges = (count: number) =>
  eventually(
    () => (changes.records.length >= count ? [...changes.records] : undefined),
    `${count} records on ${topics.changes}`,
    60_000,
  );

function decoded(record: CollectedRecord): ChangeEvent {
  const result = decodeMessage(TOPICS.changes, record.value, record.key);
  if (!result.ok) throw new Error(result.reason);
  return result.message;
}

const ofOrg = (records: CollectedRecord[], orgId: string) =>
  records.filter((r) => r.key === orgId).map(decoded);

beforeAll(async () => {
  mongo = await new MongoClient(services().mongoUri, { retryWrites: false }).connect();
  db = mongo.db(iso.projectorDb);
  projector = await startProjector(projectorConfig(iso));
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  admin = kafka.admin();
  await admin.connect();
  changes = await collectTopic(kafka, topics.changes);
});

afterAll(async () => {
  await changes?.stop();
  await admin?.disconnect();
  await producer?.disconnect();
  await projector?.close();
  await db?.dropDatabase();
  await mongo?.close();
});

describe('change events on okta.changes.v1 (started projector, real Kafka and database)', () => {
  it('publishes nothing for the first sync of an org: the baseline', async () => {
    await publishTo(topics.identity, [...firstSync(FULL), ...firstSync(INCREMENTAL)]);
    await applied(FULL, 's1');
    await applied(INCREMENTAL, 's1');
    // Changes are published before a sync is recorded applied: none were.
    expect(await changeRecordCount()).toBe(0);
  });

  it('publishes exactly the changes of a full second sync, explained by the log; a repeat after a crash publishes the same ids', async () => {
    await publishTo(topics.systemLog, logOfFull(FULL));
    await eventually(
      async () =>
        (await db.collection('okta_log_events').countDocuments({ orgId: FULL })) === 6
          ? true
          : undefined,
      'log facts written',
    );
    // A crash after the changes went out, before the sync is recorded applied: the batch is redelivered.
    const syncs = projector.app.get(IdentitySyncsRepository);
    const upsert = syncs.upsert.bind(syncs);
    let crashes = 0;
    const spy = jest.spyOn(syncs, 'upsert').mockImplementation(async (orgId, syncId, set) => {
      if (orgId === FULL && syncId === 's2' && set.materialized === 'applied' && crashes === 0) {
        crashes += 1;
        throw new Error('simulated crash before the sync is recorded applied');
      }
      return upsert(orgId, syncId, set);
    });
    try {
      await publishTo(topics.identity, fullSecondSync(FULL));
      await applied(FULL, 's2');
    } finally {
      spy.mockRestore();
    }
    expect(crashes).toBe(1);
    expect(await changeRecordCount()).toBe(2 * EXPECTED.length);

    const events = ofOrg(await readChanges(2 * EXPECTED.length), FULL);
    const first = events.slice(0, EXPECTED.length);
    expect(first.map((e) => [e.type, e.payload])).toEqual(
      EXPECTED.map(([type, ids, explainedBy]) => [
        type,
        { ...ids, previousSyncId: 's1', explainedBy },
      ]),
    );
    for (const event of first)
      expect(event).toMatchObject({ orgId: FULL, syncId: 's2', occurredAt: at(5) });
    expect(new Set(first.map((e) => e.eventId)).size).toBe(EXPECTED.length);
    // The repeat: the same records, the same ids, in the same order.
    expect(events.slice(EXPECTED.length)).toEqual(first);
  });

  it('publishes the same changes for an incremental second sync (measured on its staged base)', async () => {
    await publishTo(topics.identity, incrementalSecondSync(INCREMENTAL));
    await applied(INCREMENTAL, 's2');
    expect(await changeRecordCount()).toBe(3 * EXPECTED.length);
    const events = ofOrg(await readChanges(3 * EXPECTED.length), INCREMENTAL);
    // No System Log for this org: nothing is explained.
    expect(events.map((e) => [e.type, e.payload])).toEqual(
      EXPECTED.map(([type, ids]) => [type, { ...ids, previousSyncId: 's1', explainedBy: null }]),
    );
    expect(events.every((e) => e.syncId === 's2')).toBe(true);
  });

  it('replays without publishing by default, and with the same ids (the same records) when asked', async () => {
    const live = [...changes.records];
    const replayInto = async (publishChanges?: boolean) => {
      const target = isolation('changesreplay');
      await replay({
        config: { ...projectorConfig(iso), LOG_LEVEL: 'warn' },
        targetDb: target.projectorDb,
        groupId: `${target.groupId}.${randomUUID().slice(0, 8)}`,
        timeoutMs: 120_000,
        ...(publishChanges === undefined ? {} : { publishChanges }),
      });
      await mongo.db(target.projectorDb).dropDatabase();
    };

    await replayInto();
    // The replay caught up with both topics: whatever it would have published is on the topic.
    expect(await changeRecordCount()).toBe(live.length);

    await replayInto(true);
    expect(await changeRecordCount()).toBe(live.length + 2 * EXPECTED.length);
    const replayed = (await readChanges(live.length + 2 * EXPECTED.length)).slice(live.length);
    const firstCopies = (orgId: string) => ofOrg(live, orgId).slice(0, EXPECTED.length);
    expect(ofOrg(replayed, FULL)).toEqual(firstCopies(FULL));
    expect(ofOrg(replayed, INCREMENTAL)).toEqual(firstCopies(INCREMENTAL));
  });
});
