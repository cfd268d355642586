import { z } from 'zod';
import { currentVersionsOf, envelopeOf } from './envelope';
import { LogWindowSchema } from './system-log-events';

export const SyncScopeSchema = z.enum(['identity', 'system-log', 'all']);
export type SyncScope = z.infer<typeof SyncScopeSchema>;

/**
 * What one collector run reads: a scope other than `all` (an `all` request
 * runs both parts). The `kind` of a sync run, the `pending` parts of a request.
 */
export type RunPart = Exclude<SyncScope, 'all'>;

/**
 * ★ `SyncRequested` v1 on `okta.commands.v1`, key = orgId.
 * `requestId` is the idempotency key: the collector runs a request id once.
 * Scheduled runs use deterministic ids (`schedule:<orgId>:<scope>:<slot ISO>`), so any
 * number of collector instances produce one run per org and slot.
 */
export const SyncRequestedPayloadSchema = z.object({
  scope: SyncScopeSchema,
  requestId: z.string().min(1).max(200),
  requestedAt: z.string().datetime({ offset: true }),
  /** Who asked: `schedule`, `api:<caller>`, a user id of the Regentra backend… */
  requestedBy: z.string().min(1).max(200),
});
export type SyncRequestedPayload = z.infer<typeof SyncRequestedPayloadSchema>;

export const SyncRequestedV1 = envelopeOf('SyncRequested', 1, SyncRequestedPayloadSchema);

/**
 * `full`: read everything even when an incremental sync would do; `auto`
 * (the default): the collector decides (see docs/schedules-and-ordering.md, "When a full sync runs").
 */
export const SyncRequestModeSchema = z.enum(['auto', 'full']);
export type SyncRequestMode = z.infer<typeof SyncRequestModeSchema>;

/** v2 adds `mode`. */
export const SyncRequestedV2PayloadSchema = SyncRequestedPayloadSchema.extend({
  mode: SyncRequestModeSchema,
});
export const SyncRequestedV2 = envelopeOf('SyncRequested', 2, SyncRequestedV2PayloadSchema);
export type SyncRequested = z.infer<typeof SyncRequestedV2>;

/**
 * ★ `SystemLogRereadRequested` v1 on `okta.commands.v1`, key = orgId: the
 * projector found a System Log poll whose batches did not all arrive (one was
 * dead-lettered, say), so its window is a gap. The collector records the gap
 * with the org's log cursor and runs a log poll that reads `window` again with
 * a bounded query before polling on (docs/topics.md, "System Log gaps").
 * `requestId` (`reread:<orgId>:<pollId>`) makes a repeat a no-op.
 */
export const SystemLogRereadRequestedV1 = envelopeOf(
  'SystemLogRereadRequested',
  1,
  z.object({
    requestId: z.string().min(1).max(200),
    requestedAt: z.string().datetime({ offset: true }),
    /** The log poll (its syncId) whose batches did not all arrive. */
    pollId: z.string().min(1).max(200),
    window: LogWindowSchema,
  }),
);
export type SystemLogRereadRequested = z.infer<typeof SystemLogRereadRequestedV1>;

/** Every command, after decoding and upcasting. */
export type Command = SyncRequested | SystemLogRereadRequested;

/** The version producers publish for each command type. */
export const CURRENT_COMMAND_VERSIONS = currentVersionsOf([
  SyncRequestedV2,
  SystemLogRereadRequestedV1,
]);

/** v1 (no mode) is still accepted: it meant `auto`. */
export const COMMAND_UPCASTS = [
  {
    schema: SyncRequestedV1,
    upcast: (m: z.infer<typeof SyncRequestedV1>) => ({
      ...m,
      schemaVersion: 2 as const,
      payload: { ...m.payload, mode: 'auto' as const },
    }),
  },
] as const;
