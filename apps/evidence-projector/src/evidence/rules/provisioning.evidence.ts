import type { CompletenessSummary, ControlEvidence, UserRef } from './control-evidence.types';
import {
  AssignmentItem,
  assignmentItems,
  compareByLoginThenId,
  completeness,
  contextOf,
  EvidenceContext,
  inWindow,
  logCoverageSummary,
  nonBuiltInGroupIds,
  parseTime,
  TimeWindow,
  unknownAccessDatasets,
  userRef,
  windowBefore,
} from './evidence-context';
import { DEACTIVATED_STATUS, PROVISIONING_WINDOW_DAYS, SUSPENDED_STATUS } from './evidence-rules';
import type { OrgRemovedUserState, OrgState, OrgUserState, SystemLogCoverage } from './org-state';

/** Leavers holding access depend on memberships and assignments; dates on the log. */
export const PROVISIONING_DATASETS = [
  'users',
  'groups',
  'apps',
  'groupMembers',
  'appUsers',
  'appGroups',
  'systemLog',
] as const;

/**
 * Where a deprovisioning time comes from: the System Log's
 * `user.lifecycle.deactivate` event, the read model's `deactivatedAt`, or the
 * user's `statusChanged` (a DEPROVISIONED user's last status change).
 */
export type DeprovisionSource = 'system-log' | 'deactivatedAt' | 'statusChanged';

export type Deprovisioning = {
  /** The earliest of the known times; a tie goes to the System Log. */
  deprovisionedAt: string;
  source: DeprovisionSource;
  /** Latest deactivate event of the user (the one that began the current state). */
  logDeactivatedAt: string | null;
  /** deactivatedAt, else statusChanged. */
  recordDeactivatedAt: string | null;
};

export type CreatedUserItem = UserRef & { created: string };
export type ActivatedUserItem = UserRef & { activated: string };
export type DeprovisionedUserItem = UserRef & Deprovisioning;
export type SuspendedUserItem = UserRef & { suspendedAt: string | null };
export type LeaverWithAccessItem = UserRef & {
  /** Deprovisioning time (as above) or, for a suspended user, statusChanged. */
  leftAt: string | null;
  appAssignments: AssignmentItem[];
  /** Non-BUILT_IN groups only. */
  groupIds: string[];
};

/** The System Log event that deleted a user (`user.lifecycle.delete.completed`). */
export type DeleteEventRef = { uuid: string; published: string; actorId: string | null };

/**
 * A user deleted in Okta (the directory marked it removed), deleted in the
 * window: when (the delete event's time, else when a completed sync found it
 * gone), and the delete event, when the System Log has one.
 */
export type DeletedUserItem = UserRef & {
  deletedAt: string;
  source: 'system-log' | 'removedAt';
  /** Completion time of the sync that marked the user removed, and that sync. */
  removedAt: string | null;
  removedBySyncId: string | null;
  deleteEvent: DeleteEventRef | null;
};

export type ProvisioningSummary = CompletenessSummary & {
  windowDays: number;
  windowStart: string;
  windowEnd: string;
  createdInWindow: number;
  activatedInWindow: number;
  deprovisionedInWindow: number;
  deprovisionedBySource: Record<DeprovisionSource, number>;
  /** DEPROVISIONED users whose deprovisioning time no source knows. */
  deprovisionedWithoutDate: number;
  suspendedUsers: number;
  leaversWithAccess: number;
  /** Users deleted in the window (`deletedUsers`), and how many of them have no delete event in the log. */
  deletedInWindow: number;
  deletedWithoutLogEvent: number;
  /** What the System Log polls read (null: unknown). */
  logCoverage: SystemLogCoverage | null;
};

export type ProvisioningItems = {
  createdInWindow: CreatedUserItem[];
  activatedInWindow: ActivatedUserItem[];
  deprovisionedInWindow: DeprovisionedUserItem[];
  deprovisionedWithoutDate: UserRef[];
  suspendedUsers: SuspendedUserItem[];
  leaversWithAccess: LeaverWithAccessItem[];
  deletedUsers: DeletedUserItem[];
};

export type ProvisioningEvidence = ControlEvidence<
  'provisioning',
  ProvisioningSummary,
  ProvisioningItems
>;

type Timed = { at: number; value: string };

/** Latest successful deactivate event per target user (folded with the log figures). */
function lastDeactivations(ctx: EvidenceContext): Map<string, Timed> {
  const latest = new Map<string, Timed>();
  for (const [id, fact] of ctx.logs.deactivations)
    latest.set(id, { at: fact.at, value: fact.published });
  return latest;
}

function recordTime(user: OrgUserState): (Timed & { source: DeprovisionSource }) | null {
  const deactivatedAt = parseTime(user.deactivatedAt);
  if (deactivatedAt !== null && user.deactivatedAt !== null) {
    return { at: deactivatedAt, value: user.deactivatedAt, source: 'deactivatedAt' };
  }
  const statusChanged = parseTime(user.statusChanged);
  if (statusChanged !== null && user.statusChanged !== null) {
    return { at: statusChanged, value: user.statusChanged, source: 'statusChanged' };
  }
  return null;
}

