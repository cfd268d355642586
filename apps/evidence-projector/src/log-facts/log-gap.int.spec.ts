import { Db, MongoClient } from 'mongodb';
import { Producer } from 'kafkajs';
import { EncodedRecord, encodeMessage, TOPICS, topicNames } from '@regentra/contracts';
import {
  projectorConfig,
  projectorGet,
  startProjector,
  StartedApp,
} from '../../../../test/support/apps';
import { at, factor, logEvent, syncOf } from '../../../../test/support/identity-topic';
import { collectTopic, testKafka } from '../../../../test/support/kafka-helpers';
import { isolation, services } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';

jest.setTimeout(180_000);

/**
 * A dead-lettered SystemLogBatch is a gap (docs/read-models.md, "The System
 * Log's coverage"): the controls reading the log say incomplete and name it,
 * the projector asks the collector to read the window again
 * (SystemLogRereadRequested), and the poll that re-read it clears the gap.
 */
const iso = isolation('log-gap');
const topics = topicNames(iso.topicPrefix);
const ORG = 'org-gap';
const COVERAGE = Object.fromEntries(
  [
    'users',
    'groups',
    'apps',
    'factors',
    'roleAssignees',
    'userRoles',
    'groupMembers',
    'groupRoles',
    'appUsers',
    'appGroups',
  ].map((k) => [k, { read: 1, failed: 0 }]),
);
let projector: StartedApp;
let producer: Producer;
let mongo: MongoClient;
let db: Db;
let commands: Awaited<ReturnType<typeof collectTopic>>;

async function send(topic: string, records: EncodedRecord[]): Promise<void> {
  await producer.send({
    topic,
    acks: -1,
    messages: records.map((r) => ({ key: r.key, value: r.value })),
  });
}

/** One poll as the collector numbers it; `dead` batches get an unknown schemaVersion. */
function poll(
  pollId: string,
  hour: number,
  batches: Array<{ events: Array<ReturnType<typeof logEvent>>; dead?: boolean }>,
  extra: {
    window: { since: string; until: string };
    rereads: Array<{ since: string; until: string }>;
  },
): EncodedRecord[] {
  let seq = 0;
  const encode = (type: string, payload: object, schemaVersion = 1) => {
    const record = encodeMessage(TOPICS.systemLog, {
      type,
      schemaVersion: type === 'SystemLogPollCompleted' ? 2 : 1,
      orgId: ORG,
      syncId: pollId,
      seq: seq++,
      payload,
    } as never);
    if (schemaVersion === 1) return record;
    const json = JSON.parse(record.value) as Record<string, unknown>;
    return { ...record, value: JSON.stringify({ ...json, schemaVersion }) };
  };
  const all = batches.flatMap((b) => b.events);
  return [
    encode('SystemLogPollStarted', { requestId: pollId, startedAt: at(hour), mode: 'polling' }),
    ...batches.map((b) => encode('SystemLogBatch', { events: b.events }, b.dead ? 99 : 1)),
    encode('SystemLogPollCompleted', {
      requestId: pollId,
      completedAt: at(hour),
      published: all.length,
      duplicatesDropped: 0,
      oldestPublished: all.map((e) => e.published).sort()[0] ?? null,
      newestPublished:
        all
          .map((e) => e.published)
          .sort()
          .at(-1) ?? null,
      mode: 'polling',
      ...extra,
    }),
  ];
}

type Summary = {
  complete: boolean;
  incompleteDatasets: string[];
  incompleteReasons: Array<{ dataset: string; reason: string }>;
  logCoverage: { gaps: Array<{ pollId: string }>; lastSuccessfulPollAt: string | null } | null;
  signIns: { successful: number };
};
async function authentication(): Promise<{ asOf: string; summary: Summary }> {
  const res = await projectorGet(projector.url, `/v1/orgs/${ORG}/evidence/authentication`);
  return (await res.json()) as { asOf: string; summary: Summary };
}

beforeAll(async () => {
  mongo = await new MongoClient(services().mongoUri, { retryWrites: false }).connect();
  db = mongo.db(iso.projectorDb);
  projector = await startProjector(projectorConfig(iso));
  producer = testKafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  commands = await collectTopic(testKafka(), topics.commands);
});

afterAll(async () => {
  await commands?.stop();
  await producer?.disconnect();
  await projector?.close();
  await db?.dropDatabase();
  await mongo?.close();
});

it('reports a dead-lettered batch as a gap, asks for it again, and clears it once re-read', async () => {
  const s = syncOf(ORG, 's1', 0);
  await send(topics.identity, [
    s.started(),
    s.users([{ id: 'u1' }]),
    s.factors([['u1', [factor('f1', 'push')]]]),
    s.groups(['g1']),
    s.members('g1', ['u1']),
    s.apps([]),
    s.completed({ coverage: COVERAGE }),
  ]);
  const lost = logEvent('e-lost', 'user.session.start', 1, [], { actor: 'u1' });
  const window = { since: at(0), until: at(2) };
  await send(
    topics.systemLog,
    poll(
      'poll-1',
      2,
      [
        { events: [logEvent('e-kept', 'user.session.start', 1, [], { actor: 'u1' })] },
        { events: [lost], dead: true },
      ],
      { window, rereads: [] },
    ),
  );

  const withGap = await eventually(async () => {
    const auth = await authentication().catch(() => null);
    return auth?.summary?.logCoverage?.lastSuccessfulPollAt === at(2) ? auth : undefined;
  }, 'evidence after poll-1');
  expect(withGap.summary.complete).toBe(false);
  expect(withGap.summary.incompleteDatasets).toEqual(['systemLog']);
  expect(withGap.summary.logCoverage?.gaps).toEqual([
    { ...window, pollId: 'poll-1', missingBatches: 1 },
  ]);
  expect(withGap.summary.incompleteReasons[0]?.reason).toMatch(/^gap .* poll poll-1/);
  const asked = await eventually(
    async () =>
      commands.records.find(
        (r) => (r.json as { type?: string }).type === 'SystemLogRereadRequested',
      ),
    'SystemLogRereadRequested on the commands topic',
  );
  expect((asked.json as { payload: unknown }).payload).toMatchObject({
    requestId: `reread:${ORG}:poll-1`,
    pollId: 'poll-1',
    window,
  });

  // The collector's next poll: the gap read again with a bounded query, then the polling query.
  await send(
    topics.systemLog,
    poll('poll-2', 3, [{ events: [lost] }], {
      window: { since: at(2), until: at(3) },
      rereads: [window],
    }),
  );
  const filled = await eventually(async () => {
    const auth = await authentication().catch(() => null);
    return auth?.summary?.logCoverage?.lastSuccessfulPollAt === at(3) ? auth : undefined;
  }, 'evidence after poll-2');
  expect(filled.summary.logCoverage?.gaps).toEqual([]);
  expect(filled.summary.incompleteDatasets).toEqual([]);
  expect(filled.summary.complete).toBe(true);
  expect(filled.summary.signIns.successful).toBe(2);
});
