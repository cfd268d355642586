import { Db, MongoClient } from 'mongodb';
import { Producer } from 'kafkajs';
import { DeadLetter, EncodedRecord, topicNames } from '@regentra/contracts';
import { projectorConfig, startProjector, StartedApp } from '../../../../test/support/apps';
import { factor, syncOf } from '../../../../test/support/identity-topic';
import { CollectedRecord, collectTopic, testKafka } from '../../../../test/support/kafka-helpers';
import { isolation, services } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';

jest.setTimeout(300_000);

/**
 * Poison is quarantined per org (docs/read-models.md, "Poison is
 * quarantined"), through a started projector on the real broker and
 * database. Three orgs share partition 0: `org-poison` holds 4,400 users of
 * distinct 4 KiB statuses (its access-review summary alone is over 17 MiB)
 * and then a user whose status has a NUL byte; `org-plain` and `org-keys`
 * are healthy (`org-keys`' statuses, factor and role types start with `$` or
 * hold a `.`, which the database refuses as keys). The healthy orgs get
 * their evidence, the poisoned one is dead-lettered with the reason, marked
 * `projection_failed`, counted by the metric and reported by /health.
 */
const iso = isolation('poison');
const topics = topicNames(iso.topicPrefix);
const POISON = 'org-poison';
const PLAIN = 'org-plain';
const KEYS = 'org-keys';
const BIG_USERS = 4_400;
const PER_PAGE = 100;
let projector: StartedApp;
let producer: Producer;
let mongo: MongoClient;
let db: Db;
let deadLetters: { records: CollectedRecord[]; stop(): Promise<void> };

/** Every record on partition 0, whatever its key: the three orgs share it (one per send: big pages). */
async function publish(records: EncodedRecord[]): Promise<void> {
  for (const r of records)
    await producer.send({
      topic: topics.identity,
      acks: -1,
      messages: [{ key: r.key, value: r.value, partition: 0 }],
    });
}

const evidenceOf = (orgId: string) =>
  db
    .collection<{ control: string; summary: Record<string, unknown> }>('control_evidence')
    .find({ orgId })
    .toArray();
type Projection = { state?: string; reason?: string; eventType?: string; records?: number };
const projectionOf = async (orgId: string) =>
  (
    await db
      .collection<{ _id: string; projection?: { identity?: Projection } }>('integration_status')
      .findOne({ _id: orgId })
  )?.projection?.identity;
const lettersOf = (orgId: string) =>
  deadLetters.records
    .filter((r) => r.key === orgId)
    .map((r) => {
      const letter = r.json as DeadLetter;
      const original = JSON.parse(letter.originalValue ?? 'null') as {
        type: string;
        syncId: string;
      };
      return { reason: letter.reason, header: r.headers['dead-letter-reason'], ...original };
    });
const text = async (path: string) => (await fetch(`${projector.url}${path}`)).text();

/** A small healthy sync: three active users with factors, one admin. */
function healthySync(
  orgId: string,
  syncId: string,
  hour: number,
  statuses: string[],
  kinds: string[],
) {
  const s = syncOf(orgId, syncId, hour);
  const users = statuses.map((status, i) => ({ id: `${orgId}-u${i}`, status }));
  return {
    started: s.started(),
    pages: [
      s.users(users),
      s.factors(
        users.map((u, i) => [u.id, [factor(`f-${u.id}`, kinds[i % kinds.length] as string)]]),
      ),
      s.roles([[users[0]!.id, kinds]]),
    ],
    completed: () => s.completed(),
  };
}

beforeAll(async () => {
  mongo = await new MongoClient(services().mongoUri, { retryWrites: false }).connect();
  db = mongo.db(iso.projectorDb);
  projector = await startProjector(projectorConfig(iso));
  producer = testKafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  deadLetters = await collectTopic(testKafka(), topics.deadLetter);
});

afterAll(async () => {
  await deadLetters?.stop();
  await producer?.disconnect();
  await projector?.close();
  await db?.dropDatabase();
  await mongo?.close();
});

