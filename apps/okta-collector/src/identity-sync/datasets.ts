import {
  OktaFactorSchema,
  OktaRoleSchema,
  type IdentityEvent,
  type IncrementalReads,
  type PerUserBatchType,
  type PerUserItem,
} from '@regentra/contracts';
import type { z } from 'zod';
import { classifyBucket, type OktaBucket } from '../okta-client/rate-limiter';
import type { ChangePlan } from './change-plan';

/**
 * The identity datasets a sync reads, each described once
 * (docs/schedules-and-ordering.md, "Incremental identity syncs"). A key is
 * also the dataset's key in `IdentitySyncCompleted.coverage`.
 */
export type DatasetKey =
  | 'users'
  | 'groups'
  | 'apps'
  | 'factors'
  | 'roleAssignees'
  | 'userRoles'
  | 'groupMembers'
  | 'groupRoles'
  | 'appUsers'
  | 'appGroups';

/** An object as a listing returns it: what an incremental sync's rules look at. */
export interface ListedObject {
  id: string;
  created?: unknown;
  lastUpdated?: unknown;
  lastMembershipUpdated?: unknown;
}

/** What an incremental sync knows when it decides what to re-read. */
export interface ChangeContext {
  /** What the change events since the window began name. */
  plan: ChangePlan;
  /** Created or changed (`at`) after the change window began. */
  since(at: unknown): boolean;
  /** The role holders of the base sync; null = unknown (read every holder's roles). */
  baseRoleHolders: ReadonlySet<string> | null;
}

/** How an incremental sync decides to re-read a dataset. */
export type IncrementalRule =
  /** The listing is read whole every sync (it is cheap); its sub-resources decide for themselves. */
  | { kind: 'relisted' }
  /** Only objects whose `lastUpdated` is after the window, plus those change events name (read by id). */
  | { kind: 'updated-since' }
  /** Per object of the parent listing: re-read when `rereads` says so. */
  | { kind: 'when'; rereads: (object: ListedObject, change: ChangeContext) => boolean };

/**
 * What the next sync does about objects this dataset could not read:
 * - `reread`: the sync records their ids, the next incremental re-reads
 *   exactly those (and stays incremental);
 * - `relisted`: nothing to do, an incremental re-lists the dataset anyway;
 * - `full`: a list that cannot be read by id; the next sync is full.
 */
export type UnreadRule = 'reread' | 'relisted' | 'full';

/** Checks each item of a plain-array Okta answer (a `@regentra/contracts` Okta object schema). */
export type ItemSchema<I> = z.ZodType<I, z.ZodTypeDef, unknown>;

/**
 * A dataset read once per user with one plain-array call (`call`, `{id}`: the
 * user) and published as a per-user batch (`perUserBatchOf`): the runner
 * reads every such dataset through one routine (`PerUserReader`).
 */
export interface PerUserRead<T extends PerUserBatchType = PerUserBatchType> {
  /** Checks each item of the answer. */
  readonly item: ItemSchema<PerUserItem<T>>;
  /**
   * The users it is read for: those the users listing returns (and those
   * `named` that it did not return), or the role holders (the roles branch).
   */
  readonly of: 'listed users' | 'role holders';
  /** Incremental: the users change events name (read even when not listed). */
  readonly named: (plan: ChangePlan) => ReadonlySet<string>;
  /** The `SyncCounts` entry that counts its items; null: counted by its branch. */
  readonly counts: CountKey | null;
  /** The `IncrementalReads` entry that counts the users it re-read; null: none. */
  readonly reads: Exclude<keyof IncrementalReads, 'users' | 'logEvents'> | null;
}

/** A per-user read of any batch (each one paired with its own items). */
export type AnyPerUserRead = { [T in PerUserBatchType]: PerUserRead<T> }[PerUserBatchType];

/** A per-user row's `publishes` and `perUser`: the batch it publishes and the items it carries paired. */
const publishesPerUser = <T extends PerUserBatchType>(publishes: T, perUser: PerUserRead<T>) => ({
  publishes,
  perUser,
});

