import { createHash } from 'node:crypto';
import { z } from 'zod';
import { currentVersionsOf, envelopeOf } from './envelope';

/*
 * ★ Change events on `okta.changes.v1`, key = orgId: the typed differences
 * between an applied identity sync and the one applied before it, published
 * by the projector after it applied the sync, one change per record. The
 * first applied sync of an org is the baseline and publishes nothing.
 * `syncId` is the applied sync; `eventId` is `changeEventId(…)` (the same
 * change of the same sync, the same id); `occurredAt` is that sync's
 * completion, so a change published again is the same record.
 */

/** The System Log event that explains a change (same user as target, a matching type, in the window). */
export const ExplainedBySchema = z.object({
  uuid: z.string().min(1),
  eventType: z.string().min(1),
  published: z.string().datetime({ offset: true }),
});
export type ExplainedBy = z.infer<typeof ExplainedBySchema>;

/** What every change payload carries besides the ids involved. */
const changeFields = {
  /** The last sync applied before this one (the state the change is measured from). */
  previousSyncId: z.string().min(1).nullable(),
  /** The System Log event that explains the change, or null when the projector holds none. */
  explainedBy: ExplainedBySchema.nullable(),
};

/** A change envelope: always names the sync that observed the change. */
const changeOf = <T extends string, P extends z.ZodRawShape>(type: T, payload: P) =>
  envelopeOf(type, 1, z.object({ ...payload, ...changeFields })).extend({
    syncId: z.string().min(1),
  });

const id = z.string().min(1);

/** A user's Okta status changed; `from: null` means the user is new since the previous sync. */
export const UserStatusChangedV1 = changeOf('UserStatusChanged', {
  userId: id,
  from: z.string().min(1).nullable(),
  to: z.string().min(1),
});

/** A factor became ACTIVE (new, or not active in the previous sync). */
export const FactorEnrolledV1 = changeOf('FactorEnrolled', {
  userId: id,
  factorId: id,
  factorType: z.string().min(1),
});

/** An ACTIVE factor is gone or no longer ACTIVE. */
export const FactorRemovedV1 = changeOf('FactorRemoved', {
  userId: id,
  factorId: id,
  factorType: z.string().min(1),
});

export const GroupMembershipAddedV1 = changeOf('GroupMembershipAdded', {
  userId: id,
  groupId: id,
});

export const GroupMembershipRemovedV1 = changeOf('GroupMembershipRemoved', {
  userId: id,
  groupId: id,
});

/** `scope`: `USER` (direct) or `GROUP` (through a group assignment), as Okta lists it. */
export const AppAssignmentAddedV1 = changeOf('AppAssignmentAdded', {
  userId: id,
  appId: id,
  scope: z.string().min(1),
});

export const AppAssignmentRemovedV1 = changeOf('AppAssignmentRemoved', {
  userId: id,
  appId: id,
  scope: z.string().min(1),
});

/** `assignmentType`: `USER` (direct) or `GROUP` (through a group that holds the role). */
export const AdminRoleGrantedV1 = changeOf('AdminRoleGranted', {
  userId: id,
  roleType: z.string().min(1),
  assignmentType: z.string().min(1),
});

export const AdminRoleRevokedV1 = changeOf('AdminRoleRevoked', {
  userId: id,
  roleType: z.string().min(1),
  assignmentType: z.string().min(1),
});

/** The user is gone from Okta (its memberships, assignments, roles and factors went with it). */
export const UserDeletedV1 = changeOf('UserDeleted', { userId: id });

export const CHANGE_EVENT_SCHEMAS = [
  UserStatusChangedV1,
  FactorEnrolledV1,
  FactorRemovedV1,
  GroupMembershipAddedV1,
  GroupMembershipRemovedV1,
  AppAssignmentAddedV1,
  AppAssignmentRemovedV1,
  AdminRoleGrantedV1,
  AdminRoleRevokedV1,
  UserDeletedV1,
] as const;

export const ChangeEventSchema = z.discriminatedUnion('type', [...CHANGE_EVENT_SCHEMAS]);
export type ChangeEvent = z.infer<typeof ChangeEventSchema>;
export type ChangeEventType = ChangeEvent['type'];
export type ChangeEventOf<T extends ChangeEventType> = Extract<ChangeEvent, { type: T }>;

/** The version the projector publishes for each change event type. */
export const CURRENT_CHANGE_VERSIONS = currentVersionsOf(CHANGE_EVENT_SCHEMAS);

/** Namespace of change event ids (a fixed random UUID): `changeEventId` is a UUID v5 in it. */
export const CHANGE_EVENT_ID_NAMESPACE = '8b7e3f52-4a0c-4d8e-9a37-2f6c1d5e9b40';

/**
 * A name-based UUID (RFC 4122 version 5: SHA-1 of the namespace and the name).
 * Exported for the id of change events and its test vectors.
 */
export function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The deterministic `eventId` of a change: a UUID v5 of the org, the sync that
 * observed it, its type and the keys of the entities involved (e.g. user and
 * group). The same change of the same sync always has the same id, so a
 * consumer that dedupes by `eventId` sees each change once however often the
 * projector republishes it (redelivery, re-projection).
 */
export function changeEventId(
  orgId: string,
  syncId: string,
  type: ChangeEventType,
  keys: readonly string[],
): string {
  return uuidV5(JSON.stringify([orgId, syncId, type, ...keys]), CHANGE_EVENT_ID_NAMESPACE);
}
