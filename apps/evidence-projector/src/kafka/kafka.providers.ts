import { Logger, Provider } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { topicNames, TopicNames } from '@regentra/contracts';
import {
  createKafka,
  describeKafkaStartupError,
  ensureTopics,
  kafkaConnectionOptions,
  KafkaConnectionConfig,
  topicPolicyOf,
} from '@regentra/kafka';

export const KAFKA = Symbol('KAFKA');
export const TOPIC_NAMES = Symbol('TOPIC_NAMES');

export type { TopicNames };

/** The Kafka client (topics created if missing before anything uses it) and the topic names. */
export function kafkaProviders(
  config: KafkaConnectionConfig & {
    KAFKA_CLIENT_ID: string;
    KAFKA_BROKERS: string[];
    KAFKA_TOPIC_PREFIX: string;
    KAFKA_HISTORY_RETENTION_MS: number;
    KAFKA_TRANSIENT_RETENTION_MS: number;
  },
): Provider[] {
  const names = topicNames(config.KAFKA_TOPIC_PREFIX);
  return [
    { provide: TOPIC_NAMES, useValue: names },
    {
      provide: KAFKA,
      useFactory: async (): Promise<Kafka> => {
        const logger = new Logger('kafkajs');
        const kafka = createKafka({
          clientId: config.KAFKA_CLIENT_ID,
          brokers: config.KAFKA_BROKERS,
          log: (level, entry) => logger[level](entry),
          ...kafkaConnectionOptions(config),
        });
        const admin = kafka.admin();
        // The first connection tells a wrong setting apart: fail start-up naming it.
        await admin.connect().catch((error: unknown) => {
          throw describeKafkaStartupError(error, config);
        });
        try {
          // Existing topics that would lose history or refuse our largest records: say so, loudly.
          const warnings = await ensureTopics(admin, names, topicPolicyOf(config));
          for (const warning of warnings) logger.warn(warning);
        } finally {
          await admin.disconnect();
        }
        return kafka;
      },
    },
  ];
}
