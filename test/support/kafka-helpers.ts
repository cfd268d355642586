import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { services } from './test-env';

export function testKafka(): Kafka {
  return new Kafka({
    clientId: `test-${randomUUID().slice(0, 8)}`,
    brokers: services().kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
  });
}

export interface CollectedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  json: unknown;
  /** Header values as text (a repeated header keeps its last value). */
  headers: Record<string, string>;
}

/** Reads a topic from offset 0 into memory with its own group; stop() when done. */
export async function collectTopic(
  kafka: Kafka,
  topic: string,
): Promise<{ records: CollectedRecord[]; stop(): Promise<void> }> {
  const consumer: Consumer = kafka.consumer({
    groupId: `reader-${randomUUID()}`,
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
  });
  const records: CollectedRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
      const value = message.value?.toString() ?? null;
      let json: unknown = null;
      try {
        json = value ? JSON.parse(value) : null;
      } catch {
        json = null;
      }
      const headers: Record<string, string> = {};
      for (const [name, raw] of Object.entries(message.headers ?? {})) {
        const last = Array.isArray(raw) ? raw[raw.length - 1] : raw;
        if (last !== undefined) headers[name] = last.toString();
      }
      records.push({
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        value,
        json,
        headers,
      });
    },
  });
  return { records, stop: () => consumer.disconnect() };
}
