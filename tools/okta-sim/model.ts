import type { ObjectSize } from './realistic-size';
/**
 * The live in-memory model of a simulated Okta org. It holds facts (statuses,
 * timestamps, memberships), not Okta JSON: `okta-json.ts` renders the wire
 * shapes on demand, so a 50,000-user org never sits in memory as strings.
 */
export const USER_STATUSES = [
  'STAGED',
  'PROVISIONED',
  'ACTIVE',
  'RECOVERY',
  'LOCKED_OUT',
  'PASSWORD_EXPIRED',
  'SUSPENDED',
  'DEPROVISIONED',
] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export function isUserStatus(value: string): value is UserStatus {
  return (USER_STATUSES as readonly string[]).includes(value);
}

export interface SimFactor {
  id: string;
  factorType: string;
  provider: string;
  vendorName: string;
  status: string;
  created: string;
  lastUpdated: string;
  profile: Record<string, unknown>;
}

export interface SimRoleAssignment {
  id: string;
  type: string;
  label: string;
  status: 'ACTIVE';
  created: string;
  lastUpdated: string;
}

export interface SimUserProfile {
  login: string;
  email: string;
  firstName: string;
  lastName: string;
  department: string;
  title: string;
  employeeNumber: string;
  [key: string]: string;
}

export interface SimUser {
  id: string;
  status: UserStatus;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastLogin: string | null;
  lastUpdated: string;
  passwordChanged: string | null;
  profile: SimUserProfile;
  provider: { type: string; name: string };
  factors: SimFactor[];
  /** Roles assigned to the user directly (group-held roles live on the group). */
  roles: SimRoleAssignment[];
}

export type GroupType = 'BUILT_IN' | 'OKTA_GROUP' | 'APP_GROUP';

export interface SimGroup {
  id: string;
  type: GroupType;
  name: string;
  description: string;
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
  objectClass: string[];
  /** Extra profile attributes (directory groups carry samAccountName, dn…). */
  extraProfile: Record<string, string>;
  /** For APP_GROUP: the app it is imported from. */
  sourceAppId: string | null;
  /** Member user ids, kept sorted (the paging order of `/groups/{id}/users`). */
  memberIds: string[];
  members: Set<string>;
  roles: SimRoleAssignment[];
}

export interface SimAppGroupAssignment {
  groupId: string;
  priority: number;
  created: string;
}

export interface SimApp {
  id: string;
  name: string;
  label: string;
  status: 'ACTIVE' | 'INACTIVE';
  signOnMode: string;
  created: string;
  lastUpdated: string;
  /** Direct (scope USER) assignments: user id -> assignment time. */
  directUsers: Map<string, string>;
  /** Group assignments, in priority order. */
  groups: SimAppGroupAssignment[];
}

function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Index of the first element whose key is greater than `key` in an array sorted by key. */
export function upperBound<T>(
  items: readonly T[],
  key: string,
  keyOf: (item: T) => string,
): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyOf(items[mid] as T) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** What the System Log still shows of a hard-deleted user, group or app. */
export interface DeletedPrincipal {
  type: 'User' | 'UserGroup' | 'AppInstance';
  alternateId: string;
  displayName: string;
}

export class SimOrg {
  /** Sorted by id: the paging order of every list. */
  readonly users: SimUser[];
  readonly groups: SimGroup[];
  readonly apps: SimApp[];
  /** Bumped by every mutation; caches of derived lists key on it. */
  version = 0;
  /** `realistic`: custom profile attributes, mapped app profiles, rich log context (realistic-size.ts). */
  objectSize: ObjectSize = 'small';
  private readonly userIndex = new Map<string, SimUser>();
  private readonly loginIndex = new Map<string, SimUser>();
  private readonly groupIndex = new Map<string, SimGroup>();
  private readonly appIndex = new Map<string, SimApp>();
  /** Hard-deleted objects, so log events naming them still render their names. */
  private readonly tombstones = new Map<string, DeletedPrincipal>();

