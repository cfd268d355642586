import { z } from 'zod';
import { MAX_MESSAGE_BYTES } from '@regentra/contracts';
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
};

export function topicPolicyOf(config: {
  KAFKA_HISTORY_RETENTION_MS: number;
  KAFKA_TRANSIENT_RETENTION_MS: number;
}): TopicPolicy {
  return {
    ...defaultTopicPolicy(MAX_MESSAGE_BYTES),
    historyRetentionMs: config.KAFKA_HISTORY_RETENTION_MS,
    transientRetentionMs: config.KAFKA_TRANSIENT_RETENTION_MS,
  };
}
