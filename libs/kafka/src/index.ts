/**
 * The one place both apps (and the replay CLI) get a Kafka client and their
 * topics from: client options, log routing and topic creation. Framework-free
 * on purpose: each app passes its own logger.
 */
export { batchesUnder, recordBytes, type SizedRecord } from './batches';
export { kafkaTopicEnv, topicPolicyOf } from './kafka-env';
export {
  describeKafkaStartupError,
  kafkaConnectionEnv,
  kafkaConnectionOptions,
  kafkaConnectionProblems,
  KafkaStartupError,
  preflightKafka,
  type KafkaConnectionConfig,
} from './kafka-connection';
export { connectKafka, type KafkaAppConfig } from './connect';
export { createKafka, kafkaLogLevel, type KafkaClientOptions, type KafkaLog } from './client';
export {
  defaultTopicPolicy,
  ensureTopics,
  maxMessageBytesOf,
  topicConfig,
  topicConfigWarnings,
  RECORD_OVERHEAD_BYTES,
  type TopicPolicy,
  createTopicsWithLeaders,
} from './topics';
export { KAFKA, kafkaProviders, TOPIC_NAMES, type TopicNames } from './nest-providers';