  constructor(
    readonly id: string,
    readonly emailDomain: string,
    readonly userTypeId: string,
    users: SimUser[],
    groups: SimGroup[],
    apps: SimApp[],
    /** The admin whose API token the simulator accepts (`/users/me`). */
    readonly tokenOwnerId: string,
  ) {
    this.users = [...users].sort(byId);
    this.groups = [...groups].sort(byId);
    this.apps = [...apps].sort(byId);
    for (const user of this.users) {
      this.userIndex.set(user.id, user);
      this.loginIndex.set(user.profile.login.toLowerCase(), user);
    }
    for (const group of this.groups) this.groupIndex.set(group.id, group);
    for (const app of this.apps) this.appIndex.set(app.id, app);
  }

  user(id: string): SimUser | undefined {
    return this.userIndex.get(id);
  }

  /** Okta accepts an id or a login wherever a user id goes. */
  userByIdOrLogin(idOrLogin: string): SimUser | undefined {
    return this.userIndex.get(idOrLogin) ?? this.loginIndex.get(idOrLogin.toLowerCase());
  }

  group(id: string): SimGroup | undefined {
    return this.groupIndex.get(id);
  }

  app(id: string): SimApp | undefined {
    return this.appIndex.get(id);
  }

  tokenOwner(): SimUser {
    const owner = this.user(this.tokenOwnerId);
    if (!owner) throw new Error('token owner missing from the org');
    return owner;
  }

  everyone(): SimGroup {
    const group = this.groups.find((candidate) => candidate.type === 'BUILT_IN');
    if (!group) throw new Error('the Everyone group is missing');
    return group;
  }

  /** Groups holding at least one admin role (few; scanned, not indexed). */
  roleGroups(): SimGroup[] {
    return this.groups.filter((group) => group.roles.length > 0);
  }

  /** A hard-deleted user, group or app (for rendering old log events). */
  deleted(id: string): DeletedPrincipal | undefined {
    return this.tombstones.get(id);
  }

  /**
   * Hard delete: the user leaves every list, every group (Everyone too) and
   * every direct app assignment; its roles go with it.
   */
  removeUser(id: string): void {
    const user = this.userIndex.get(id);
    if (!user) return;
    removeById(this.users, id);
    this.userIndex.delete(id);
    this.loginIndex.delete(user.profile.login.toLowerCase());
    for (const group of this.groups) {
      if (group.members.delete(id)) removeSorted(group.memberIds, id);
    }
    for (const app of this.apps) app.directUsers.delete(id);
    this.tombstones.set(id, {
      type: 'User',
      alternateId: user.profile.login,
      displayName: `${user.profile.firstName} ${user.profile.lastName}`,
    });
    this.touch();
  }

  /** Hard delete: the group's memberships, roles and app assignments go with it. */
  removeGroup(id: string): void {
    const group = this.groupIndex.get(id);
    if (!group) return;
    removeById(this.groups, id);
    this.groupIndex.delete(id);
    for (const app of this.apps) {
      const at = app.groups.findIndex((assignment) => assignment.groupId === id);
      if (at >= 0) app.groups.splice(at, 1);
    }
    this.tombstones.set(id, { type: 'UserGroup', alternateId: 'unknown', displayName: group.name });
    this.touch();
  }

  /** Hard delete: the app's user and group assignments go with it. */
  removeApp(id: string): void {
    const app = this.appIndex.get(id);
    if (!app) return;
    removeById(this.apps, id);
    this.appIndex.delete(id);
    this.tombstones.set(id, {
      type: 'AppInstance',
      alternateId: app.label,
      displayName: app.label,
    });
    this.touch();
  }

  touch(): void {
    this.version++;
  }
}

function removeById<T extends { id: string }>(list: T[], id: string): void {
  const at = upperBound(list, id, (item) => item.id) - 1;
  if (at >= 0 && list[at]?.id === id) list.splice(at, 1);
}

/** Inserts into a sorted string array, keeping it sorted and duplicate-free. */
export function insertSorted(list: string[], value: string): boolean {
  const at = upperBound(list, value, (item) => item);
  if (at > 0 && list[at - 1] === value) return false;
  list.splice(at, 0, value);
  return true;
}

export function removeSorted(list: string[], value: string): boolean {
  const at = upperBound(list, value, (item) => item) - 1;
  if (at < 0 || list[at] !== value) return false;
  list.splice(at, 1);
  return true;
}
