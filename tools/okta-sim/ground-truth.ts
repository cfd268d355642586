import { SimOrg, USER_STATUSES } from './model';

export interface GroundTruthUser {
  id: string;
  login: string;
  email: string;
  status: string;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastLogin: string | null;
  factors: Array<{ id: string; factorType: string; status: string }>;
  groupIds: string[];
  /** Apps reached directly or through a group. */
  appIds: string[];
  directAppIds: string[];
  /** Role types, direct and through groups, sorted and distinct. */
  roles: string[];
}

export interface GroundTruthGroup {
  id: string;
  type: string;
  name: string;
  memberIds: string[];
}

export interface GroundTruthApp {
  id: string;
  label: string;
  status: string;
  userAssignments: Array<{ userId: string; scope: 'USER' | 'GROUP' }>;
  groupIds: string[];
}

export interface GroundTruthCounts {
  users: number;
  usersByStatus: Record<string, number>;
  /** Users the default `/users` list returns (everything but DEPROVISIONED). */
  listedByDefault: number;
  groups: number;
  apps: number;
  activeApps: number;
  factors: number;
  activeFactors: number;
  usersWithActiveFactor: number;
  activeUsersWithoutActiveFactor: number;
  usersWithRoles: number;
  deprovisionedWithApps: number;
  appAssignments: number;
}

export interface GroundTruth {
  orgId: string;
  tokenOwnerId: string;
  users: GroundTruthUser[];
  groups: GroundTruthGroup[];
  apps: GroundTruthApp[];
  counts: GroundTruthCounts;
  /** Visible System Log events. */
  logEvents: number;
}

/**
 * What the org really is, computed straight from the model (not from the HTTP
 * layer or its caches), for tests to compare a sync's output against.
 */
export function computeGroundTruth(org: SimOrg, logEvents: number): GroundTruth {
  const groupsOf = new Map<string, string[]>();
  for (const group of org.groups) {
    for (const userId of group.members) {
      const list = groupsOf.get(userId) ?? [];
      list.push(group.id);
      groupsOf.set(userId, list);
    }
  }
  const appsOf = new Map<string, Set<string>>();
  const directOf = new Map<string, string[]>();
  const apps = org.apps.map((app): GroundTruthApp => {
    const scopes = new Map<string, 'USER' | 'GROUP'>();
    for (const userId of app.directUsers.keys()) scopes.set(userId, 'USER');
    for (const { groupId } of app.groups) {
      for (const userId of org.group(groupId)?.members ?? [])
        if (!scopes.has(userId)) scopes.set(userId, 'GROUP');
    }
    for (const [userId, scope] of scopes) {
      const set = appsOf.get(userId) ?? new Set<string>();
      set.add(app.id);
      appsOf.set(userId, set);
      if (scope === 'USER') directOf.set(userId, [...(directOf.get(userId) ?? []), app.id]);
    }
    return {
      id: app.id,
      label: app.label,
      status: app.status,
      userAssignments: [...scopes]
        .map(([userId, scope]) => ({ userId, scope }))
        .sort((a, b) => (a.userId < b.userId ? -1 : 1)),
      groupIds: app.groups.map((g) => g.groupId).sort(),
    };
  });
  const groupRoles = new Map(org.groups.map((g) => [g.id, g.roles.map((r) => r.type)]));
  const users = org.users.map((user): GroundTruthUser => {
    const groupIds = (groupsOf.get(user.id) ?? []).sort();
    const roles = new Set(user.roles.map((r) => r.type));
    for (const groupId of groupIds)
      for (const type of groupRoles.get(groupId) ?? []) roles.add(type);
    return {
      id: user.id,
      login: user.profile.login,
      email: user.profile.email,
      status: user.status,
      created: user.created,
      activated: user.activated,
      statusChanged: user.statusChanged,
      lastLogin: user.lastLogin,
      factors: user.factors.map((f) => ({ id: f.id, factorType: f.factorType, status: f.status })),
      groupIds,
      appIds: [...(appsOf.get(user.id) ?? [])].sort(),
      directAppIds: (directOf.get(user.id) ?? []).sort(),
      roles: [...roles].sort(),
    };
  });
  const groups = org.groups.map((g) => ({
    id: g.id,
    type: g.type,
    name: g.name,
    memberIds: [...g.members].sort(),
  }));
  return {
    orgId: org.id,
    tokenOwnerId: org.tokenOwnerId,
    users,
    groups,
    apps,
    counts: countsOf(users, groups, apps),
    logEvents,
  };
}

function countsOf(
  users: GroundTruthUser[],
  groups: GroundTruthGroup[],
  apps: GroundTruthApp[],
): GroundTruthCounts {
  const usersByStatus: Record<string, number> = Object.fromEntries(
    USER_STATUSES.map((s) => [s, 0]),
  );
  for (const user of users) usersByStatus[user.status] = (usersByStatus[user.status] ?? 0) + 1;
  const hasActive = (u: GroundTruthUser) => u.factors.some((f) => f.status === 'ACTIVE');
  return {
    users: users.length,
    usersByStatus,
    listedByDefault: users.length - (usersByStatus.DEPROVISIONED ?? 0),
    groups: groups.length,
    apps: apps.length,
    activeApps: apps.filter((a) => a.status === 'ACTIVE').length,
    factors: users.reduce((n, u) => n + u.factors.length, 0),
    activeFactors: users.reduce(
      (n, u) => n + u.factors.filter((f) => f.status === 'ACTIVE').length,
      0,
    ),
    usersWithActiveFactor: users.filter(hasActive).length,
    activeUsersWithoutActiveFactor: users.filter((u) => u.status === 'ACTIVE' && !hasActive(u))
      .length,
    usersWithRoles: users.filter((u) => u.roles.length > 0).length,
    deprovisionedWithApps: users.filter((u) => u.status === 'DEPROVISIONED' && u.appIds.length > 0)
      .length,
    appAssignments: apps.reduce((n, a) => n + a.userAssignments.length, 0),
  };
}