export interface IdentityDataset {
  /** The Okta call that lists it (`{id}`: the id of the parent object). */
  readonly call: string;
  /** The Okta rate-limit bucket that call spends (`classifyBucket`). */
  readonly bucket: OktaBucket;
  /** Read once per object of this kind (a sub-resource), or null: a listing of its own. */
  readonly per: 'user' | 'group' | 'app' | null;
  /** What `read`/`failed` count in its coverage. */
  readonly coverage: 'objects' | 'per parent' | 'the list';
  /** The record it publishes; null: it publishes nothing of its own. */
  readonly publishes: IdentityEvent['type'] | null;
  readonly incremental: IncrementalRule;
  readonly unread: UnreadRule;
  /** How it is read and published per user; absent for every other dataset. */
  readonly perUser?: AnyPerUserRead;
}

function bucketOf(call: string): OktaBucket {
  const [method = 'GET', path = '/'] = call.split(' ');
  return classifyBucket(method, path);
}

type Described = Record<DatasetKey, Omit<IdentityDataset, 'bucket'>>;
type WithBuckets<D extends Described> = { [K in DatasetKey]: D[K] & { bucket: OktaBucket } };

/** Each dataset with the bucket its call spends, classified as the Okta client does. */
function withBuckets<D extends Described>(datasets: D): WithBuckets<D> {
  const out = {} as WithBuckets<D>;
  for (const key of Object.keys(datasets) as DatasetKey[]) {
    const described: D[DatasetKey] = datasets[key];
    out[key] = { ...described, bucket: bucketOf(described.call) };
  }
  return out;
}

/** Apps: assignments are re-read together (users and groups), on the same rule. */
const appAssignmentsChanged = (app: ListedObject, c: ChangeContext): boolean =>
  c.plan.everyApp ||
  c.plan.assignmentApps.has(app.id) ||
  c.since(app.created) ||
  c.since(app.lastUpdated);

export const IDENTITY_DATASETS = withBuckets({
  users: {
    call: 'GET /api/v1/users',
    per: null,
    // read whole, or published as a trimmed copy (too large for any record): failed
    coverage: 'objects',
    publishes: 'UsersPage',
    incremental: { kind: 'updated-since' },
    // a trimmed user is read again by id (GET /api/v1/users/{id})
    unread: 'reread',
  },
  groups: {
    call: 'GET /api/v1/groups',
    per: null,
    coverage: 'objects',
    publishes: 'GroupsPage',
    incremental: { kind: 'relisted' },
    unread: 'relisted',
  },
  apps: {
    call: 'GET /api/v1/apps',
    per: null,
    coverage: 'objects',
    publishes: 'AppsPage',
    incremental: { kind: 'relisted' },
    unread: 'relisted',
  },
  factors: {
    call: 'GET /api/v1/users/{id}/factors',
    per: 'user',
    coverage: 'per parent',
    incremental: {
      kind: 'when',
      // new users, and users a factor or lifecycle event names
      rereads: (user, c) => c.since(user.created) || c.plan.factorUsers.has(user.id),
    },
    unread: 'reread',
    ...publishesPerUser('UserFactorsBatch', {
      item: OktaFactorSchema,
      of: 'listed users',
      named: (plan) => plan.factorUsers,
      counts: 'factors',
      reads: 'factors',
    }),
  },
  roleAssignees: {
    call: 'GET /api/v1/iam/assignees/users',
    per: null,
    coverage: 'the list',
    // the holders' ids go into the run's outcome (`roleHolderIds`), not into a record
    publishes: null,
    incremental: { kind: 'relisted' },
    // Without the holder list the projector cannot tell former holders (it keeps
    // their roles), and an incremental sync sweeps nothing: only a full one can.
    unread: 'full',
  },
  userRoles: {
    call: 'GET /api/v1/users/{id}/roles',
    per: 'user',
    coverage: 'per parent',
    incremental: {
      kind: 'when',
      // holders new since the base, and users a privilege event names
      rereads: (holder, c) => c.plan.roleUsers.has(holder.id) || !c.baseRoleHolders?.has(holder.id),
    },
    unread: 'reread',
    // users who no longer hold a role but an event names: read too (an empty list)
    ...publishesPerUser('UserRolesBatch', {
      item: OktaRoleSchema,
      of: 'role holders',
      named: (plan) => plan.roleUsers,
      // the branch counts role holders, not roles
      counts: null,
      reads: null,
    }),
  },
  groupMembers: {
    call: 'GET /api/v1/groups/{id}/users',
    per: 'group',
    coverage: 'per parent',
    publishes: 'GroupMembers',
    incremental: {
      kind: 'when',
      rereads: (group, c) =>
        c.since(group.created) ||
        c.plan.memberGroups.has(group.id) ||
        c.since(group.lastMembershipUpdated),
    },
    unread: 'reread',
  },
  groupRoles: {
    call: 'GET /api/v1/groups/{id}/roles',
    per: 'group',
    coverage: 'per parent',
    publishes: 'GroupRoles',
    incremental: {
      kind: 'when',
      rereads: (group, c) => c.since(group.created) || c.plan.roleGroups.has(group.id),
    },
    unread: 'reread',
  },
  // Both also re-read when a group assigned to the app had its members re-read
  // (the runner asks GET /api/v1/apps/{id}/groups, one call).
  appUsers: {
    call: 'GET /api/v1/apps/{id}/users',
    per: 'app',
    coverage: 'per parent',
    publishes: 'AppUserAssignments',
    incremental: { kind: 'when', rereads: appAssignmentsChanged },
    unread: 'reread',
  },
  appGroups: {
    call: 'GET /api/v1/apps/{id}/groups',
    per: 'app',
    coverage: 'per parent',
    publishes: 'AppGroupAssignments',
    incremental: { kind: 'when', rereads: appAssignmentsChanged },
    unread: 'reread',
  },
} as const satisfies Described);

