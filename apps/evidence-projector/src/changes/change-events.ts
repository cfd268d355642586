import {
  ChangeEvent,
  changeEventId,
  CURRENT_CHANGE_VERSIONS,
  ExplainedBy,
} from '@regentra/contracts';
import { changeKeysOf, DirectoryChange } from '../directory/directory-changes';
import type { SyncChanges } from '../directory/identity.projection';
import type { FactQuery, FactWindow } from '../log-facts/fact-match';
import type { LogFact } from '../log-facts/log-event.document';

/**
 * Pure: a sync's changes → the `okta.changes.v1` envelopes, and which System
 * Log event may explain each one. No I/O, no clock: the same changes and
 * facts give the same records (ids, order and content).
 */

/**
 * How far before the previous sync's start an explaining event may be
 * published: the collector's default `INCREMENTAL_OVERLAP_MINUTES`, for the
 * same reason (Okta logs an event a little before the change is visible).
 */
export const EXPLANATION_OVERLAP_MS = 10 * 60 * 1000;

/** The lifecycle events that bring a user to a status (Okta's names; docs/okta.md). */
const STATUS_EVENTS: Readonly<Record<string, readonly string[]>> = {
  ACTIVE: [
    'user.lifecycle.activate',
    'user.lifecycle.unsuspend',
    'user.account.unlock',
    'user.lifecycle.reactivate',
  ],
  PROVISIONED: ['user.lifecycle.activate', 'user.lifecycle.reactivate', 'user.lifecycle.create'],
  STAGED: ['user.lifecycle.create'],
  DEPROVISIONED: ['user.lifecycle.deactivate'],
  SUSPENDED: ['user.lifecycle.suspend'],
  LOCKED_OUT: ['user.account.lock'],
  // Not among the types the collector polls by default: explained only when the facts hold them.
  PASSWORD_EXPIRED: ['user.account.expire_password'],
  RECOVERY: ['user.account.reset_password'],
};

/**
 * The System Log event that would explain a change: its types and the ids it
 * must name among its targets (always the user). Null where no event names
 * the user: an app assignment through a group (`group.application_assignment.*`
 * names the group and the app) and a role through a group (`group.privilege.*`
 * names the group).
 */
export function explanationQueryOf(change: DirectoryChange): FactQuery | null {
  const user = [change.userId];
  switch (change.type) {
    case 'UserStatusChanged': {
      const types = [...(STATUS_EVENTS[change.to] ?? [])];
      if (change.from === null) types.push('user.lifecycle.create');
      return types.length ? { eventTypes: [...new Set(types)], targets: user } : null;
    }
    case 'FactorEnrolled':
      return {
        eventTypes: ['user.mfa.factor.activate', 'user.mfa.factor.unsuspend'],
        targets: user,
      };
    case 'FactorRemoved':
      return {
        eventTypes: [
          'user.mfa.factor.deactivate',
          'user.mfa.factor.reset_all',
          'user.mfa.factor.suspend',
        ],
        targets: user,
      };
    case 'GroupMembershipAdded':
      return { eventTypes: ['group.user_membership.add'], targets: [...user, change.groupId] };
    case 'GroupMembershipRemoved':
      return { eventTypes: ['group.user_membership.remove'], targets: [...user, change.groupId] };
    case 'AppAssignmentAdded':
      return change.scope === 'USER'
        ? { eventTypes: ['application.user_membership.add'], targets: [...user, change.appId] }
        : null;
    case 'AppAssignmentRemoved':
      return change.scope === 'USER'
        ? {
            eventTypes: [
              'application.user_membership.remove',
              'application.user_membership.deprovision',
              'application.user_membership.revoke',
            ],
            targets: [...user, change.appId],
          }
        : null;
    case 'AdminRoleGranted':
      return change.assignmentType === 'USER'
        ? { eventTypes: ['user.account.privilege.grant'], targets: user }
        : null;
    case 'AdminRoleRevoked':
      return change.assignmentType === 'USER'
        ? { eventTypes: ['user.account.privilege.revoke'], targets: user }
        : null;
    case 'UserDeleted':
      return { eventTypes: ['user.lifecycle.delete.completed'], targets: user };
  }
}

/**
 * Where explanations are looked for: published after the previous sync's
 * start minus the overlap, and at or before this sync's completion.
 */
export function explanationWindow(
  previousStartedAt: string | null,
  completedAt: string,
): FactWindow {
  return {
    after:
      previousStartedAt === null
        ? null
        : new Date(Date.parse(previousStartedAt) - EXPLANATION_OVERLAP_MS).toISOString(),
    through: completedAt,
  };
}

const explanationOf = (fact: LogFact | null): ExplainedBy | null =>
  fact ? { uuid: fact.uuid, eventType: fact.eventType, published: fact.published } : null;

/**
 * The envelopes of a sync's changes, in their order, one change each. The
 * `eventId` is deterministic (`changeEventId`) and `occurredAt` is the
 * sync's completion (when the change was observed), so a republished change
 * is the same record.
 */
export function changeEventsOf(
  sync: { orgId: string; syncId: string; completedAt: string },
  changes: SyncChanges,
  explanations: ReadonlyArray<LogFact | null>,
): ChangeEvent[] {
  return changes.items.map((change, i) => {
    const { type, ...ids } = change;
    return {
      eventId: changeEventId(sync.orgId, sync.syncId, type, changeKeysOf(change)),
      type,
      schemaVersion: CURRENT_CHANGE_VERSIONS[type],
      orgId: sync.orgId,
      syncId: sync.syncId,
      occurredAt: sync.completedAt,
      payload: {
        ...ids,
        previousSyncId: changes.previousSyncId,
        explainedBy: explanationOf(explanations[i] ?? null),
      },
    } as ChangeEvent;
  });
}
