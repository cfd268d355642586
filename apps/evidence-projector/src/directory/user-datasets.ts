import type {
  IdentityEvent,
  PerUserBatchType,
  PerUserEntry,
  PerUserItem,
} from '@regentra/contracts';
import type { OktaUserDocument, UserFactor, UserRole, UserRoles } from './okta-user.document';

/**
 * The datasets read per user (one entry per user in their batch event,
 * `perUserBatchOf` in libs/contracts), declared once: each row says which
 * batch carries it, how an item is kept, which fields of the user document
 * it assembles into, what an incremental sync carries over from the base
 * document and what a re-read leaves. Its key is also the kind of its staged
 * records and its map in the staged sync; the types of both derive from
 * this table. docs/design.md, "Datasets, declared once".
 */

/** A per-user dataset's staged value for one user. `unknown` is never "none". */
export type PerUserValue<I> =
  { status: 'read'; items: I[] } | { status: 'unknown'; reason: string };

/** What assembly knows of a user beyond the per-user values (for the roles through groups). */
export interface UserContext {
  /** The user's groups, sorted. */
  groupIds: string[];
  /** The role types of each group that holds roles. */
  groupRoles: ReadonlyMap<string, string[]>;
  /** Whether the role holders were listed (a user without a roles entry then holds none). */
  roleHoldersComplete: boolean;
}

interface UserDataset<T extends PerUserBatchType, I, F extends keyof OktaUserDocument> {
  /** The per-user batch that carries it. */
  event: T;
  /** One item as the staged record (and the read model) keeps it. */
  item(item: PerUserItem<T>): I;
  /** Its fields of the user document (`value` undefined: no event of the sync named the user). */
  assemble(value: PerUserValue<I> | undefined, user: UserContext): Pick<OktaUserDocument, F>;
  /** What an incremental sync carries over from the base document (null: no staged value). */
  carried(doc: OktaUserDocument): PerUserValue<I> | null;
  /** What a re-read leaves (null removes the staged value). */
  reread(value: PerUserValue<I>): PerUserValue<I> | null;
}

/** Checks one row: its batch's items, its kept items and its document fields agree. */
const userDataset = <T extends PerUserBatchType, I, F extends keyof OktaUserDocument>(
  row: UserDataset<T, I, F>,
): UserDataset<T, I, F> => row;

export const role = (r: {
  type: string;
  label?: string | null;
  assignmentType?: string | null;
}): UserRole => ({
  type: r.type,
  label: r.label ?? null,
  assignmentType: r.assignmentType ?? null,
});

/** A role assigned through a group: assembled from the group's roles, not kept as the user's own. */
const throughGroup = (r: UserRole) => r.assignmentType === 'GROUP';

/**
 * A user's own (direct) roles as a staged value: the items not assigned
 * through a group, or null (no record: "none", as for a user who is not a
 * role holder) when there are none. Unknown stays unknown.
 */
export function directRolesOf(roles: UserRoles): Exclude<UserRoles, { status: 'none' }> | null {
  if (roles.status === 'none') return null;
  if (roles.status === 'unknown') return roles;
  const items = roles.items.filter((r) => !throughGroup(r));
  return items.length ? { status: 'read', items } : null;
}

/** Direct roles plus those inherited from the user's groups, one per type and assignment. */
function adminRolesOf(direct: PerUserValue<UserRole> | undefined, user: UserContext): UserRoles {
  const inherited = user.groupIds.flatMap((g) =>
    (user.groupRoles.get(g) ?? []).map((type) => ({ type, label: null, assignmentType: 'GROUP' })),
  );
  if (direct?.status === 'unknown') return direct;
  if (direct?.status === 'read' || inherited.length) {
    const items = [...(direct?.status === 'read' ? direct.items : []), ...inherited];
    const unique = new Map(items.map((r) => [`${r.type}|${r.assignmentType ?? ''}`, r]));
    return {
      status: 'read',
      items: [...unique.values()].sort((a, b) => a.type.localeCompare(b.type)),
    };
  }
  return user.roleHoldersComplete
    ? { status: 'none' }
    : { status: 'unknown', reason: 'role holders could not be listed' };
}

