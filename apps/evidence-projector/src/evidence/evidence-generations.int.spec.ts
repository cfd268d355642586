import { Db, MongoClient } from 'mongodb';
import { Producer } from 'kafkajs';
import { EncodedRecord, topicNames } from '@regentra/contracts';
import {
  PROJECTOR_TOKEN,
  projectorConfig,
  startProjector,
  StartedApp,
} from '../../../../test/support/apps';
import { at, syncOf } from '../../../../test/support/identity-topic';
import { testKafka } from '../../../../test/support/kafka-helpers';
import { isolation, services } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';
import { EvidenceService } from './evidence.service';

jest.setTimeout(180_000);

/**
 * A read of the current evidence that spans a switch of its generation (a
 * log poll's evidence, hourly) fails with 412 `evidence_changed` when the
 * later pages send the first one's `ETag` as `If-Match`, instead of mixing
 * two generations (docs/http-api.md, Evidence generations).
 */
const iso = isolation('evidence-generations');
const topics = topicNames(iso.topicPrefix);
const ORG = 'org-generations';
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

function get(path: string, ifMatch?: string): Promise<Response> {
  return fetch(`${projector.url}${path}`, {
    headers: {
      authorization: `Bearer ${PROJECTOR_TOKEN}`,
      ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }),
    },
  });
}

const PAGE = `/v1/orgs/${ORG}/evidence/access-review`;
const CSV = `${PAGE}/items/activeUsers.csv`;

beforeAll(async () => {
  mongo = await new MongoClient(services().mongoUri, { retryWrites: false }).connect();
  db = mongo.db(iso.projectorDb);
  projector = await startProjector(projectorConfig(iso));
  producer = testKafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const users = ['u1', 'u2', 'u3', 'u4'];
  const s = syncOf(ORG, 's1', 0);
  await publish(
    s.started(),
    s.users(users.map((id) => ({ id }))),
    s.factors(users.map((id) => [id, []])),
    s.roles([]),
    s.groups([]),
    s.apps([]),
    s.progress('apps'),
    s.completed(),
  );
  await eventually(
    async () =>
      (await db
        .collection<{ _id: string }>('control_evidence')
        .findOne({ _id: `${ORG}|access-review` }))
        ? true
        : undefined,
    's1 evidence written',
    120_000,
  );
});

afterAll(async () => {
  await producer?.disconnect();
  await projector?.close();
  await db?.dropDatabase();
  await mongo?.close();
});

describe('current evidence across a switch of its generation', () => {
  it('answers its generation, and 412 evidence_changed to a later page or CSV whose If-Match it moved on from', async () => {
    const first = await get(`${PAGE}?offset=0&limit=2`);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    const body = (await first.json()) as { page: { generation: string } };
    expect(etag).toBe(`"${body.page.generation}"`);
    // The same generation: the next page and the CSV are served.
    expect((await get(`${PAGE}?offset=2&limit=2`, etag!)).status).toBe(200);
    const csv = await get(CSV, etag!);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('etag')).toBe(etag);
    await csv.text();

    // A log poll's evidence: a new generation (hourly in production).
    await projector.app
      .get(EvidenceService)
      .refreshAfterLogPoll(ORG, { outcome: 'completed', at: at(3) });

    const stale = await get(`${PAGE}?offset=2&limit=2`, etag!);
    expect(stale.status).toBe(412);
    expect(await stale.json()).toMatchObject({ statusCode: 412, code: 'evidence_changed' });
    const staleCsv = await get(CSV, etag!);
    expect(staleCsv.status).toBe(412);
    expect(await staleCsv.json()).toMatchObject({ code: 'evidence_changed' });

    // Started again on the new generation, it is served; a read without If-Match is as before.
    const again = await get(`${PAGE}?offset=0&limit=2`);
    const fresh = again.headers.get('etag');
    expect(fresh).not.toBe(etag);
    expect((await get(`${PAGE}?offset=2&limit=2`, fresh!)).status).toBe(200);
    expect((await get(`${PAGE}?offset=2&limit=2`, `"other", ${fresh!}`)).status).toBe(200);
    expect((await get(`${PAGE}?offset=2&limit=2`)).status).toBe(200);
  });
});
