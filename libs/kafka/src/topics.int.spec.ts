import { randomUUID } from 'node:crypto';
import { Admin, ConfigResourceTypes } from 'kafkajs';
import { topicNames } from '@regentra/contracts';
import { testKafka } from '../../../test/support/kafka-helpers';
import { topicPolicyOf } from './kafka-env';
import {
  createTopicsWithLeaders,
  defaultTopicPolicy,
  ensureTopics,
  maxMessageBytesOf,
} from './topics';

/** Against the real broker: what the topics are created with, and the start-up warning. */
describe('ensureTopics on a real broker', () => {
  const kafka = testKafka();
  let admin: Admin;
  const policy = defaultTopicPolicy(512 * 1024);
  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(() => admin.disconnect());

  async function configOf(topic: string): Promise<Record<string, string>> {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    return Object.fromEntries(
      (described.resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]),
    );
  }

  it('creates history topics with no time-based deletion and every topic with our size limit', async () => {
    const names = topicNames(`t-${randomUUID().slice(0, 8)}.`);
    expect(await ensureTopics(admin, names, policy)).toEqual([]);
    expect((await configOf(names.identity))['retention.ms']).toBe('-1');
    expect((await configOf(names.systemLog))['retention.ms']).toBe('-1');
    expect((await configOf(names.changes))['retention.ms']).toBe('-1');
    expect((await configOf(names.commands))['retention.ms']).toBe(
      String(policy.transientRetentionMs),
    );
    expect((await configOf(names.identity))['max.message.bytes']).toBe(
      String(policy.maxMessageBytes),
    );
    expect((await configOf(names.changes))['max.message.bytes']).toBe(
      String(policy.maxMessageBytes),
    );
    const described = await admin.fetchTopicMetadata({ topics: [names.changes] });
    expect(described.topics[0]?.partitions).toHaveLength(24);
    expect((await configOf(names.deadLetter))['max.message.bytes']).toBe(
      String(maxMessageBytesOf('deadLetter', policy)),
    );
    // A second start (or a second instance) finds them as wanted: no warning.
    expect(await ensureTopics(admin, names, policy)).toEqual([]);
  });

  it('warns about an existing history topic made with the broker default retention', async () => {
    const names = topicNames(`t-${randomUUID().slice(0, 8)}.`);
    await createTopicsWithLeaders(admin, [
      {
        topic: names.identity,
        numPartitions: 24,
        configEntries: [{ name: 'retention.ms', value: String(7 * 24 * 3600 * 1000) }],
      },
    ]);
    const warnings = await ensureTopics(admin, names, policy);
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`${names.identity.replace(/\./g, '\\.')}.*retention\\.ms`)),
    ]);
  });

  it('creates the configured partition counts and names an existing topic that differs', async () => {
    const names = topicNames(`t-${randomUUID().slice(0, 8)}.`);
    const fleet = topicPolicyOf({
      KAFKA_HISTORY_RETENTION_MS: -1,
      KAFKA_TRANSIENT_RETENTION_MS: policy.transientRetentionMs,
      KAFKA_PARTITIONS: 8,
      KAFKA_TOPIC_PARTITIONS: { 'okta.identity.v1': 12 },
    });
    // made by hand with the right retention: only its partition count differs
    await createTopicsWithLeaders(admin, [
      {
        topic: names.systemLog,
        numPartitions: 3,
        configEntries: [{ name: 'retention.ms', value: '-1' }],
      },
    ]);
    const warnings = await ensureTopics(admin, names, fleet);
    const counts = await admin.fetchTopicMetadata({
      topics: [names.commands, names.identity, names.changes, names.deadLetter],
    });
    expect(Object.fromEntries(counts.topics.map((t) => [t.name, t.partitions.length]))).toEqual({
      [names.commands]: 8,
      [names.identity]: 12,
      [names.changes]: 8,
      [names.deadLetter]: 1,
    });
    // the existing 3-partition topic is named, and left as it is
    expect(warnings).toEqual([
      expect.stringContaining(
        `topic ${names.systemLog} has 3 partitions, configured 8: left as it is`,
      ),
    ]);
    const after = await admin.fetchTopicMetadata({ topics: [names.systemLog] });
    expect(after.topics[0]?.partitions).toHaveLength(3);
  });
});
