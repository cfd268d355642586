import { z } from 'zod';
import {
  DEFAULT_FLEET_PARTITIONS,
  DEFAULT_PARTITIONS,
  MAX_MESSAGE_BYTES,
  TOPICS,
  TopicKey,
  TopicName,
} from '@regentra/contracts';
import { defaultTopicPolicy, TopicPolicy } from './topics';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Topic settings both apps read from the environment (spread into each app's config schema). */
export const kafkaTopicEnv = {
  /** retention.ms of the history topics (identity, System Log, changes): -1 (default) keeps the history replay needs. */
  KAFKA_HISTORY_RETENTION_MS: z.coerce
    .number()
    .int()
    .refine((v) => v === -1 || v >= DAY_MS, 'must be -1 (keep history) or at least a day in ms')
    .default(-1),
  /** retention.ms of the commands and dead-letter topics. */
  KAFKA_TRANSIENT_RETENTION_MS: z.coerce
    .number()
    .int()
    .min(HOUR_MS, 'must be at least an hour in ms')
    .default(14 * DAY_MS),
  /** Partitions of the command and event topics the apps create (not the dead-letter topic). */
  KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_FLEET_PARTITIONS),
  /** Per topic, over KAFKA_PARTITIONS: `okta.identity.v1=48,okta.dead-letter.v1=3`. */
  KAFKA_TOPIC_PARTITIONS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const out: Partial<Record<TopicName, number>> = {};
      for (const entry of value
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean)) {
        const [topic, count, ...rest] = entry.split('=');
        const n = Number(count);
        if (
          !(Object.values(TOPICS) as string[]).includes(topic ?? '') ||
          rest.length ||
          !Number.isInteger(n) ||
          n < 1
        ) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            message: `entry "${entry}" must be <topic>=<partitions> with one of ${Object.values(TOPICS).join(', ')}`,
          });
          return z.NEVER;
        }
        out[topic as TopicName] = n;
      }
      return out;
    }),
};

/** The partition count each topic is created with. */
export function partitionsOf(config: {
  KAFKA_PARTITIONS: number;
  KAFKA_TOPIC_PARTITIONS: Partial<Record<TopicName, number>>;
}): Record<TopicKey, number> {
  return Object.fromEntries(
    (Object.keys(TOPICS) as TopicKey[]).map((key) => [
      key,
      config.KAFKA_TOPIC_PARTITIONS[TOPICS[key]] ??
        (key === 'deadLetter' ? DEFAULT_PARTITIONS[TOPICS.deadLetter] : config.KAFKA_PARTITIONS),
    ]),
  ) as Record<TopicKey, number>;
}

export function topicPolicyOf(config: {
  KAFKA_HISTORY_RETENTION_MS: number;
  KAFKA_TRANSIENT_RETENTION_MS: number;
  KAFKA_PARTITIONS: number;
  KAFKA_TOPIC_PARTITIONS: Partial<Record<TopicName, number>>;
}): TopicPolicy {
  return {
    ...defaultTopicPolicy(MAX_MESSAGE_BYTES),
    partitions: partitionsOf(config),
    historyRetentionMs: config.KAFKA_HISTORY_RETENTION_MS,
    transientRetentionMs: config.KAFKA_TRANSIENT_RETENTION_MS,
  };
}
