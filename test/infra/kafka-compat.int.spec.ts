import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { createTopicsWithLeaders } from '@regentra/kafka';
import { waitUntil } from '../support/wait';

/**
 * Proves kafkajs 2.2.4 against the broker version we run (see README): create
 * topics, produce with the idempotent producer, join a consumer group, commit,
 * fetch committed offsets, and rebalance when a second member joins.
 */
describe('kafkajs against the local broker', () => {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  const kafka = new Kafka({
    clientId: `compat-${randomUUID()}`,
    brokers,
    logLevel: logLevel.NOTHING,
  });
  const topic = `compat-${randomUUID()}`;
  const groupId = `compat-group-${randomUUID()}`;
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });

  beforeAll(async () => {
    await admin.connect();
    await createTopicsWithLeaders(admin, [{ topic, numPartitions: 4 }]);
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    await admin.disconnect();
  });

  it('produces, consumes in a group, commits, and rebalances', async () => {
    const seen: string[] = [];
    const first = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
    const second = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
    const assignments = new Map<string, number>();
    for (const [name, consumer] of [
      ['first', first],
      ['second', second],
    ] as const) {
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        const parts = Object.values(e.payload.memberAssignment).flat().length;
        assignments.set(name, parts);
      });
    }
    await first.connect();
    await first.subscribe({ topic, fromBeginning: true });
    await first.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }) => {
        seen.push(message.value?.toString() ?? '');
        await first.commitOffsets([
          { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
        ]);
      },
    });
    await waitUntil(() => assignments.get('first') === 4, 'first member owns all 4 partitions');

    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 20 }, (_, i) => ({ key: `org-${i % 3}`, value: `m${i}` })),
    });
    await waitUntil(() => seen.length === 20, 'all 20 messages consumed');

    await second.connect();
    await second.subscribe({ topic, fromBeginning: true });
    await second.run({ eachMessage: async () => undefined });
    await waitUntil(
      () => assignments.get('second') !== undefined && (assignments.get('first') ?? 0) < 4,
      'rebalance splits partitions between two members',
    );
    expect((assignments.get('first') ?? 0) + (assignments.get('second') ?? 0)).toBe(4);

    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const total = committed[0]!.partitions.reduce(
      (sum, p) => sum + Math.max(0, Number(p.offset)),
      0,
    );
    expect(total).toBe(20);
    expect(seen.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    await second.disconnect();
    await first.disconnect();
  });
});
