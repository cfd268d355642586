import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { Producer } from 'kafkajs';
import { DeadLetterSchema, encodeMessage, topicNames, TOPICS } from '@regentra/contracts';
import { EventPublisher } from '../../apps/okta-collector/src/kafka/event-publisher';
import { SyncRequestsRepository } from '../../apps/okta-collector/src/sync-requests/sync-requests.repository';
import {
  collectorConfig,
  projectorConfig,
  projectorGet,
  startCollector,
  startProjector,
  StartedApp,
} from '../support/apps';
import { syncDraftsOf } from '../support/identity-topic';
import { collectTopic, testKafka } from '../support/kafka-helpers';
import { isolation, services } from '../support/test-env';
import { eventually, waitUntil } from '../support/wait';

/**
 * The pipe with real services: collector → Kafka → projector → MongoDB, the
 * dead-letter path on both sides, and key → partition affinity.
 */
describe('collector → Kafka → projector pipe', () => {
  const iso = isolation('pipe');
  const topics = topicNames(iso.topicPrefix);
  const kafka = testKafka();
  let collector: StartedApp;
  let projector: StartedApp;
  let mongo: MongoClient;
  let rawProducer: Producer;

  const started = (orgId: string, syncId = randomUUID()) =>
    syncDraftsOf(orgId, syncId, 0, { trigger: 'manual' }).started();

  const statusOf = (orgId: string) =>
    mongo
      .db(iso.projectorDb)
      .collection('integration_status')
      .findOne({ _id: orgId as never });

  beforeAll(async () => {
    mongo = await new MongoClient(services().mongoUri).connect();
    collector = await startCollector(collectorConfig(iso));
    projector = await startProjector(projectorConfig(iso));
    rawProducer = kafka.producer();
    await rawProducer.connect();
  });

  afterAll(async () => {
    await rawProducer?.disconnect();
    await projector?.close();
    await collector?.close();
    await mongo?.close();
  });

  it('projects an envelope the collector published, keyed by org id', async () => {
    const event = started('org-pipe-1');
    await collector.app.get(EventPublisher).publish('identity', [event]);
    const doc = await eventually(
      async () => (await statusOf('org-pipe-1')) ?? undefined,
      'integration_status of org-pipe-1',
    );
    expect(doc).toMatchObject({
      orgId: 'org-pipe-1',
      oktaDomain: 'acme.okta.com',
      runningIdentitySync: {
        syncId: event.syncId,
        requestId: event.payload.requestId,
        trigger: 'manual',
      },
    });
  });

  it('dead-letters an invalid event with the reason and keeps consuming', async () => {
    const dlq = await collectTopic(kafka, topics.deadLetter);
    try {
      await rawProducer.send({
        topic: topics.identity,
        messages: [
          { key: 'org-pipe-2', value: '{"this is": "not an envelope"}' },
          { key: 'org-pipe-2', value: encodeMessage(TOPICS.identity, started('org-pipe-2')).value },
        ],
      });
      await eventually(
        async () => (await statusOf('org-pipe-2')) ?? undefined,
        'the good message after the poison one',
      );
      await waitUntil(
        () => dlq.records.some((r) => r.key === 'org-pipe-2'),
        'dead letter of org-pipe-2',
      );
      const letter = DeadLetterSchema.parse(dlq.records.find((r) => r.key === 'org-pipe-2')?.json);
      expect(letter.reason).toMatch(/invalid envelope: eventId: Required/);
      expect(letter.rejectedBy).toBe('evidence-projector');
      expect(letter.source.topic).toBe(topics.identity);
      expect(JSON.parse(letter.originalValue ?? '')).toEqual({ 'this is': 'not an envelope' });
    } finally {
      await dlq.stop();
    }
  });

  it('dead-letters an invalid command and queues the valid one after it', async () => {
    const dlq = await collectTopic(kafka, topics.deadLetter);
    try {
      const requestId = `req-${randomUUID()}`;
      const command = encodeMessage(TOPICS.commands, {
        type: 'SyncRequested',
        schemaVersion: 2,
        orgId: 'org-pipe-3',
        payload: {
          scope: 'identity',
          requestId,
          requestedAt: new Date().toISOString(),
          requestedBy: 'test',
          mode: 'auto',
        },
      });
      const badScope = JSON.parse(command.value) as { payload: { scope: string } };
      badScope.payload.scope = 'everything';
      await rawProducer.send({
        topic: topics.commands,
        messages: [
          { key: 'org-pipe-3', value: JSON.stringify(badScope) },
          { key: command.key, value: command.value },
        ],
      });
      const inbox = collector.app.get(SyncRequestsRepository);
      // recorded once in the inbox; with no connection for the org the coordinator skips it
      const recorded = await eventually(async () => {
        const doc = await inbox.findById(requestId);
        return doc?.state === 'skipped' ? doc : undefined;
      }, 'command recorded and skipped');
      expect(recorded).toMatchObject({
        orgId: 'org-pipe-3',
        scope: 'identity',
        note: 'org has no Okta connection',
      });
      await waitUntil(
        () => dlq.records.some((r) => r.key === 'org-pipe-3'),
        'dead-lettered command',
      );
      const letter = DeadLetterSchema.parse(dlq.records.find((r) => r.key === 'org-pipe-3')?.json);
      expect(letter.rejectedBy).toBe('okta-collector');
      expect(letter.reason).toContain('payload.scope');
    } finally {
      await dlq.stop();
    }
  });

  it('puts every record of one org on one partition', async () => {
    const orgs = Array.from({ length: 12 }, (_, i) => `org-part-${i}`);
    const reader = await collectTopic(kafka, topics.identity);
    try {
      const publisher = collector.app.get(EventPublisher);
      for (let round = 0; round < 3; round += 1) {
        await publisher.publish(
          'identity',
          orgs.map((orgId) => started(orgId)),
        );
      }
      await waitUntil(
        () => orgs.every((orgId) => reader.records.filter((r) => r.key === orgId).length === 3),
        'three records per org',
      );
      const partitionsByOrg = new Map<string, Set<number>>();
      for (const record of reader.records.filter((r) => orgs.includes(r.key ?? ''))) {
        const set = partitionsByOrg.get(record.key ?? '') ?? new Set<number>();
        set.add(record.partition);
        partitionsByOrg.set(record.key ?? '', set);
      }
      expect([...partitionsByOrg.values()].every((set) => set.size === 1)).toBe(true);
      // and the keys really spread: otherwise "same partition" proves nothing
      const used = new Set([...partitionsByOrg.values()].flatMap((set) => [...set]));
      expect(used.size).toBeGreaterThan(1);
    } finally {
      await reader.stop();
    }
  });

  it('answers bad read-API input with a 4xx that says what is wrong', async () => {
    const get = async (path: string) => {
      const response = await projectorGet(projector.url, path);
      return {
        status: response.status,
        body: (await response.json()) as { code?: string; message?: string },
      };
    };
    const control = await get('/v1/orgs/org-pipe-1/evidence/everything');
    expect(control).toMatchObject({ status: 400, body: { code: 'unknown_control' } });
    expect(control.body.message).toContain('access-review');
    expect(await get('/v1/orgs/org-pipe-1/evidence/authentication?limit=0')).toMatchObject({
      status: 400,
      body: { code: 'invalid_limit' },
    });
    expect(await get('/v1/orgs/org-pipe-1/evidence/authentication?offset=-3')).toMatchObject({
      status: 400,
      body: { code: 'invalid_offset' },
    });
    expect(await get('/v1/orgs/org-none/evidence/authentication')).toMatchObject({
      status: 404,
      body: { code: 'no_evidence' },
    });
  });

  it('serves evidence only with the projector token, and validates orgId like the envelopes do', async () => {
    const path = '/v1/orgs/org-pipe-1/evidence/authentication';
    const without = await projectorGet(projector.url, path, null);
    expect(without.status).toBe(401);
    expect(await without.json()).toMatchObject({ code: 'unauthorized' });
    expect((await projectorGet(projector.url, path, 'wrong-token-0123456789xx')).status).toBe(401);
    expect((await projectorGet(projector.url, `${path}/snapshots`, null)).status).toBe(401);
    // the collector's token opens the collector API, not this one
    expect(
      (await projectorGet(projector.url, path, 'test-collector-api-token-0123456789')).status,
    ).toBe(401);
    const badOrg = await projectorGet(projector.url, '/v1/orgs/bad%20org!/evidence/authentication');
    expect(badOrg.status).toBe(400);
    expect(await badOrg.json()).toMatchObject({ code: 'invalid_org_id' });
  });

  it('answers /health on both apps', async () => {
    for (const app of [collector, projector]) {
      const response = await fetch(`${app.url}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        status: 'ok',
        info: { mongodb: { status: 'up' }, kafka: { status: 'up' } },
      });
    }
  });
});
