// One definition for both apps: libs/kafka/src/nest-providers.ts.
export { KAFKA, kafkaProviders, TOPIC_NAMES, type TopicNames } from '@regentra/kafka';
