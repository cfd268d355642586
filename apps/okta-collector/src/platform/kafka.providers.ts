import { Logger } from '@nestjs/common';
import { Admin, Kafka, logLevel, LogEntry } from 'kafkajs';
import { DEFAULT_PARTITIONS, TOPICS, TopicName, TopicNames } from '@regentra/contracts';

export const KAFKA = Symbol('KAFKA');
export const TOPIC_NAMES = Symbol('TOPIC_NAMES');

export type { TopicNames };

const LEVELS: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(clientId: string, brokers: string[]): Kafka {
  const logger = new Logger('kafkajs');
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 },
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        logger[LEVELS[level] ?? 'log']({ ...rest, msg: message });
      },
  });
}

/** Creates missing topics with their partition counts (auto-create is off on our brokers). */
export async function ensureTopics(admin: Admin, names: TopicNames): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = (Object.keys(names) as Array<keyof TopicNames>)
    .filter((key) => !existing.has(names[key]))
    .map((key) => ({
      topic: names[key],
      numPartitions: DEFAULT_PARTITIONS[TOPICS[key] as TopicName],
      replicationFactor: -1,
    }));
  if (missing.length === 0) return;
  try {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
  } catch (error) {
    // Another instance may have created them in between: only fail if still missing.
    const now = new Set(await admin.listTopics());
    if (missing.some((t) => !now.has(t.topic))) throw error;
  }
}
