import type { OktaLogEvent } from '@regentra/contracts';
import { LOG_EVENT_TYPES } from '../system-log/log-event-types';

/**
 * The System Log event types an incremental identity sync reads to learn what
 * changed (docs/okta.md, "Event types that feed evidence"), picked from
 * LOG_EVENT_TYPES. A change that bumps an object's `lastUpdated` is also found
 * through the listings; these cover what does not (factors, memberships,
 * assignments, roles, hard deletes).
 */
export const CHANGE_EVENT_TYPES = {
  factor: LOG_EVENT_TYPES.factor,
  lifecycle: LOG_EVENT_TYPES.lifecycle,
  groupMembership: LOG_EVENT_TYPES.groupMembership,
  appMembership: LOG_EVENT_TYPES.appMembership,
  userPrivilege: LOG_EVENT_TYPES.userPrivilege,
  groupPrivilege: LOG_EVENT_TYPES.groupPrivilege,
  groupDeleted: LOG_EVENT_TYPES.groupDeleted,
} as const;

export const ALL_CHANGE_EVENT_TYPES: readonly string[] = Object.values(CHANGE_EVENT_TYPES).flat();

/** What an incremental sync must re-read, beyond what the listings show as changed. */
export interface ChangePlan {
  /** Change events read. */
  events: number;
  /** Users whose factors must be re-read: factor or lifecycle events. */
  factorUsers: Set<string>;
  /** Users whose direct roles must be re-read: user privilege events. */
  roleUsers: Set<string>;
  /** Users whose deletion was logged: re-read one by one (404 = deleted). */
  deletedUsers: Set<string>;
  /** Groups whose members must be re-read: membership events. */
  memberGroups: Set<string>;
  /** Groups whose roles must be re-read: group privilege events. */
  roleGroups: Set<string>;
  /** Apps whose assignments must be re-read: app membership and group assignment events. */
  assignmentApps: Set<string>;
  /** A group was deleted: every app's assignments are re-read (rare; no event names the apps). */
  everyApp: boolean;
}

export function emptyChangePlan(): ChangePlan {
  return {
    events: 0,
    factorUsers: new Set(),
    roleUsers: new Set(),
    deletedUsers: new Set(),
    memberGroups: new Set(),
    roleGroups: new Set(),
    assignmentApps: new Set(),
    everyApp: false,
  };
}

type TargetKind = 'user' | 'group' | 'app';

/** Okta's target types: `User`, `UserGroup`, `AppInstance` (case and spelling vary a little). */
function kindOf(type: string | null | undefined): TargetKind | null {
  const t = (type ?? '').toLowerCase();
  if (t === 'user') return 'user';
  if (t === 'usergroup' || t === 'group') return 'group';
  if (t === 'appinstance' || t === 'app' || t === 'application') return 'app';
  return null;
}

function targets(event: OktaLogEvent, kind: TargetKind): string[] {
  return (event.target ?? [])
    .filter((t) => kindOf(t.type) === kind && typeof t.id === 'string' && t.id.length > 0)
    .map((t) => t.id as string);
}

const TYPE_GROUP = new Map<string, keyof typeof CHANGE_EVENT_TYPES>(
  Object.entries(CHANGE_EVENT_TYPES).flatMap(([group, types]) =>
    types.map((type) => [type, group as keyof typeof CHANGE_EVENT_TYPES] as const),
  ),
);

/** Adds one change event to the plan (events of other types are ignored). Failed events change nothing. */
export function addChangeEvent(plan: ChangePlan, event: OktaLogEvent): void {
  const group = TYPE_GROUP.get(event.eventType);
  if (!group) return;
  if (event.outcome?.result && event.outcome.result !== 'SUCCESS') return;
  plan.events += 1;
  const add = (set: Set<string>, ids: string[]) => ids.forEach((id) => set.add(id));
  switch (group) {
    case 'factor':
      add(plan.factorUsers, targets(event, 'user'));
      break;
    case 'lifecycle':
      add(plan.factorUsers, targets(event, 'user'));
      if (event.eventType.startsWith('user.lifecycle.delete'))
        add(plan.deletedUsers, targets(event, 'user'));
      break;
    case 'groupMembership':
      add(plan.memberGroups, targets(event, 'group'));
      break;
    case 'appMembership':
      add(plan.assignmentApps, targets(event, 'app'));
      break;
    case 'userPrivilege':
      add(plan.roleUsers, targets(event, 'user'));
      break;
    case 'groupPrivilege':
      add(plan.roleGroups, targets(event, 'group'));
      break;
    case 'groupDeleted':
      plan.everyApp = true;
      break;
  }
}
