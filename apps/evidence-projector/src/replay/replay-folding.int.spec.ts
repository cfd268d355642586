import { randomUUID } from 'node:crypto';
import { Admin, Producer } from 'kafkajs';
import { Document, MongoClient } from 'mongodb';
import { EncodedRecord, topicNames } from '@regentra/contracts';
import { createTopicsWithLeaders } from '@regentra/kafka';
import { projectorConfig } from '../../../../test/support/apps';
import { testKafka } from '../../../../test/support/kafka-helpers';
import { identityHistory, systemLogHistory } from '../../../../test/support/replay-history';
import { isolation, services } from '../../../../test/support/test-env';
import { MaterializerService } from '../directory/materializer.service';
import { replay } from './replay.runner';

jest.setTimeout(300_000);

/**
 * The folded replay (each org's syncs computed in memory, read models written
 * once) against the replay that writes every sync in turn, on the same
 * topics: every document of every collection identical (the projection time
 * aside), every snapshot with the same hash, the same change events.
 */
const iso = isolation('replay-fold');
const topics = topicNames(iso.topicPrefix);
const kafka = testKafka();
let producer: Producer;
let admin: Admin;
let mongo: MongoClient;
const databases: string[] = [];
/** The replay that writes every sync: what the others are compared with. */
let reference: Record<string, Document[]>;

/** Stamped with the wall clock when written: the only field two projections may differ in. */
const CLOCK_FIELDS = ['projectedAt'];

/** Every collection of a database, each document without its clock fields, by _id. */
async function contentsOf(db: string): Promise<Record<string, Document[]>> {
  const out: Record<string, Document[]> = {};
  const names = (await mongo.db(db).listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .sort();
  for (const name of names) {
    const docs = await mongo.db(db).collection(name).find({}).toArray();
    out[name] = docs
      .map((d) => Object.fromEntries(Object.entries(d).filter(([k]) => !CLOCK_FIELDS.includes(k))))
      .sort((a, b) => (String(a._id) < String(b._id) ? -1 : 1));
  }
  return out;
}

/** The first difference between two databases' contents, or null. */
function firstDifference(
  a: Record<string, Document[]>,
  b: Record<string, Document[]>,
): string | null {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const name of names) {
    const left = a[name] ?? [];
    const right = b[name] ?? [];
    if (left.length !== right.length)
      return `${name}: ${left.length} documents against ${right.length}`;
    for (let i = 0; i < left.length; i++)
      if (JSON.stringify(left[i]) !== JSON.stringify(right[i]))
        return `${name}: ${JSON.stringify(left[i])} against ${JSON.stringify(right[i])}`;
  }
  return null;
}

async function changeRecords(): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `${iso.groupId}.read.${randomUUID().slice(0, 8)}` });
  const high = (await admin.fetchTopicOffsets(topics.changes)).reduce(
    (n, p) => n + Number(p.high),
    0,
  );
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: topics.changes, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      values.push(message.value?.toString() ?? '');
    },
  });
  const deadline = Date.now() + 60_000;
  while (values.length < high && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  await consumer.disconnect();
  return values;
}

async function replayInto(fold: 'replay' | 'batch' | 'off'): Promise<string> {
  const target = isolation(`fold-${fold}`);
  databases.push(target.projectorDb);
  await replay({
    config: { ...projectorConfig(iso), LOG_LEVEL: 'warn' },
    targetDb: target.projectorDb,
    groupId: `${target.groupId}.${randomUUID().slice(0, 8)}`,
    timeoutMs: 120_000,
    publishChanges: true,
    fold,
  });
  return target.projectorDb;
}

async function publish(topic: string, records: EncodedRecord[]): Promise<void> {
  await producer.send({
    topic,
    acks: -1,
    messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
  });
}

beforeAll(async () => {
  mongo = await new MongoClient(services().mongoUri).connect();
  admin = kafka.admin();
  await admin.connect();
  // One partition each: both orgs share it, so one org's run is cut by the other's syncs.
  await createTopicsWithLeaders(
    admin,
    Object.values(topics).map((topic) => ({ topic, numPartitions: 1 })),
  );
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await publish(topics.systemLog, systemLogHistory());
  await publish(topics.identity, identityHistory());
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  for (const db of databases) await mongo.db(db).dropDatabase();
  await mongo?.close();
});

describe('folding each org’s syncs (real Kafka and database)', () => {
  it('writes the same documents, snapshots and change events as writing every sync, in a replay and batch by batch', async () => {
    const perSync = await replayInto('off');
    const perSyncChanges = await changeRecords();
    const folded = await replayInto('replay');
    const foldedChanges = (await changeRecords()).slice(perSyncChanges.length);
    // As a live projector folds the syncs one batch holds (the whole topic fits in one here).
    const batched = await replayInto('batch');
    const batchedChanges = (await changeRecords()).slice(2 * perSyncChanges.length);

    const expected = await contentsOf(perSync);
    reference = expected;
    // The history exercised what it is meant to: syncs applied, refused, superseded, removals.
    const syncs = expected.identity_syncs ?? [];
    const applied = syncs.filter((s) => s.materialized === 'applied').map((s) => s.syncId);
    expect(applied.sort()).toEqual(
      ['a-s1', 'a-s2', 'a-s3', 'a-s4', 'a-s8', 'a-s9', 'a-s10', 'b-s1', 'b-s2'].sort(),
    );
    expect(
      syncs
        .filter((s) => s.state === 'failed')
        .map((s) => s.syncId)
        .sort(),
    ).toEqual(['a-s5', 'a-s6', 'a-s7'].sort());
    expect(syncs.some((s) => s.syncId === 'a-zombie')).toBe(false);
    expect((expected.evidence_snapshots ?? []).length).toBe(applied.length * 4);
    const removed = (expected.okta_users ?? []).filter((u) => u.removed).map((u) => u.id);
    expect(removed.sort()).toEqual(['u2', 'u5', 'v1']);
    expect(perSyncChanges.length).toBeGreaterThan(10);

    expect(firstDifference(expected, await contentsOf(folded))).toBeNull();
    expect(firstDifference(expected, await contentsOf(batched))).toBeNull();
    // Published again with the same ids, in the same order.
    expect(foldedChanges).toEqual(perSyncChanges);
    expect(batchedChanges).toEqual(perSyncChanges);

    // The comparison sees a single changed snapshot.
    await mongo
      .db(folded)
      .collection<{ _id: string }>('evidence_snapshots')
      .updateOne({ _id: 'org-fold-a|authentication|a-s3' }, { $set: { hash: 'sha256:0' } });
    expect(firstDifference(expected, await contentsOf(folded))).toMatch(/^evidence_snapshots/);
  });

  it('writes the same after a crash in the writes of a batch’s run, repeated', async () => {
    expect(reference).toBeDefined();
    // The run a-s4, a-s8, a-s9, a-s10 fails once in its last sync's writes: the earlier ones are
    // recorded applied by then, so the batch comes again and a-s10 is repeated alone.
    const write = MaterializerService.prototype.write;
    let crashes = 0;
    const spy = jest
      .spyOn(MaterializerService.prototype, 'write')
      .mockImplementation(async function (this: MaterializerService, ...args) {
        const [, syncId] = args;
        if (syncId === 'a-s10' && crashes === 0) {
          crashes += 1;
          throw new Error('simulated crash in the writes');
        }
        return write.apply(this, args);
      });
    try {
      const crashed = await replayInto('batch');
      expect(crashes).toBe(1);
      expect(firstDifference(reference, await contentsOf(crashed))).toBeNull();
    } finally {
      spy.mockRestore();
    }
  });
});
