import { Db, MongoClient } from 'mongodb';
import { Producer } from 'kafkajs';
import { EncodedRecord, topicNames } from '@regentra/contracts';
import { projectorConfig, startProjector, StartedApp } from '../../../../test/support/apps';
import { at, syncOf } from '../../../../test/support/identity-topic';
import { testKafka } from '../../../../test/support/kafka-helpers';
import { isolation, services } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';
import { EvidenceService } from '../evidence/evidence.service';
import { armFailpoint } from '../platform/failpoints';

jest.setTimeout(180_000);

/**
 * The directory is read back for evidence only when it is whole
 * (docs/read-models.md, Directory heads): a crash between a chunk's delete and
 * its insert, with a log poll's evidence computed right there (as an
 * instance holding the org's System Log partition would), writes no evidence
 * with users missing, and the repeated completion writes the whole evidence.
 */
const iso = isolation('directory-heads');
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

type Summary = { totalUsers: number; complete: boolean };
const accessReview = async (orgId: string) =>
  db
    .collection<{ _id: string; syncId: string; summary: Summary }>('control_evidence')
    .findOne({ _id: `${orgId}|access-review` });

/** A full sync of `users` (no groups, no apps). */
function fullSync(orgId: string, syncId: string, hour: number, users: string[]) {
  const s = syncOf(orgId, syncId, hour);
  return [
    s.started(),
    s.users(users.map((id) => ({ id }))),
    s.factors(users.map((id) => [id, []])),
    s.roles([]),
    s.groups([]),
    s.apps([]),
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

describe('evidence only from a whole directory', () => {
  it('writes no evidence with users missing when a write crashes between a delete and its insert', async () => {
    const orgId = 'org-heads-crash';
    const users = ['u1', 'u2', 'u3', 'u4'];
    await publish(...fullSync(orgId, 's1', 0, users));
    await applied(orgId, 's1');
    expect((await accessReview(orgId))?.summary.totalUsers).toBe(4);

    // s2's first attempt: its chunk of users deleted, a log poll's evidence computed there
    // (the org's System Log partition may be another instance's), then the process gone.
    const seen: Array<{ totalUsers?: number; complete?: boolean }> = [];
    const disarm = armFailpoint('directory.betweenDeleteAndInsert', async () => {
      await projector.app
        .get(EvidenceService)
        .refreshAfterLogPoll(orgId, { outcome: 'completed', at: at(3) });
      const evidence = await accessReview(orgId);
      seen.push({ totalUsers: evidence?.summary.totalUsers, complete: evidence?.summary.complete });
      throw new Error('crash between a chunk delete and its insert (failpoint)');
    });
    try {
      await publish(...fullSync(orgId, 's2', 4, [...users, 'u5']));
      await applied(orgId, 's2');
    } finally {
      disarm();
    }

    expect(seen).toHaveLength(1); // the failpoint was reached, and crashed the first attempt
    // Computed during the crashed write: s1's whole evidence, never one with users missing.
    expect(seen[0]?.totalUsers).toBe(4);
    const after = await accessReview(orgId);
    expect(after?.syncId).toBe('s2');
    expect(after?.summary.totalUsers).toBe(5);
    const head = await db
      .collection<{ _id: string }>('okta_directory_heads')
      .findOne({ _id: orgId });
    expect(head).toMatchObject({ syncId: 's2', writing: null });
  });
});
