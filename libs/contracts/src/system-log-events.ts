import { z } from 'zod';
import { currentVersionsOf, envelopeOf } from './envelope';
import { OktaLogEventSchema } from './okta-objects';

/*
 * ★ System Log events on `okta.system-log.v1`, key = orgId. A poll publishes
 * SystemLogPollStarted, batches in the order Okta returned them, then one of
 * SystemLogPollCompleted / SystemLogPollFailed. Consumers dedupe by `uuid`:
 * a crash between publish and checkpoint may publish an event twice.
 */

export const SystemLogPollStartedV1 = envelopeOf(
  'SystemLogPollStarted',
  1,
  z.object({
    requestId: z.string().min(1),
    startedAt: z.string().datetime({ offset: true }),
    mode: z.enum(['backfill', 'polling', 'fallback']),
  }),
);

export const SystemLogBatchV1 = envelopeOf(
  'SystemLogBatch',
  1,
  z.object({ events: z.array(OktaLogEventSchema) }),
);

export const SystemLogPollCompletedV1 = envelopeOf(
  'SystemLogPollCompleted',
  1,
  z.object({
    requestId: z.string().min(1),
    completedAt: z.string().datetime({ offset: true }),
    published: z.number().int().nonnegative(),
    duplicatesDropped: z.number().int().nonnegative(),
    oldestPublished: z.string().nullable(),
    newestPublished: z.string().nullable(),
    mode: z.enum(['backfill', 'polling', 'fallback']),
  }),
);

export const SystemLogPollFailedV1 = envelopeOf(
  'SystemLogPollFailed',
  1,
  z.object({
    requestId: z.string().min(1),
    failedAt: z.string().datetime({ offset: true }),
    reason: z.string().min(1),
    retryable: z.boolean(),
    message: z.string(),
  }),
);

export const SYSTEM_LOG_EVENT_SCHEMAS = [
  SystemLogPollStartedV1,
  SystemLogBatchV1,
  SystemLogPollCompletedV1,
  SystemLogPollFailedV1,
] as const;

export const SystemLogEventSchema = z.discriminatedUnion('type', [...SYSTEM_LOG_EVENT_SCHEMAS]);
export type SystemLogEvent = z.infer<typeof SystemLogEventSchema>;

/** The version producers publish for each System Log event type. */
export const CURRENT_SYSTEM_LOG_VERSIONS = currentVersionsOf(SYSTEM_LOG_EVENT_SCHEMAS);
