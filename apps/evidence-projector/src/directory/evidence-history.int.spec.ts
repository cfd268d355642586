import { Db, MongoClient } from 'mongodb';
import { Producer } from 'kafkajs';
import { EncodedRecord, SyncProvenance, topicNames } from '@regentra/contracts';
import { projectorConfig, startProjector, StartedApp } from '../../../../test/support/apps';
import { factor, syncOf } from '../../../../test/support/identity-topic';
import { testKafka } from '../../../../test/support/kafka-helpers';
import { isolation, services } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';

jest.setTimeout(120_000);

/**
 * Provenance and evidence histories (docs/read-models.md): every evidence
 * head and snapshot says where it came from, and a connection moved to
 * another Okta org starts a new history: the new org's sync is applied on
 * empty read models (nothing of the old org swept into it or listed as
 * deleted), while the old org's snapshots stay readable.
 */
const iso = isolation('evidence-history');
const topics = topicNames(iso.topicPrefix);
let projector: StartedApp;
let producer: Producer;
let mongo: MongoClient;
let db: Db;

const provenanceOf = (oktaOrgId: string, apiHost: string): SyncProvenance => ({
  oktaDomain: apiHost,
  apiHost,
  oktaOrgId,
  tokenOwnerId: `00u-owner-${oktaOrgId}`,
  oauthClientId: null,
  collectorInstance: 'collector-0000test',
  collectorVersion: '0.1.0',
});
const A = provenanceOf('00oORGA', 'a.okta.com');
const B = provenanceOf('00oORGB', 'b.okta.com');

async function publish(...records: EncodedRecord[]): Promise<void> {
  await producer.send({
    topic: topics.identity,
    acks: -1,
    messages: records.map((r) => ({ key: r.key, value: r.value })),
  });
}

type SyncDoc = { materialized?: string | null; state?: string; failureReason?: string | null };
const syncDoc = (orgId: string, syncId: string) =>
  db.collection<SyncDoc & { _id: string }>('identity_syncs').findOne({ _id: `${orgId}|${syncId}` });
const decided = (orgId: string, syncId: string) =>
  eventually(async () => {
    const doc = await syncDoc(orgId, syncId);
    return doc?.materialized === 'applied' || doc?.state === 'failed' ? doc : undefined;
  }, `${syncId} of ${orgId} decided`);

type Head = { provenance?: Record<string, unknown>; summary: Record<string, unknown> };
const current = (orgId: string, control: string) =>
  db.collection<{ _id: string } & Head>('control_evidence').findOne({ _id: `${orgId}|${control}` });
const snapshot = (orgId: string, control: string, syncId: string) =>
  db
    .collection<{ _id: string; evidence: Head }>('evidence_snapshots')
    .findOne({ _id: `${orgId}|${control}|${syncId}` });

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
  await mongo?.close();
});

it('records provenance in every evidence head and snapshot, and starts a new history for another Okta org', async () => {
  const orgId = 'org-history';
  const a1 = syncOf(orgId, 'a1', 0, { provenance: A });
  await publish(
    a1.started(),
    a1.users(Array.from({ length: 4 }, (_, i) => `ua${i}`)),
    a1.factors([['ua0', [factor('f-ua0', 'push')]]]),
    a1.completed(),
  );
  expect((await decided(orgId, 'a1')).materialized).toBe('applied');
  const snapA = await snapshot(orgId, 'access-review', 'a1');
  expect(snapA?.evidence.provenance).toEqual({
    ...A,
    evidenceHistoryId: `${orgId}|00oORGA`,
    identitySyncId: 'a1',
    logsThrough: null,
    rulesVersion: 1,
    codeVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
  });
  for (const control of ['access-review', 'provisioning', 'authentication', 'least-privilege'])
    expect((await current(orgId, control))?.provenance).toMatchObject({
      oktaOrgId: '00oORGA',
      identitySyncId: 'a1',
      rulesVersion: 1,
    });

  // The connection now points at another Okta org: its first sync is a new history.
  const b1 = syncOf(orgId, 'b1', 4, { provenance: B });
  await publish(b1.started(), b1.users(['ub0', 'ub1']), b1.completed());
  expect((await decided(orgId, 'b1')).materialized).toBe('applied');

  // The read models hold the new org only: the old org's users are not swept into it as removed.
  const users = await db.collection('okta_users').find({ orgId }).toArray();
  expect(users.map((u) => u.id as string).sort()).toEqual(['ub0', 'ub1']);
  const provisioning = await snapshot(orgId, 'provisioning', 'b1');
  expect(provisioning?.evidence.summary).toMatchObject({ deletedInWindow: 0 });
  expect((await current(orgId, 'access-review'))?.provenance).toMatchObject({
    oktaOrgId: '00oORGB',
    apiHost: 'b.okta.com',
    evidenceHistoryId: `${orgId}|00oORGB`,
    identitySyncId: 'b1',
  });
  // The old history stays readable, unchanged.
  expect(await snapshot(orgId, 'access-review', 'a1')).toEqual(snapA);

  // An incremental sync of yet another org cannot build on this history's last sync.
  const c1 = syncOf(orgId, 'c1', 8, {
    provenance: provenanceOf('00oORGC', 'c.okta.com'),
    basis: { baseSyncId: 'b1', changedSince: '2026-01-01T00:00:00.000Z' },
  });
  await publish(c1.started(), c1.users(['uc0']), c1.completed());
  const failed = await decided(orgId, 'c1');
  expect(failed.state).toBe('failed');
  expect(failed.failureReason).toMatch(/another Okta org/);
  expect((await current(orgId, 'access-review'))?.provenance).toMatchObject({
    identitySyncId: 'b1',
  });
});
