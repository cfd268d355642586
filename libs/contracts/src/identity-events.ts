import { z } from 'zod';
import { currentVersionsOf, envelopeOf } from './envelope';
import {
  OktaAppGroupSchema,
  OktaAppSchema,
  OktaAppUserSchema,
  OktaFactorSchema,
  OktaGroupSchema,
  OktaRoleSchema,
  OktaUserSchema,
} from './okta-objects';

/*
 * ★ Identity events on `okta.identity.v1`, key = orgId. A sync is bracketed:
 * IdentitySyncStarted (seq 0), the pages, then exactly one of
 * IdentitySyncCompleted or IdentitySyncFailed. Only a completed sync may make
 * anything disappear from a read model.
 */

export const SyncTriggerSchema = z.enum(['schedule', 'manual']);

export const IdentitySyncStartedV1 = envelopeOf(
  'IdentitySyncStarted',
  1,
  z.object({
    requestId: z.string().min(1),
    trigger: SyncTriggerSchema,
    startedAt: z.string().datetime({ offset: true }),
    /** Okta org host the data comes from (never the token). */
    oktaDomain: z.string().min(1),
  }),
);

/**
 * `full`: every dataset read from Okta; whatever it did not see is gone.
 * `incremental`: only what changed since `baseSyncId` (a completed sync) was
 * read; consumers apply it on top of that sync's state and sweep nothing
 * it did not read.
 */
export const SyncModeSchema = z.enum(['full', 'incremental']);
export type SyncMode = z.infer<typeof SyncModeSchema>;

/** What an incremental sync is based on: the sync it builds on and the change window. */
export const IncrementalBasisSchema = z.object({
  /** The completed sync whose state this one changes. */
  baseSyncId: z.string().min(1),
  /** Changes are read from here: the base sync's start minus the overlap. */
  changedSince: z.string().datetime({ offset: true }),
});
export type IncrementalBasis = z.infer<typeof IncrementalBasisSchema>;

/** v2 adds the mode, why a full sync is full, and an incremental sync's basis. */
export const IdentitySyncStartedV2 = envelopeOf(
  'IdentitySyncStarted',
  2,
  z.object({
    requestId: z.string().min(1),
    trigger: SyncTriggerSchema,
    startedAt: z.string().datetime({ offset: true }),
    oktaDomain: z.string().min(1),
    mode: SyncModeSchema,
    /** Why this sync reads everything (`first sync`, `daily full sync`, `requested`…); null when incremental. */
    fullReason: z.string().nullable(),
    basis: IncrementalBasisSchema.nullable(),
  }),
);

/**
 * Where a sync's data came from (docs/read-models.md, Provenance): the
 * domain the customer typed and the Okta org host the API calls went to,
 * the Okta org id (`/.well-known/okta-organization`), who the token belongs
 * to (or, later, an OAuth client id), and which collector read it. Never a
 * secret.
 */
export const SyncProvenanceSchema = z.object({
  /** What the customer typed (a custom domain, or the org host). */
  oktaDomain: z.string().min(1),
  /** The Okta org host the API calls went to. */
  apiHost: z.string().min(1),
  /** The Okta org id; null when the connection was not tested since it was recorded. */
  oktaOrgId: z.string().min(1).nullable(),
  /** `GET /api/v1/users/me` id of the API token's owner, as the connection test read it. */
  tokenOwnerId: z.string().min(1).nullable(),
  /** An OAuth service app's client id (not used yet: SSWS tokens only). */
  oauthClientId: z.string().min(1).nullable(),
  /** The collector instance that held the org's lease. */
  collectorInstance: z.string().min(1),
  /** The collector's code version (`package.json` version, `+commit` when built with one). */
  collectorVersion: z.string().min(1),
});
export type SyncProvenance = z.infer<typeof SyncProvenanceSchema>;

/** v3 adds `provenance` (optional: a producer may not know it). */
export const IdentitySyncStartedV3 = envelopeOf(
  'IdentitySyncStarted',
  3,
  IdentitySyncStartedV2.shape.payload.extend({ provenance: SyncProvenanceSchema.optional() }),
);

