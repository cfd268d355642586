import { Kafka } from 'kafkajs';
import { TopicName, TopicNames } from '@regentra/contracts';
import { createKafka, KafkaLog } from './client';
import {
  describeKafkaStartupError,
  kafkaConnectionOptions,
  KafkaConnectionConfig,
} from './kafka-connection';
import { topicPolicyOf } from './kafka-env';
import { ensureTopics } from './topics';

/** What an app's validated configuration holds about Kafka. */
export type KafkaAppConfig = KafkaConnectionConfig & {
  KAFKA_CLIENT_ID: string;
  KAFKA_BROKERS: string[];
  KAFKA_HISTORY_RETENTION_MS: number;
  KAFKA_TRANSIENT_RETENTION_MS: number;
  KAFKA_PARTITIONS: number;
  KAFKA_TOPIC_PARTITIONS: Partial<Record<TopicName, number>>;
};

/**
 * An app's Kafka client, ready to use: connection options from the config,
 * log lines to the app's logger, the topics created if missing, and a warning
 * for each existing topic whose settings would lose history or refuse our
 * largest records. A refused first connection fails naming the setting.
 */
export async function connectKafka(
  config: KafkaAppConfig,
  names: TopicNames,
  log: KafkaLog,
): Promise<Kafka> {
  const kafka = createKafka({
    clientId: config.KAFKA_CLIENT_ID,
    brokers: config.KAFKA_BROKERS,
    log,
    ...kafkaConnectionOptions(config),
  });
  const admin = kafka.admin();
  await admin.connect().catch((error: unknown) => {
    throw describeKafkaStartupError(error, config);
  });
  try {
    for (const warning of await ensureTopics(admin, names, topicPolicyOf(config)))
      log('warn', { msg: warning });
  } finally {
    await admin.disconnect();
  }
  return kafka;
}
