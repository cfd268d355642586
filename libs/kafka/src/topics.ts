import { Admin, ConfigResourceTypes, ITopicConfig, KafkaJSProtocolError } from 'kafkajs';
import {
  DEFAULT_PARTITIONS,
  HISTORY_TOPICS,
  TOPICS,
  TopicKey,
  TopicNames,
} from '@regentra/contracts';

/** Retention and size settings the apps create their topics with. */
export interface TopicPolicy {
  /** `retention.ms` of the history topics (identity, System Log, changes); -1 keeps history for replay. */
  historyRetentionMs: number;
  /** `retention.ms` of the commands and dead-letter topics. */
  transientRetentionMs: number;
  /**
   * `max.message.bytes` of every topic: the largest record value the producers
   * write plus room for the key, headers and batch framing.
   */
  maxMessageBytes: number;
  /** Partitions each topic is created with (and is expected to have). */
  partitions: Record<TopicKey, number>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Room for the key, headers and record-batch framing above the largest value. */
export const RECORD_OVERHEAD_BYTES = 16 * 1024;

export function defaultTopicPolicy(maxRecordBytes: number): TopicPolicy {
  return {
    historyRetentionMs: -1,
    transientRetentionMs: 14 * DAY_MS,
    maxMessageBytes: maxRecordBytes + RECORD_OVERHEAD_BYTES,
    partitions: Object.fromEntries(
      (Object.keys(TOPICS) as TopicKey[]).map((key) => [key, DEFAULT_PARTITIONS[TOPICS[key]]]),
    ) as Record<TopicKey, number>,
  };
}

/**
 * The largest record a topic must take. A dead letter carries a rejected
 * record whole (base64 when it was not utf8: 4/3 of its size) plus the reason,
 * so the dead-letter topic takes more than the topics it collects from.
 */
export function maxMessageBytesOf(key: TopicKey, policy: TopicPolicy): number {
  if (key !== 'deadLetter') return policy.maxMessageBytes;
  return Math.ceil((policy.maxMessageBytes * 4) / 3) + RECORD_OVERHEAD_BYTES;
}

/** The configuration a topic of ours is created with. */
export function topicConfig(key: TopicKey, policy: TopicPolicy): Record<string, string> {
  const retention = HISTORY_TOPICS.includes(key)
    ? policy.historyRetentionMs
    : policy.transientRetentionMs;
  return {
    'cleanup.policy': 'delete',
    'retention.ms': String(retention),
    'max.message.bytes': String(maxMessageBytesOf(key, policy)),
  };
}

/** Retention shorter than wanted: -1 (forever) is the longest. */
const shorter = (have: number, want: number) =>
  want === -1 ? have !== -1 : have !== -1 && have < want;

/**
 * What an existing topic's settings put at risk, one line per topic and
 * setting (empty: nothing). A topic created by someone else with the broker's
 * default retention (7 days) silently loses the history replay needs.
 */
export function topicConfigWarnings(
  topic: string,
  key: TopicKey,
  policy: TopicPolicy,
  have: Record<string, string | undefined>,
): string[] {
  const want = topicConfig(key, policy);
  const warnings: string[] = [];
  const retention = Number(have['retention.ms']);
  if (have['retention.ms'] !== undefined && shorter(retention, Number(want['retention.ms']))) {
    warnings.push(
      `topic ${topic} has retention.ms=${retention}, shorter than ${want['retention.ms']}: ` +
        (HISTORY_TOPICS.includes(key)
          ? 'replay from offset 0 will miss older events'
          : 'unprocessed records may expire'),
    );
  }
  const maxBytes = Number(have['max.message.bytes']);
  const wantBytes = maxMessageBytesOf(key, policy);
  if (have['max.message.bytes'] !== undefined && maxBytes < wantBytes) {
    warnings.push(
      `topic ${topic} has max.message.bytes=${maxBytes}, smaller than ${wantBytes}: ` +
        'the largest records will be refused',
    );
  }
  return warnings;
}

/**
 * Creates the missing topics with their partition counts and the policy's
 * settings (auto-create is off on our brokers), and returns warnings for
 * existing topics whose settings fall short of the policy. Either app may start
 * first, and several instances at once: a topic another instance created in
 * between is not an error.
 */
export async function ensureTopics(
  admin: Admin,
  names: TopicNames,
  policy: TopicPolicy,
): Promise<string[]> {
  const keys = Object.keys(names) as TopicKey[];
  const existing = new Set(await admin.listTopics());
  const missing = keys
    .filter((key) => !existing.has(names[key]))
    .map((key) => ({
      topic: names[key],
      numPartitions: policy.partitions[key],
      replicationFactor: -1,
      configEntries: Object.entries(topicConfig(key, policy)).map(([name, value]) => ({
        name,
        value,
      })),
    }));
  if (missing.length > 0) {
    try {
      await createTopicsWithLeaders(admin, missing);
    } catch (error) {
      const now = new Set(await admin.listTopics());
      if (missing.some((t) => !now.has(t.topic))) throw error;
    }
  }
  const present = keys.filter((key) => existing.has(names[key]));
  if (present.length === 0) return [];
  const metadata = await admin.fetchTopicMetadata({ topics: present.map((key) => names[key]) });
  const partitionWarnings = metadata.topics.flatMap((topic) => {
    const key = present.find((k) => names[k] === topic.name);
    return key
      ? partitionCountWarnings(topic.name, policy.partitions[key], topic.partitions.length)
      : [];
  });
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((key) => ({
      type: ConfigResourceTypes.TOPIC,
      name: names[key],
      configNames: ['retention.ms', 'max.message.bytes'],
    })),
  });
  const configWarnings = described.resources.flatMap((resource) => {
    const key = present.find((k) => names[k] === resource.resourceName);
    if (!key) return [];
    const have = Object.fromEntries(
      resource.configEntries.map((entry) => [entry.configName, entry.configValue]),
    );
    return topicConfigWarnings(resource.resourceName, key, policy, have);
  });
  return [...partitionWarnings, ...configWarnings];
}

/**
 * An existing topic with another partition count than configured: the apps
 * do not change it (adding partitions moves keys, so one org's in-flight
 * records could be read out of order). docs/topics.md, "Partitions", says how.
 */
export function partitionCountWarnings(topic: string, want: number, have: number): string[] {
  if (have === want) return [];
  return [
    `topic ${topic} has ${have} partitions, configured ${want}: left as it is ` +
      '(to change it, stop the producers, let the consumers drain, then add partitions; docs/topics.md "Partitions")',
  ];
}

/** Metadata errors a broker answers while a topic it just created is still settling. */
const SETTLING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * Creates topics and waits until every partition has a leader. kafkajs's own
 * `waitForLeaders` retries only LEADER_NOT_AVAILABLE, but a broker that just
 * created a topic may first answer its metadata with
 * UNKNOWN_TOPIC_OR_PARTITION ("This server does not host this
 * topic-partition"; tulios/kafkajs#1222): that is waited out here too.
 */
export async function createTopicsWithLeaders(
  admin: Admin,
  topics: ITopicConfig[],
  timeoutMs = 30_000,
): Promise<void> {
  await admin.createTopics({ topics, waitForLeaders: false });
  const names = topics.map((t) => t.topic);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: described } = await admin.fetchTopicMetadata({ topics: names });
      const led = described.every(
        (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
      );
      if (led && described.length === names.length) return;
    } catch (error) {
      if (!(error instanceof KafkaJSProtocolError && SETTLING.has(error.type))) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`topics ${names.join(', ')} have no leader after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
