import type { CompletenessSummary, ControlEvidence, UserRef } from './control-evidence.types';
import {
  compareStrings,
  completeness,
  contextOf,
  type EvidenceContext,
  sortedUnique,
  unknownAccessDatasets,
  userRef,
} from './evidence-context';
import { SUPER_ADMIN_ROLE } from './evidence-rules';
import type { OrgState, OrgUserState } from './org-state';

export const LEAST_PRIVILEGE_DATASETS = [
  'users',
  'groups',
  'apps',
  'userRoles',
  'roleAssignees',
  'groupRoles',
  'groupMembers',
  'appUsers',
  'appGroups',
] as const;

/**
 * One role type a user holds. `direct`: a role assigned to the user
 * (assignmentType USER, or none given). `viaGroup`: a role the user's roles
 * list says comes from a group (assignmentType GROUP), or a role held by a
 * group the user is a member of; `viaGroupIds` names those groups.
 */
export type HeldRole = {
  type: string;
  labels: string[];
  direct: boolean;
  viaGroup: boolean;
  viaGroupIds: string[];
};
export type RoleHolderItem = UserRef & { roles: HeldRole[] };
export type SuperAdminItem = UserRef & {
  direct: boolean;
  viaGroup: boolean;
  viaGroupIds: string[];
};
/** Roles could not be read: the user may hold roles beyond those inferred from groups. */
export type RolesUnknownItem = UserRef & { reason: string };
export type GroupMembershipItem = {
  groupId: string;
  name: string | null;
  type: string;
  /** null: the member list could not be read. */
  memberCount: number | null;
  roles: string[];
};
export type AppAssignmentItem = {
  appId: string;
  label: string | null;
  name: string | null;
  status: string;
  /** null: unknown. */
  userAssignmentCount: number | null;
  /** null when the app's assignments could not be read. */
  groupAssignmentCount: number | null;
  groupIds: string[];
};
export type DirectAppAssignmentsItem = UserRef & { appIds: string[] };
export type RoleTypeFigures = { holders: number; direct: number; viaGroup: number };
/** One Okta role type's figures: the type is a value, never a key (value-counts.ts). */
export type RoleTypeEntry = { value: string } & RoleTypeFigures;

export type LeastPrivilegeSummary = CompletenessSummary & {
  adminRoleHolders: number;
  superAdmins: number;
  rolesUnknown: number;
  /** Users per role type (a user may count as both direct and via group), sorted by type. */
  roleTypeCounts: RoleTypeEntry[];
  groups: number;
  groupsWithUnknownMembers: number;
  apps: number;
  appsWithUnknownAssignments: number;
  usersWithDirectAppAssignments: number;
};

export type LeastPrivilegeItems = {
  adminRoleHolders: RoleHolderItem[];
  superAdmins: SuperAdminItem[];
  rolesUnknown: RolesUnknownItem[];
  groupMemberships: GroupMembershipItem[];
  appAssignments: AppAssignmentItem[];
  usersWithDirectAppAssignments: DirectAppAssignmentsItem[];
};

export type LeastPrivilegeEvidence = ControlEvidence<
  'least-privilege',
  LeastPrivilegeSummary,
  LeastPrivilegeItems
>;

type RoleAcc = {
  labels: Set<string>;
  direct: boolean;
  viaGroup: boolean;
  viaGroupIds: Set<string>;
};

function groupRoleIndex(ctx: EvidenceContext): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const group of ctx.groups) {
    if (group.roles.length > 0) index.set(group.id, sortedUnique(group.roles));
  }
  return index;
}

/** Every role type the user holds, directly or through a group, sorted by type. */
export function heldRoles(user: OrgUserState, groupRoles: Map<string, string[]>): HeldRole[] {
  const byType = new Map<string, RoleAcc>();
  const acc = (type: string): RoleAcc => {
    let entry = byType.get(type);
    if (!entry) {
      entry = { labels: new Set(), direct: false, viaGroup: false, viaGroupIds: new Set() };
      byType.set(type, entry);
    }
    return entry;
  };
  if (user.adminRoles.status === 'read') {
    for (const role of user.adminRoles.items) {
      const entry = acc(role.type);
      if (role.label) entry.labels.add(role.label);
      if (role.assignmentType === 'GROUP') entry.viaGroup = true;
      else entry.direct = true;
    }
  }
  for (const groupId of user.groupIds) {
    for (const type of groupRoles.get(groupId) ?? []) {
      const entry = acc(type);
      entry.viaGroup = true;
      entry.viaGroupIds.add(groupId);
    }
  }
  return [...byType.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([type, e]) => ({
      type,
      labels: sortedUnique(e.labels),
      direct: e.direct,
      viaGroup: e.viaGroup,
      viaGroupIds: sortedUnique(e.viaGroupIds),
    }));
}

