import { Logger } from '@nestjs/common';
import { Admin, Kafka, logLevel, LogEntry } from 'kafkajs';
import { DEFAULT_PARTITIONS, TOPICS, TopicName, TopicNames } from '@regentra/contracts';

export const KAFKA = Symbol('KAFKA');
export const TOPIC_NAMES = Symbol('TOPIC_NAMES');

const LEVELS: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs with its log lines routed to the app's structured logger. */
export function createKafka(clientId: string, brokers: string[]): Kafka {
  const logger = new Logger('kafkajs');
  const logCreator = () => (entry: LogEntry) => {
    const { message, ...rest } = entry.log;
    logger[LEVELS[entry.level] ?? 'log']({ ...rest, msg: message });
  };
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator,
    retry: { retries: 8 },
  });
}

/** The projector may start before the collector: it creates missing topics too. */
export async function createMissingTopics(admin: Admin, names: TopicNames): Promise<void> {
  const have = new Set(await admin.listTopics());
  const wanted = (Object.entries(names) as Array<[keyof typeof TOPICS, string]>).filter(
    ([, n]) => !have.has(n),
  );
  if (!wanted.length) return;
  const topics = wanted.map(([key, topic]) => ({
    topic,
    numPartitions: DEFAULT_PARTITIONS[TOPICS[key] as TopicName],
  }));
  await admin.createTopics({ topics, waitForLeaders: true }).catch(async (error: unknown) => {
    const now = new Set(await admin.listTopics());
    if (topics.some((t) => !now.has(t.topic))) throw error;
  });
}
