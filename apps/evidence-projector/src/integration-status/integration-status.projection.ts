import { IdentityEvent, SystemLogEvent } from '@regentra/contracts';

/**
 * `integration_status` (★), one per org. A pure function from an event to the
 * `$set` it implies: the writer applies it only when the event is newer than
 * the position the document already reflects.
 */
export type StatusUpdate = Record<string, unknown>;

/** The topics whose records the projector projects, each with its own position. */
export type ProjectedTopicName = 'identity' | 'systemLog';

/**
 * `projection.<topic>` of `integration_status` (★): whether the org's records
 * of that topic are being projected. `projection_failed`: a write of them
 * failed deterministically (bson or the database refused a document), so they
 * were dead-lettered with `reason` and the org's evidence stopped at its last
 * projected state; the next completed sync (identity) or poll (System Log)
 * projected sets it back to `ok` (docs/read-models.md, "Poison is quarantined").
 */
export type ProjectionState =
  | { state: 'ok'; at: string }
  | {
      state: 'projection_failed';
      at: string;
      reason: string;
      /** The last dead-lettered record: its offset and event type. */
      offset: string;
      eventType: string;
      /** How many of the org's records this failure dead-lettered. */
      records: number;
    };

export const PROJECTION_FAILED = 'projection_failed';

/**
 * The identity projection's verdict on a sync outcome event it did not take
 * as published: `ignored` (another outcome event decided the sync) changes
 * nothing here either; `incomplete` shows the sync failed with `reason`
 * (`message` in the last error).
 */
export type OutcomeOverride =
  { kind: 'ignored' } | { kind: 'incomplete'; reason: string; at: string; message: string };

/** The mode of the sync an identity event belongs to, and an incremental sync's base (null for full). */
function modeOf(event: IdentityEvent): { mode: string; baseSyncId: string | null } | null {
  if (event.type !== 'IdentitySyncStarted' && event.type !== 'IdentitySyncCompleted') return null;
  return { mode: event.payload.mode, baseSyncId: event.payload.basis?.baseSyncId ?? null };
}

/** The update an outcome event implies once the projection overrode it. */
export function overriddenStatusUpdate(
  event: IdentityEvent,
  override: OutcomeOverride,
): StatusUpdate | null {
  if (override.kind === 'ignored') return null;
  const requestId = 'requestId' in event.payload ? event.payload.requestId : null;
  return {
    runningIdentitySync: null,
    runningProgress: null,
    lastIdentitySync: {
      syncId: event.syncId ?? null,
      requestId,
      ...modeOf(event),
      outcome: 'failed',
      at: override.at,
      reason: override.reason,
    },
    lastError: {
      at: override.at,
      reason: override.reason,
      message: override.message,
      retryable: true,
    },
  };
}

const projected = (at: string): ProjectionState => ({ state: 'ok', at });

export function statusUpdateFor(event: IdentityEvent | SystemLogEvent): StatusUpdate | null {
  switch (event.type) {
    case 'ConnectionStateChanged':
      return {
        connection: {
          state: event.payload.state,
          oktaDomain: event.payload.oktaDomain ?? null,
          changedAt: event.payload.changedAt,
          message: event.payload.message ?? null,
        },
      };
    case 'IdentitySyncStarted':
      return {
        runningIdentitySync: {
          syncId: event.syncId ?? null,
          requestId: event.payload.requestId,
          trigger: event.payload.trigger,
          startedAt: event.payload.startedAt,
          ...modeOf(event),
        },
        runningProgress: { syncId: event.syncId ?? null, phase: 'started', done: {} },
        oktaDomain: event.payload.oktaDomain,
      };
    case 'IdentitySyncProgress':
      return {
        runningProgress: {
          syncId: event.syncId ?? null,
          phase: event.payload.phase,
          done: event.payload.done,
        },
      };
    case 'IdentitySyncCompleted':
      return {
        runningIdentitySync: null,
        runningProgress: null,
        lastIdentitySync: {
          syncId: event.syncId ?? null,
          requestId: event.payload.requestId,
          ...modeOf(event),
          outcome: 'completed',
          at: event.payload.completedAt,
          counts: event.payload.counts,
          coverage: event.payload.coverage,
          reads: event.payload.reads,
        },
        lastSuccessfulIdentitySyncAt: event.payload.completedAt,
        // Projected (a completion the projection refused takes overriddenStatusUpdate instead).
        'projection.identity': projected(event.payload.completedAt),
      };
    case 'IdentitySyncFailed':
      return {
        runningIdentitySync: null,
        runningProgress: null,
        lastIdentitySync: {
          syncId: event.syncId ?? null,
          requestId: event.payload.requestId,
          outcome: 'failed',
          at: event.payload.failedAt,
          reason: event.payload.reason,
        },
        lastError: {
          at: event.payload.failedAt,
          reason: event.payload.reason,
          message: event.payload.message,
          retryable: event.payload.retryable,
        },
        ...(event.payload.reason === 'credentials_invalid'
          ? { 'connection.state': 'credentials_invalid' }
          : {}),
      };
    case 'SystemLogPollStarted':
      return {
        runningLogPoll: {
          syncId: event.syncId ?? null,
          startedAt: event.payload.startedAt,
          mode: event.payload.mode,
        },
      };
    case 'SystemLogPollCompleted':
      return {
        runningLogPoll: null,
        lastLogPoll: {
          syncId: event.syncId ?? null,
          outcome: 'completed',
          at: event.payload.completedAt,
          published: event.payload.published,
          mode: event.payload.mode,
          oldestPublished: event.payload.oldestPublished,
          newestPublished: event.payload.newestPublished,
        },
        'projection.systemLog': projected(event.payload.completedAt),
      };
    case 'SystemLogPollFailed':
      return {
        runningLogPoll: null,
        lastLogPoll: {
          syncId: event.syncId ?? null,
          outcome: 'failed',
          at: event.payload.failedAt,
          reason: event.payload.reason,
        },
        lastError: {
          at: event.payload.failedAt,
          reason: event.payload.reason,
          message: event.payload.message,
          retryable: event.payload.retryable,
        },
      };
    default:
      return null;
  }
}
