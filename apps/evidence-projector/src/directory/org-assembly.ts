import type { DirectoryDocument } from './directory-document';
import type { OktaAppDocument } from './okta-app.document';
import type { OktaGroupDocument } from './okta-group.document';
import {
  type OktaUserDocument,
  type OktaUserProfile,
  type UserAppAssignment,
  userProfileOf,
} from './okta-user.document';
import type { AppUserAssignment, StagedSync } from './staged-sync';
import { assembleUserDatasets } from './user-datasets';

export { addStagedRecord } from './datasets';
export { emptyStagedSync, Parts, type StagedSync } from './staged-sync';

/**
 * Pure: one completed sync's staged records → the directory read-model
 * documents (`okta_users`, `okta_groups`, `okta_apps`). No I/O, no clock: the
 * materializer reads the records and writes what this returns.
 */

/** The read-model documents of one completed sync (what the evidence is computed from). */
export interface DirectoryDocuments {
  users: OktaUserDocument[];
  groups: OktaGroupDocument[];
  apps: OktaAppDocument[];
}

/** Inverts group → members and app → assignments into per-user lookups. */
export class Memberships {
  readonly groupsOfUser = new Map<string, string[]>();
  readonly appsOfUser = new Map<string, UserAppAssignment[]>();

  addGroup(groupId: string, memberIds: string[]): void {
    for (const userId of memberIds) {
      const list = this.groupsOfUser.get(userId) ?? [];
      list.push(groupId);
      this.groupsOfUser.set(userId, list);
    }
  }

  addApp(appId: string, assignments: AppUserAssignment[]): void {
    for (const a of assignments) {
      const list = this.appsOfUser.get(a.userId) ?? [];
      list.push({ appId, scope: a.scope ?? 'USER', status: a.status });
      this.appsOfUser.set(a.userId, list);
    }
  }
}

/** The org's documents as the completed sync `syncId` saw them. */
export function assembleDirectory(
  orgId: string,
  syncId: string,
  staged: StagedSync,
  roleHoldersComplete: boolean,
): DirectoryDocuments {
  const memberships = new Memberships();
  const groups = assembleGroups(orgId, syncId, staged, memberships);
  const apps = assembleApps(orgId, syncId, staged, memberships);
  const groupRoles = new Map(groups.filter((g) => g.roles.length).map((g) => [g.id, g.roles]));
  const users = [...staged.users.values()]
    .filter((profile) => !staged.deletedUsers.has(profile.id))
    .map((profile) =>
      assembleUser(orgId, syncId, profile, staged, memberships, groupRoles, roleHoldersComplete),
    );
  return { users, groups, apps };
}

/** The lifecycle fields of a document this sync saw: current, whatever it was before. */
function seenBy(syncId: string): Omit<DirectoryDocument, '_id' | 'orgId'> {
  return { lastSeenSyncId: syncId, removed: false, removedAt: null, removedBySyncId: null };
}

function assembleUser(
  orgId: string,
  syncId: string,
  user: OktaUserProfile,
  staged: StagedSync,
  memberships: Memberships,
  groupRoles: Map<string, string[]>,
  roleHoldersComplete: boolean,
): OktaUserDocument {
  const groupIds = [...new Set(memberships.groupsOfUser.get(user.id) ?? [])].sort();
  const appAssignments = (memberships.appsOfUser.get(user.id) ?? []).sort(
    (a, b) => a.appId.localeCompare(b.appId) || a.scope.localeCompare(b.scope),
  );
  const perUser = assembleUserDatasets((key) => staged[key].get(user.id), {
    groupIds,
    groupRoles,
    roleHoldersComplete,
  });
  return {
    _id: `${orgId}|${user.id}`,
    orgId,
    ...userProfileOf(user),
    deactivatedAt: user.status === 'DEPROVISIONED' ? user.statusChanged : null,
    // factors, activeFactorTypes, adminRoles…: each per-user dataset's fields (USER_DATASETS)
    ...perUser,
    groupIds,
    appIds: [...new Set(appAssignments.map((a) => a.appId))].sort(),
    appAssignments,
    ...seenBy(staged.userLastSeen.get(user.id) ?? syncId),
  };
}

function assembleGroups(
  orgId: string,
  syncId: string,
  staged: StagedSync,
  memberships: Memberships,
): OktaGroupDocument[] {
  const groups = [...staged.groups.values()].map((group): OktaGroupDocument => {
    const list = staged.groupMembers.get(group.id);
    if (list) memberships.addGroup(group.id, list);
    const role = staged.groupRoles.get(group.id);
    return {
      _id: `${orgId}|${group.id}`,
      orgId,
      ...group,
      memberCount: list ? new Set(list).size : null,
      roles: role?.types ?? [],
      rolesKnown: role ? role.known : true,
      ...seenBy(syncId),
    };
  });
  return groups.sort((a, b) => a.id.localeCompare(b.id));
}

function assembleApps(
  orgId: string,
  syncId: string,
  staged: StagedSync,
  memberships: Memberships,
): OktaAppDocument[] {
  const apps = [...staged.apps.values()].map((app): OktaAppDocument => {
    const assigned = staged.appUsers.get(app.id);
    const groupIds = staged.appGroups.get(app.id);
    if (assigned) memberships.addApp(app.id, assigned);
    return {
      _id: `${orgId}|${app.id}`,
      orgId,
      ...app,
      userAssignmentCount: assigned ? new Set(assigned.map((a) => a.userId)).size : null,
      groupIds: [...(groupIds ?? [])].sort(),
      assignmentsKnown: !!assigned && !!groupIds,
      ...seenBy(syncId),
    };
  });
  return apps.sort((a, b) => a.id.localeCompare(b.id));
}