/** A page of users as Okta returned them (all statuses, DEPROVISIONED included). */
export const UsersPageV1 = envelopeOf('UsersPage', 1, z.object({ users: z.array(OktaUserSchema) }));

/**
 * Per-user sub-resources (factors or admin roles). `status: "unknown"` means the
 * data could not be read after retries: never "none".
 */
const perUserItem = <T extends z.ZodTypeAny>(item: T) =>
  z.discriminatedUnion('status', [
    z.object({ userId: z.string().min(1), status: z.literal('read'), items: z.array(item) }),
    z.object({
      userId: z.string().min(1),
      status: z.literal('unknown'),
      reason: z.string().min(1),
    }),
  ]);

/**
 * A per-user batch: one entry per user of one Okta call read per user
 * (`GET /api/v1/users/{id}/…`, a plain array of `item`). Each per-user
 * dataset's event is one line of this (docs/design.md, "Datasets, declared once").
 */
export const perUserBatchOf = <T extends string, I extends z.ZodTypeAny>(type: T, item: I) =>
  envelopeOf(type, 1, z.object({ users: z.array(perUserItem(item)) }));

export const UserFactorsBatchV1 = perUserBatchOf('UserFactorsBatch', OktaFactorSchema);
export const UserRolesBatchV1 = perUserBatchOf('UserRolesBatch', OktaRoleSchema);

export const GroupsPageV1 = envelopeOf(
  'GroupsPage',
  1,
  z.object({ groups: z.array(OktaGroupSchema) }),
);

/**
 * Members of one group, possibly over several messages (`part`, `lastPart`).
 * Members are user ids (the full user objects travel in UsersPage).
 * `status: "unknown"` (with lastPart) means the member list could not be read.
 */
export const GroupMembersV1 = envelopeOf(
  'GroupMembers',
  1,
  z.object({
    groupId: z.string().min(1),
    status: z.enum(['read', 'unknown']),
    part: z.number().int().nonnegative(),
    lastPart: z.boolean(),
    memberIds: z.array(z.string().min(1)),
    reason: z.string().optional(),
  }),
);

/** Roles held by a group (`GET /groups/{id}/roles`). */
export const GroupRolesV1 = envelopeOf(
  'GroupRoles',
  1,
  z.object({
    groupId: z.string().min(1),
    status: z.enum(['read', 'unknown']),
    roles: z.array(OktaRoleSchema),
    reason: z.string().optional(),
  }),
);

export const AppsPageV1 = envelopeOf('AppsPage', 1, z.object({ apps: z.array(OktaAppSchema) }));

/** User assignments of one app (raw `GET /apps/{id}/users` items), in parts. */
export const AppUserAssignmentsV1 = envelopeOf(
  'AppUserAssignments',
  1,
  z.object({
    appId: z.string().min(1),
    status: z.enum(['read', 'unknown']),
    part: z.number().int().nonnegative(),
    lastPart: z.boolean(),
    assignments: z.array(OktaAppUserSchema),
    reason: z.string().optional(),
  }),
);

/** Group assignments of one app (raw `GET /apps/{id}/groups` items), in parts. */
export const AppGroupAssignmentsV1 = envelopeOf(
  'AppGroupAssignments',
  1,
  z.object({
    appId: z.string().min(1),
    status: z.enum(['read', 'unknown']),
    part: z.number().int().nonnegative(),
    lastPart: z.boolean(),
    assignments: z.array(OktaAppGroupSchema),
    reason: z.string().optional(),
  }),
);

/** Progress of a running sync, for the status read model. */
export const IdentitySyncProgressV1 = envelopeOf(
  'IdentitySyncProgress',
  1,
  z.object({ phase: z.string().min(1), done: z.record(z.number().int().nonnegative()) }),
);

export const CoverageSchema = z.object({
  read: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});

