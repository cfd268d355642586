import type { CompletenessSummary, ControlEvidence, UserRef } from './control-evidence.types';
import {
  AssignmentItem,
  appIdsOf,
  assignmentItems,
  completeness,
  contextOf,
  EvidenceContext,
  isActiveUser,
  nonBuiltInGroupIds,
  sortedUnique,
  unknownAccessDatasets,
  userRef,
} from './evidence-context';
import { ACTIVE_USER_STATUSES, DEACTIVATED_STATUS } from './evidence-rules';
import type { OrgState, OrgUserState } from './org-state';
import { countValues, type ValueCount } from './value-counts';

/** Datasets whose failures make who-has-access-to-what incomplete. */
/** `users`/`groups`/`apps` fail when an object had to be published trimmed (over the record size). */
export const ACCESS_REVIEW_DATASETS = [
  'users',
  'groups',
  'apps',
  'groupMembers',
  'appUsers',
  'appGroups',
] as const;

export type UserAccessItem = UserRef & { groupIds: string[]; appIds: string[] };
export type ActiveUserAccessItem = UserAccessItem & { lastLogin: string | null };
export type DeactivatedUserAccessItem = UserAccessItem & { deactivatedAt: string | null };
export type AccessExceptionReason = 'app-assignment' | 'group-membership';
/** A DEPROVISIONED user who still holds app assignments or non-BUILT_IN groups. */
export type AccessExceptionItem = UserRef & {
  deactivatedAt: string | null;
  reasons: AccessExceptionReason[];
  appAssignments: AssignmentItem[];
  /** Non-BUILT_IN groups only: Okta keeps every user in Everyone. */
  groupIds: string[];
};
export type UnknownGroupItem = { groupId: string; name: string | null; type: string };
export type UnknownAppItem = { appId: string; label: string | null; status: string };

export type AccessReviewSummary = CompletenessSummary & {
  activeStatuses: string[];
  totalUsers: number;
  /** Users per Okta status, sorted by status (values, never keys: value-counts.ts). */
  usersByStatusCounts: ValueCount[];
  activeUsers: number;
  deactivatedUsers: number;
  /** Neither active nor deactivated (STAGED, PROVISIONED, SUSPENDED, …). */
  otherUsers: number;
  exceptions: number;
  groups: number;
  apps: number;
  groupsWithUnknownMembers: number;
  appsWithUnknownAssignments: number;
};

export type AccessReviewItems = {
  activeUsers: ActiveUserAccessItem[];
  deactivatedUsers: DeactivatedUserAccessItem[];
  otherUsers: UserAccessItem[];
  exceptions: AccessExceptionItem[];
  groupsWithUnknownMembers: UnknownGroupItem[];
  appsWithUnknownAssignments: UnknownAppItem[];
};

export type AccessReviewEvidence = ControlEvidence<
  'access-review',
  AccessReviewSummary,
  AccessReviewItems
>;

function accessOf(user: OrgUserState): UserAccessItem {
  return { ...userRef(user), groupIds: sortedUnique(user.groupIds), appIds: appIdsOf(user) };
}

function exceptionOf(ctx: EvidenceContext, user: OrgUserState): AccessExceptionItem | null {
  const appAssignments = assignmentItems(user);
  const groupIds = nonBuiltInGroupIds(ctx, user);
  const reasons: AccessExceptionReason[] = [];
  if (appAssignments.length > 0) reasons.push('app-assignment');
  if (groupIds.length > 0) reasons.push('group-membership');
  if (reasons.length === 0) return null;
  return { ...userRef(user), deactivatedAt: user.deactivatedAt, reasons, appAssignments, groupIds };
}

/** Who has access today, and to what. */
export function accessReviewEvidence(source: OrgState | EvidenceContext): AccessReviewEvidence {
  const ctx = contextOf(source);
  const items: AccessReviewItems = {
    activeUsers: [],
    deactivatedUsers: [],
    otherUsers: [],
    exceptions: [],
    groupsWithUnknownMembers: ctx.groups
      .filter((g) => g.memberCount === null)
      .map((g) => ({ groupId: g.id, name: g.name, type: g.type })),
    appsWithUnknownAssignments: ctx.apps
      .filter((a) => !a.assignmentsKnown)
      .map((a) => ({ appId: a.id, label: a.label, status: a.status })),
  };
  // ctx.users is sorted by login then id, so every list below is too.
  for (const user of ctx.users) {
    if (isActiveUser(user)) {
      items.activeUsers.push({ ...accessOf(user), lastLogin: user.lastLogin });
    } else if (user.status === DEACTIVATED_STATUS) {
      items.deactivatedUsers.push({ ...accessOf(user), deactivatedAt: user.deactivatedAt });
      const exception = exceptionOf(ctx, user);
      if (exception) items.exceptions.push(exception);
    } else {
      items.otherUsers.push(accessOf(user));
    }
  }
  return {
    orgId: ctx.state.orgId,
    control: 'access-review',
    asOf: ctx.state.asOf,
    syncId: ctx.state.syncId,
    summary: {
      activeStatuses: [...ACTIVE_USER_STATUSES],
      totalUsers: ctx.users.length,
      usersByStatusCounts: countValues(ctx.users.map((u) => u.status)),
      activeUsers: items.activeUsers.length,
      deactivatedUsers: items.deactivatedUsers.length,
      otherUsers: items.otherUsers.length,
      exceptions: items.exceptions.length,
      groups: ctx.groups.length,
      apps: ctx.apps.length,
      groupsWithUnknownMembers: items.groupsWithUnknownMembers.length,
      appsWithUnknownAssignments: items.appsWithUnknownAssignments.length,
      ...completeness(ctx, ACCESS_REVIEW_DATASETS, unknownAccessDatasets(ctx)),
    },
    items,
  };
}
