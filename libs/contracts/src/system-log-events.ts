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

const systemLogPollCompletedV1Payload = z.object({
  requestId: z.string().min(1),
  completedAt: z.string().datetime({ offset: true }),
  published: z.number().int().nonnegative(),
  duplicatesDropped: z.number().int().nonnegative(),
  oldestPublished: z.string().nullable(),
  newestPublished: z.string().nullable(),
  mode: z.enum(['backfill', 'polling', 'fallback']),
});

export const SystemLogPollCompletedV1 = envelopeOf(
  'SystemLogPollCompleted',
  1,
  systemLogPollCompletedV1Payload,
);

/** A `published` time range of the System Log, `since` included, `until` excluded (Okta's query). */
export const LogWindowSchema = z.object({
  since: z.string().datetime({ offset: true }),
  until: z.string().datetime({ offset: true }),
});
export type LogWindow = z.infer<typeof LogWindowSchema>;

/**
 * v2 adds the window the poll read and the gap windows it re-read. The
 * completion's envelope `seq` is the number of records of the poll before it
 * (SystemLogPollStarted is seq 0, its batches 1 … seq − 1): a consumer that
 * did not get every batch knows the poll has a gap (docs/topics.md).
 */
export const SystemLogPollCompletedV2 = envelopeOf(
  'SystemLogPollCompleted',
  2,
  systemLogPollCompletedV1Payload.extend({
    /**
     * What the poll's query covered: from the backfill or fallback `since`, or
     * from the previous poll's newest event (minus the fallback overlap) when
     * it continued from the checkpoint; null when the collector did not know
     * (no event read yet); `until` is the completion.
     */
    window: LogWindowSchema.nullable(),
    /** Gap windows this poll read again with a bounded query (`since`/`until`) before polling on. */
    rereads: z.array(LogWindowSchema),
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
  SystemLogPollCompletedV2,
  SystemLogPollFailedV1,
] as const;

/** v1 completions carry no window and re-read nothing. */
export const SYSTEM_LOG_EVENT_UPCASTS = [
  {
    schema: SystemLogPollCompletedV1,
    upcast: (m: z.infer<typeof SystemLogPollCompletedV1>) => ({
      ...m,
      schemaVersion: 2 as const,
      payload: { ...m.payload, window: null, rereads: [] },
    }),
  },
] as const;

export const SystemLogEventSchema = z.discriminatedUnion('type', [...SYSTEM_LOG_EVENT_SCHEMAS]);
export type SystemLogEvent = z.infer<typeof SystemLogEventSchema>;

/** The version producers publish for each System Log event type. */
export const CURRENT_SYSTEM_LOG_VERSIONS = currentVersionsOf(SYSTEM_LOG_EVENT_SCHEMAS);
