import { z } from 'zod';
import { envelopeOf } from './envelope';

export const SyncScopeSchema = z.enum(['identity', 'system-log', 'all']);
export type SyncScope = z.infer<typeof SyncScopeSchema>;

/**
 * ★ `SyncRequested` v1 on `okta.commands.v1`, key = orgId.
 * `requestId` is the idempotency key: the collector runs a request id once.
 * Scheduled runs use deterministic ids (`schedule:<scope>:<slot ISO>`), so any
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
export type SyncRequested = z.infer<typeof SyncRequestedV1>;