/** How an incremental sync chose what to read, per dataset (counts of objects re-read, and why). */
export const IncrementalReadsSchema = z.object({
  /** System Log change events read since `changedSince`. */
  logEvents: z.number().int().nonnegative(),
  /** Users re-read: by a newer `lastUpdated`, or named in a change event. */
  users: z.object({
    byLastUpdated: z.number().int().nonnegative(),
    byEvent: z.number().int().nonnegative(),
  }),
  /** Users whose factors were re-read (new, or named in a factor or lifecycle event). */
  factors: z.number().int().nonnegative(),
  /** Groups whose members were re-read (newer `lastMembershipUpdated`, or named in an event). */
  groupMembers: z.number().int().nonnegative(),
  /** Groups whose roles were re-read (named in a privilege event, or new). */
  groupRoles: z.number().int().nonnegative(),
  /** Apps whose assignments were re-read (an assignment event, a newer `lastUpdated`, a changed group). */
  appAssignments: z.number().int().nonnegative(),
});
export type IncrementalReads = z.infer<typeof IncrementalReadsSchema>;

/**
 * Users an incremental sync found deleted in Okta (named in a change event,
 * answered 404). A full sync needs no such event: what it did not see is gone.
 */
export const UsersDeletedV1 = envelopeOf(
  'UsersDeleted',
  1,
  z.object({ userIds: z.array(z.string().min(1)) }),
);

const identitySyncCompletedV1Payload = z.object({
  requestId: z.string().min(1),
  completedAt: z.string().datetime({ offset: true }),
  /** Entities published, per kind (users, groups, apps, factors, memberships…). */
  counts: z.record(z.number().int().nonnegative()),
  /** Per-dataset completeness: how many sub-resources were read and how many failed. */
  coverage: z.record(CoverageSchema),
  /** Highest seq of this sync before this event: consumers can check they saw every page. */
  lastSeq: z.number().int().nonnegative(),
});

export const IdentitySyncCompletedV1 = envelopeOf(
  'IdentitySyncCompleted',
  1,
  identitySyncCompletedV1Payload,
);

/** v2 adds the mode, the incremental basis and what it read. */
export const IdentitySyncCompletedV2 = envelopeOf(
  'IdentitySyncCompleted',
  2,
  identitySyncCompletedV1Payload.extend({
    mode: SyncModeSchema,
    basis: IncrementalBasisSchema.nullable(),
    /** For an incremental sync, what it re-read and why; null for a full sync. */
    reads: IncrementalReadsSchema.nullable(),
  }),
);

/** v3 adds `provenance` (optional), as IdentitySyncStarted v3. */
export const IdentitySyncCompletedV3 = envelopeOf(
  'IdentitySyncCompleted',
  3,
  IdentitySyncCompletedV2.shape.payload.extend({ provenance: SyncProvenanceSchema.optional() }),
);

/** The reasons of IdentitySyncFailed v1 (published; never changes). */
export const FailureReasonV1Schema = z.enum([
  'credentials_invalid',
  'forbidden',
  'okta_unavailable',
  'rate_limited',
  'abandoned',
  'internal',
]);

/**
 * Why a sync failed (IdentitySyncFailed v2): v1's reasons plus
 * `token_undecryptable` (no configured key opens the stored token),
 * `cancelled` (the connection was deleted mid-run) and `shutdown` (the
 * collector stopped; the request was put back and runs again).
 */
export const FailureReasonSchema = z.enum([
  ...FailureReasonV1Schema.options,
  'token_undecryptable',
  'cancelled',
  'shutdown',
]);
export type FailureReason = z.infer<typeof FailureReasonSchema>;

const identitySyncFailedPayload = <R extends z.ZodTypeAny>(reason: R) =>
  z.object({
    requestId: z.string().min(1),
    failedAt: z.string().datetime({ offset: true }),
    reason,
    retryable: z.boolean(),
    message: z.string(),
    oktaRequestId: z.string().optional(),
  });

/** v1: still accepted (replay of old history), upcast to v2 at the consumer edge. */
export const IdentitySyncFailedV1 = envelopeOf(
  'IdentitySyncFailed',
  1,
  identitySyncFailedPayload(FailureReasonV1Schema),
);

export const IdentitySyncFailedV2 = envelopeOf(
  'IdentitySyncFailed',
  2,
  identitySyncFailedPayload(FailureReasonSchema),
);

