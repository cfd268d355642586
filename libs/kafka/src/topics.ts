import { Admin } from 'kafkajs';
import { DEFAULT_PARTITIONS, TOPICS, TopicName, TopicNames } from '@regentra/contracts';

/**
 * Creates the missing topics with their partition counts (auto-create is off on
 * our brokers). Either app may start first, and several instances at once: a
 * topic another instance created in between is not an error.
 */
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
    const now = new Set(await admin.listTopics());
    if (missing.some((t) => !now.has(t.topic))) throw error;
  }
}