describe('poison is quarantined, per org (started projector, real Kafka and database)', () => {
  it('gives the healthy orgs of the partition their evidence and shows the poisoned one failed', async () => {
    const plain = healthySync(PLAIN, 's1', 0, ['ACTIVE', 'ACTIVE', 'SUSPENDED'], ['push']);
    const keys = healthySync(
      KEYS,
      's1',
      0,
      ['ACTIVE', 'ACTIVE', '$ACTIVE', 'dot.ted'],
      ['$push.v2', 'a.b'],
    );
    const big = syncOf(POISON, 's1', 0);
    const bigPages = Array.from({ length: BIG_USERS / PER_PAGE }, (_, page) =>
      big.users(
        Array.from({ length: PER_PAGE }, (_, i) => {
          const n = page * PER_PAGE + i;
          return { id: `p${n}`, status: `S${n}-`.padEnd(4096, 'x') };
        }),
      ),
    );
    // Interleaved on one partition: the poisoned org's writes fail between the others'.
    await publish([
      plain.started,
      big.started(),
      keys.started,
      ...plain.pages,
      ...bigPages,
      ...keys.pages,
      plain.completed(),
      big.completed(),
      keys.completed(),
    ]);

    const keysEvidence = await eventually(
      async () => {
        const [p, k] = [await evidenceOf(PLAIN), await evidenceOf(KEYS)];
        return p.length === 4 && k.length === 4 ? k : undefined;
      },
      'evidence of both healthy orgs',
      180_000,
    );
    const access = keysEvidence.find((e) => e.control === 'access-review');
    expect(access?.summary.usersByStatusCounts).toEqual([
      { value: '$ACTIVE', count: 1 },
      { value: 'ACTIVE', count: 2 },
      { value: 'dot.ted', count: 1 },
    ]);
    const auth = keysEvidence.find((e) => e.control === 'authentication');
    expect(auth?.summary.factorTypeCounts).toEqual([
      { value: '$push.v2', count: 1 },
      { value: 'a.b', count: 1 },
    ]);

    const failed = await eventually(
      async () => {
        const p = await projectionOf(POISON);
        return p?.state === 'projection_failed' ? p : undefined;
      },
      `${POISON} marked projection_failed`,
      60_000,
    );
    expect(failed.reason).toMatch(/^projection_failed: document_too_large: /);
    expect(failed.eventType).toBe('IdentitySyncCompleted');
    expect(await evidenceOf(POISON)).toEqual([]);
    // The status is written after the evidence.
    await eventually(
      async () => ((await projectionOf(PLAIN))?.state === 'ok' ? true : undefined),
      `${PLAIN} projected`,
    );

    const letters = await eventually(async () => {
      const l = lettersOf(POISON);
      return l.some((x) => x.type === 'IdentitySyncCompleted') ? l : undefined;
    }, `${POISON}'s completion dead-lettered`);
    for (const letter of letters) {
      expect(letter.reason).toMatch(/^projection_failed: document_too_large: /);
      expect(letter.header).toMatch(/^projection_failed: document_too_large: /);
    }
    // Only the poisoned org's records.
    expect(deadLetters.records.every((r) => r.key === POISON)).toBe(true);

    expect(await text('/metrics')).toMatch(/^evidence_projector_orgs_projection_failed 1$/m);
    const health = await fetch(`${projector.url}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { info: Record<string, unknown> }).info.projection).toEqual({
      status: 'up',
      state: 'degraded',
      orgsProjectionFailed: 1,
    });

    // Then a NUL byte in a status, and the healthy org's next sync behind it on the partition.
    const nul = syncOf(POISON, 's2', 2);
    const next = healthySync(PLAIN, 's2', 2, ['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE'], ['push']);
    await publish([
      nul.started(),
      nul.users([{ id: 'n1', status: 'ACTIVE\u0000' }]),
      nul.completed(),
      next.started,
      ...next.pages,
      next.completed(),
    ]);
    await eventually(
      async () => {
        const access = (await evidenceOf(PLAIN)).find((e) => e.control === 'access-review');
        return access?.summary.totalUsers === 4 ? true : undefined;
      },
      `${PLAIN}'s second sync projected behind the NUL byte`,
      60_000,
    );
    const nulLetters = await eventually(async () => {
      const l = lettersOf(POISON).filter((x) => x.syncId === 's2');
      if (l.some((x) => x.type === 'IdentitySyncCompleted')) return l;
      // MongoDB stores a NUL byte in a value: there the sync is simply projected.
      return (await evidenceOf(POISON)).length === 4 ? [] : undefined;
    }, `${POISON}'s NUL-byte sync decided`);
    if (nulLetters.length > 0) {
      // FerretDB on PostgreSQL cannot store a NUL byte in any string (docs/infrastructure.md).
      for (const letter of nulLetters) expect(letter.reason).toMatch(/invalid_string/);
      expect(await projectionOf(POISON)).toMatchObject({ state: 'projection_failed' });
    } else {
      const access = (await evidenceOf(POISON)).find((e) => e.control === 'access-review');
      expect(access?.summary.usersByStatusCounts).toEqual([{ value: 'ACTIVE\u0000', count: 1 }]);
    }
  });
});