export const DATASET_KEYS = Object.keys(IDENTITY_DATASETS) as DatasetKey[];

/** One value per dataset, every key present. */
export function perDataset<V>(make: (key: DatasetKey) => V): Record<DatasetKey, V> {
  const out = {} as Record<DatasetKey, V>;
  for (const key of DATASET_KEYS) out[key] = make(key);
  return out;
}

/** Datasets read per user and published as per-user batches (rows with `perUser`). */
export type PerUserKey = {
  [K in DatasetKey]: (typeof IDENTITY_DATASETS)[K] extends { perUser: AnyPerUserRead } ? K : never;
}[DatasetKey];

export const PER_USER_KEYS = DATASET_KEYS.filter(
  (key): key is PerUserKey => 'perUser' in IDENTITY_DATASETS[key],
);

/** Datasets read per parent object, on a rule an incremental sync checks per object. */
export type RereadWhenKey = {
  [K in DatasetKey]: (typeof IDENTITY_DATASETS)[K]['incremental'] extends { kind: 'when' }
    ? K
    : never;
}[DatasetKey];

/**
 * At most this many unread objects are re-read by id; beyond that (also the
 * most ids a run records per dataset) the next sync is full.
 */
export const UNREAD_REREAD_MAX = 1000;

export interface Coverage {
  read: number;
  failed: number;
}

/** Per dataset: sub-resources (or objects) read and failed (`IdentitySyncCompleted.coverage`). */
export type DatasetCoverage = Record<DatasetKey, Coverage>;

export function emptyCoverage(): DatasetCoverage {
  return perDataset(() => ({ read: 0, failed: 0 }));
}

/** Per dataset, ids of the objects a sync could not read (each list sorted). */
export type UnreadIds = Record<DatasetKey, string[]>;

export function emptyUnread(): UnreadIds {
  return perDataset(() => []);
}

/** Per dataset, a number (e.g. how many recorded-unread objects were re-read). */
export type DatasetCounts = Record<DatasetKey, number>;

export function zeroPerDataset(): DatasetCounts {
  return perDataset(() => 0);
}

type CountKey = (typeof COUNT_KEYS)[number];
const COUNT_KEYS = [
  'users',
  'deprovisionedUsers',
  'factors',
  'roleHolders',
  'groups',
  'groupMemberships',
  'groupsWithRoles',
  'apps',
  'appUserAssignments',
  'appGroupAssignments',
] as const;

/**
 * Entities published, per kind (`IdentitySyncCompleted.counts`);
 * `deletedUsers` only when an incremental sync found some.
 */
export type SyncCounts = Record<CountKey, number> & { deletedUsers?: number };

export function emptyCounts(): SyncCounts {
  const counts = {} as SyncCounts;
  for (const key of COUNT_KEYS) counts[key] = 0;
  return counts;
}