/** When a DEPROVISIONED user was deprovisioned, and by which source; null if unknown. */
export function deprovisioningOf(
  user: OrgUserState,
  fromLog: Timed | undefined,
): Deprovisioning | null {
  const record = recordTime(user);
  const known = {
    logDeactivatedAt: fromLog?.value ?? null,
    recordDeactivatedAt: record?.value ?? null,
  };
  if (fromLog && (!record || fromLog.at <= record.at)) {
    return { deprovisionedAt: fromLog.value, source: 'system-log', ...known };
  }
  if (record) return { deprovisionedAt: record.value, source: record.source, ...known };
  return null;
}

/**
 * Users the directory marked removed, deleted in the window: at the time of
 * their delete event when the log has one (the latest), else when a
 * completed sync found them gone. Sorted by login, then id.
 */
function deletedUsersIn(ctx: EvidenceContext, window: TimeWindow): DeletedUserItem[] {
  const items: DeletedUserItem[] = [];
  for (const user of ctx.state.removedUsers ?? []) {
    const removedAt = parseTime(user.removedAt);
    // Removed by a later sync than the one evidenced: not known at asOf.
    if (removedAt === null || removedAt > window.endMs) continue;
    const event = ctx.logs.deletions.get(user.id);
    const deleteEvent: DeleteEventRef | null = event
      ? { uuid: event.uuid, published: event.published, actorId: event.actorId }
      : null;
    const deletedAt = event ? event.published : (user.removedAt as string);
    if (!inWindow(event ? event.at : removedAt, window)) continue;
    items.push({
      ...removedUserRef(user),
      deletedAt,
      source: event ? 'system-log' : 'removedAt',
      removedAt: user.removedAt,
      removedBySyncId: user.removedBySyncId,
      deleteEvent,
    });
  }
  return items.sort(compareByLoginThenId);
}

function removedUserRef(user: OrgRemovedUserState): UserRef {
  return { userId: user.id, login: user.login, email: user.email, status: user.status };
}

/** Joiners and leavers of the last 90 days, and leavers who still hold access. */
export function provisioningEvidence(source: OrgState | EvidenceContext): ProvisioningEvidence {
  const ctx = contextOf(source);
  const window = windowBefore(ctx, PROVISIONING_WINDOW_DAYS);
  const deactivations = lastDeactivations(ctx);
  const items: ProvisioningItems = {
    createdInWindow: [],
    activatedInWindow: [],
    deprovisionedInWindow: [],
    deprovisionedWithoutDate: [],
    suspendedUsers: [],
    leaversWithAccess: [],
    deletedUsers: deletedUsersIn(ctx, window),
  };
  const bySource: Record<DeprovisionSource, number> = {
    deactivatedAt: 0,
    statusChanged: 0,
    'system-log': 0,
  };
  for (const user of ctx.users) {
    const ref = userRef(user);
    if (user.created !== null && inWindow(parseTime(user.created), window)) {
      items.createdInWindow.push({ ...ref, created: user.created });
    }
    if (user.activated !== null && inWindow(parseTime(user.activated), window)) {
      items.activatedInWindow.push({ ...ref, activated: user.activated });
    }
    let leftAt: string | null;
    if (user.status === DEACTIVATED_STATUS) {
      const deprovisioning = deprovisioningOf(user, deactivations.get(user.id));
      leftAt = deprovisioning?.deprovisionedAt ?? null;
      if (!deprovisioning) {
        items.deprovisionedWithoutDate.push(ref);
      } else if (inWindow(parseTime(deprovisioning.deprovisionedAt), window)) {
        items.deprovisionedInWindow.push({ ...ref, ...deprovisioning });
        bySource[deprovisioning.source] += 1;
      }
    } else if (user.status === SUSPENDED_STATUS) {
      leftAt = user.statusChanged;
      items.suspendedUsers.push({ ...ref, suspendedAt: user.statusChanged });
    } else {
      continue;
    }
    const appAssignments = assignmentItems(user);
    const groupIds = nonBuiltInGroupIds(ctx, user);
    if (appAssignments.length > 0 || groupIds.length > 0) {
      items.leaversWithAccess.push({ ...ref, leftAt, appAssignments, groupIds });
    }
  }
  return {
    orgId: ctx.state.orgId,
    control: 'provisioning',
    asOf: ctx.state.asOf,
    syncId: ctx.state.syncId,
    summary: {
      windowDays: window.days,
      windowStart: window.start,
      windowEnd: window.end,
      createdInWindow: items.createdInWindow.length,
      activatedInWindow: items.activatedInWindow.length,
      deprovisionedInWindow: items.deprovisionedInWindow.length,
      deprovisionedBySource: bySource,
      deprovisionedWithoutDate: items.deprovisionedWithoutDate.length,
      suspendedUsers: items.suspendedUsers.length,
      leaversWithAccess: items.leaversWithAccess.length,
      deletedInWindow: items.deletedUsers.length,
      deletedWithoutLogEvent: items.deletedUsers.filter((d) => d.deleteEvent === null).length,
      logCoverage: logCoverageSummary(ctx),
      ...completeness(ctx, PROVISIONING_DATASETS, unknownAccessDatasets(ctx)),
    },
    items,
  };
}
