import type { CompletenessSummary, ControlEvidence, UserRef } from './control-evidence.types';
import {
  AssignmentItem,
  assignmentItems,
  completeness,
  contextOf,
  EvidenceContext,
  inWindow,
  nonBuiltInGroupIds,
  parseTime,
  unknownAccessDatasets,
  userRef,
  windowBefore,
} from './evidence-context';
import { DEACTIVATED_STATUS, PROVISIONING_WINDOW_DAYS, SUSPENDED_STATUS } from './evidence-rules';
import type { OrgState, OrgUserState } from './org-state';

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
};

export type ProvisioningItems = {
  createdInWindow: CreatedUserItem[];
  activatedInWindow: ActivatedUserItem[];
  deprovisionedInWindow: DeprovisionedUserItem[];
  deprovisionedWithoutDate: UserRef[];
  suspendedUsers: SuspendedUserItem[];
  leaversWithAccess: LeaverWithAccessItem[];
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
      ...completeness(ctx, PROVISIONING_DATASETS, unknownAccessDatasets(ctx)),
    },
    items,
  };
}
