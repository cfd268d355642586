import { Logger, Provider } from '@nestjs/common';
import { topicNames, TopicNames } from '@regentra/contracts';
import { connectKafka, type KafkaAppConfig } from './connect';

export const KAFKA = Symbol('KAFKA');
export const TOPIC_NAMES = Symbol('TOPIC_NAMES');

export type { TopicNames };

/** Nest providers of an app: the Kafka client (topics created if missing before anything uses it) and the topic names. */
export function kafkaProviders(
  config: KafkaAppConfig & { KAFKA_TOPIC_PREFIX: string },
): Provider[] {
  const names = topicNames(config.KAFKA_TOPIC_PREFIX);
  const logger = new Logger('kafkajs');
  return [
    { provide: TOPIC_NAMES, useValue: names },
    {
      provide: KAFKA,
      useFactory: () => connectKafka(config, names, (level, entry) => logger[level](entry)),
    },
  ];
}