/** Connection lifecycle, so the projector's integration_status can show it. */
export const ConnectionStateChangedV1 = envelopeOf(
  'ConnectionStateChanged',
  1,
  z.object({
    state: z.enum(['connected', 'credentials_invalid', 'disconnected']),
    oktaDomain: z.string().optional(),
    changedAt: z.string().datetime({ offset: true }),
    message: z.string().optional(),
  }),
);

/** v2 adds `token_undecryptable`: the stored token opens with no configured key. */
export const ConnectionStateChangedV2 = envelopeOf(
  'ConnectionStateChanged',
  2,
  z.object({
    state: z.enum(['connected', 'credentials_invalid', 'token_undecryptable', 'disconnected']),
    oktaDomain: z.string().optional(),
    changedAt: z.string().datetime({ offset: true }),
    message: z.string().optional(),
  }),
);

export const IDENTITY_EVENT_SCHEMAS = [
  IdentitySyncStartedV3,
  UsersPageV1,
  UserFactorsBatchV1,
  UserRolesBatchV1,
  GroupsPageV1,
  GroupMembersV1,
  GroupRolesV1,
  AppsPageV1,
  AppUserAssignmentsV1,
  AppGroupAssignmentsV1,
  UsersDeletedV1,
  IdentitySyncProgressV1,
  IdentitySyncCompletedV3,
  IdentitySyncFailedV2,
  ConnectionStateChangedV2,
] as const;

/**
 * Older versions still accepted on the topic (history is replayed from offset
 * 0), each with its upcast to the current version. Never edit a published one.
 */
export const IDENTITY_EVENT_UPCASTS = [
  {
    schema: IdentitySyncStartedV1,
    // every sync before v2 was full
    upcast: (m: z.infer<typeof IdentitySyncStartedV1>) => ({
      ...m,
      schemaVersion: 3 as const,
      payload: {
        ...m.payload,
        mode: 'full' as const,
        fullReason: 'before incremental syncs',
        basis: null,
      },
    }),
  },
  {
    schema: IdentitySyncCompletedV1,
    upcast: (m: z.infer<typeof IdentitySyncCompletedV1>) => ({
      ...m,
      schemaVersion: 3 as const,
      payload: { ...m.payload, mode: 'full' as const, basis: null, reads: null },
    }),
  },
  {
    schema: IdentitySyncStartedV2,
    // v2 and v3 differ only by the optional provenance, unknown before v3
    upcast: (m: z.infer<typeof IdentitySyncStartedV2>) => ({ ...m, schemaVersion: 3 as const }),
  },
  {
    schema: IdentitySyncCompletedV2,
    upcast: (m: z.infer<typeof IdentitySyncCompletedV2>) => ({ ...m, schemaVersion: 3 as const }),
  },
  {
    schema: IdentitySyncFailedV1,
    // v1's reasons are a subset of v2's
    upcast: (m: z.infer<typeof IdentitySyncFailedV1>) => ({ ...m, schemaVersion: 2 as const }),
  },
  {
    schema: ConnectionStateChangedV1,
    upcast: (m: z.infer<typeof ConnectionStateChangedV1>) => ({ ...m, schemaVersion: 2 as const }),
  },
] as const;

/** The version producers publish for each identity event type. */
export const CURRENT_IDENTITY_VERSIONS = currentVersionsOf(IDENTITY_EVENT_SCHEMAS);

export const IdentityEventSchema = z.discriminatedUnion('type', [...IDENTITY_EVENT_SCHEMAS]);
export type IdentityEvent = z.infer<typeof IdentityEventSchema>;
export type IdentityEventOf<T extends IdentityEvent['type']> = Extract<IdentityEvent, { type: T }>;

/** The event types of the per-user batches (`perUserBatchOf`). */
export type PerUserBatchType = {
  [T in IdentityEvent['type']]: IdentityEventOf<T>['payload'] extends {
    users: Array<{ userId: string }>;
  }
    ? T
    : never;
}[IdentityEvent['type']];

/** One user's entry of a per-user batch. */
export type PerUserEntry<T extends PerUserBatchType> =
  IdentityEventOf<T>['payload']['users'][number];

/** The Okta item a per-user batch carries for a user whose list was read. */
export type PerUserItem<T extends PerUserBatchType> = Extract<
  PerUserEntry<T>,
  { status: 'read' }
>['items'][number];