/** A user whose factors no event of a full sync carried. */
export const FACTORS_NOT_PUBLISHED = {
  status: 'unknown',
  reason: 'factors not published',
} as const satisfies PerUserValue<never>;

export const USER_DATASETS = {
  factors: userDataset({
    event: 'UserFactorsBatch',
    item: (f): UserFactor => ({
      id: f.id,
      factorType: f.factorType,
      status: f.status,
      provider: f.provider ?? null,
    }),
    assemble: (factors = FACTORS_NOT_PUBLISHED) => ({
      factors,
      activeFactorTypes:
        factors.status === 'read'
          ? [
              ...new Set(
                factors.items.filter((f) => f.status === 'ACTIVE').map((f) => f.factorType),
              ),
            ].sort()
          : null,
    }),
    carried: (doc) => doc.factors,
    reread: (value) => value,
  }),
  roles: userDataset({
    event: 'UserRolesBatch',
    item: role,
    // Not a role holder: "none" (or unknown when the holders could not be listed).
    assemble: (direct, user) => ({ adminRoles: adminRolesOf(direct, user) }),
    carried: (doc) => directRolesOf(doc.adminRoles),
    // A re-read without a direct role means "no direct roles now".
    reread: directRolesOf,
  }),
};

export type UserDatasetKey = keyof typeof USER_DATASETS;
export const USER_DATASET_KEYS = Object.keys(USER_DATASETS) as UserDatasetKey[];

type ItemOf<K extends UserDatasetKey> = ReturnType<(typeof USER_DATASETS)[K]['item']>;

/** What each per-user dataset stages for a user. */
export type UserDatasetValues = { [K in UserDatasetKey]: PerUserValue<ItemOf<K>> };

/** The carry-over rules of each row on its own values, as code generic over the keys reads them. */
export const USER_DATASET_RULES: {
  [K in UserDatasetKey]: {
    carried(doc: OktaUserDocument): UserDatasetValues[K] | null;
    reread(value: UserDatasetValues[K]): UserDatasetValues[K] | null;
  };
} = USER_DATASETS;

/** The user document fields the per-user datasets assemble. */
export type UserDatasetFields = Pick<
  OktaUserDocument,
  { [K in UserDatasetKey]: keyof ReturnType<(typeof USER_DATASETS)[K]['assemble']> }[UserDatasetKey]
>;

/** The staged record of one user's value of a per-user dataset (its kind: the dataset's key). */
export type UserDatasetRecord = {
  [K in UserDatasetKey]: { kind: K; entityId: string; data: UserDatasetValues[K] };
}[UserDatasetKey];

/** A row with its types forgotten: its batch carries exactly the items its `item` keeps. */
interface AnyUserDataset {
  event: PerUserBatchType;
  item(item: unknown): unknown;
  assemble(value: unknown, user: UserContext): Partial<OktaUserDocument>;
}
const anyRow = (key: UserDatasetKey) => USER_DATASETS[key] as unknown as AnyUserDataset;

/** Pure: the staged records of a per-user batch of `key`, one per user. */
export function userDatasetRecords(key: UserDatasetKey, event: IdentityEvent): UserDatasetRecord[] {
  const row = anyRow(key);
  const { users } = event.payload as { users: Array<PerUserEntry<PerUserBatchType>> };
  return users.map(
    (u) =>
      ({
        kind: key,
        entityId: u.userId,
        data:
          u.status === 'read'
            ? { status: 'read', items: u.items.map((item) => row.item(item)) }
            : { status: 'unknown', reason: u.reason },
      }) as UserDatasetRecord,
  );
}

/** Pure: the user document fields of every per-user dataset, from the user's staged values. */
export function assembleUserDatasets(
  valueOf: (key: UserDatasetKey) => unknown,
  user: UserContext,
): UserDatasetFields {
  const fields: Partial<OktaUserDocument> = {};
  for (const key of USER_DATASET_KEYS)
    Object.assign(fields, anyRow(key).assemble(valueOf(key), user));
  // every row assembled its fields (the keys of UserDatasetFields)
  return fields as UserDatasetFields;
}