function roleItems(ctx: EvidenceContext) {
  const groupRoles = groupRoleIndex(ctx);
  const adminRoleHolders: RoleHolderItem[] = [];
  const superAdmins: SuperAdminItem[] = [];
  const rolesUnknown: RolesUnknownItem[] = [];
  const byType = new Map<string, RoleTypeFigures>();
  for (const user of ctx.users) {
    const ref = userRef(user);
    if (user.adminRoles.status === 'unknown')
      rolesUnknown.push({ ...ref, reason: user.adminRoles.reason });
    const roles = heldRoles(user, groupRoles);
    if (roles.length === 0) continue;
    adminRoleHolders.push({ ...ref, roles });
    for (const role of roles) {
      const figures = byType.get(role.type) ?? { holders: 0, direct: 0, viaGroup: 0 };
      figures.holders++;
      if (role.direct) figures.direct++;
      if (role.viaGroup) figures.viaGroup++;
      byType.set(role.type, figures);
      if (role.type === SUPER_ADMIN_ROLE) {
        const { direct, viaGroup, viaGroupIds } = role;
        superAdmins.push({ ...ref, direct, viaGroup, viaGroupIds });
      }
    }
  }
  const roleTypeCounts: RoleTypeEntry[] = [...byType.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([value, figures]) => ({ value, ...figures }));
  return { adminRoleHolders, superAdmins, rolesUnknown, roleTypeCounts };
}

function groupMemberships(ctx: EvidenceContext): GroupMembershipItem[] {
  return ctx.groups.map((g) => ({
    groupId: g.id,
    name: g.name,
    type: g.type,
    memberCount: g.memberCount,
    roles: sortedUnique(g.roles),
  }));
}

function appAssignments(ctx: EvidenceContext): AppAssignmentItem[] {
  return ctx.apps.map((a) => ({
    appId: a.id,
    label: a.label,
    name: a.name,
    status: a.status,
    userAssignmentCount: a.assignmentsKnown ? a.userAssignmentCount : null,
    groupAssignmentCount: a.assignmentsKnown ? sortedUnique(a.groupIds).length : null,
    groupIds: sortedUnique(a.groupIds),
  }));
}

function directAssignments(ctx: EvidenceContext): DirectAppAssignmentsItem[] {
  const items: DirectAppAssignmentsItem[] = [];
  for (const user of ctx.users) {
    const appIds = sortedUnique(
      user.appAssignments.filter((a) => a.scope === 'USER').map((a) => a.appId),
    );
    if (appIds.length > 0) items.push({ ...userRef(user), appIds });
  }
  return items;
}

/** Admins (SUPER_ADMIN called out), group sizes, app assignments, direct assignments. */
export function leastPrivilegeEvidence(source: OrgState | EvidenceContext): LeastPrivilegeEvidence {
  const ctx = contextOf(source);
  const roles = roleItems(ctx);
  const items: LeastPrivilegeItems = {
    adminRoleHolders: roles.adminRoleHolders,
    superAdmins: roles.superAdmins,
    rolesUnknown: roles.rolesUnknown,
    groupMemberships: groupMemberships(ctx),
    appAssignments: appAssignments(ctx),
    usersWithDirectAppAssignments: directAssignments(ctx),
  };
  const unknown = [
    ...(roles.rolesUnknown.length > 0 ? ['userRoles'] : []),
    ...unknownAccessDatasets(ctx),
  ];
  return {
    orgId: ctx.state.orgId,
    control: 'least-privilege',
    asOf: ctx.state.asOf,
    syncId: ctx.state.syncId,
    summary: {
      adminRoleHolders: items.adminRoleHolders.length,
      superAdmins: items.superAdmins.length,
      rolesUnknown: items.rolesUnknown.length,
      roleTypeCounts: roles.roleTypeCounts,
      groups: items.groupMemberships.length,
      groupsWithUnknownMembers: items.groupMemberships.filter((g) => g.memberCount === null).length,
      apps: items.appAssignments.length,
      appsWithUnknownAssignments: ctx.apps.filter((a) => !a.assignmentsKnown).length,
      usersWithDirectAppAssignments: items.usersWithDirectAppAssignments.length,
      ...completeness(ctx, LEAST_PRIVILEGE_DATASETS, unknown),
    },
    items,
  };
}
