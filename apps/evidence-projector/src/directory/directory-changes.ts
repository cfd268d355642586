import type { ChangeEventType } from '@regentra/contracts';
import type { OktaAppDocument } from './okta-app.document';
import type { OktaGroupDocument } from './okta-group.document';
import type { OktaUserDocument, UserFactors, UserRoles } from './okta-user.document';

/** The documents compared (as `DirectoryDocuments` of org-assembly, which stages changes). */
interface Documents {
  users: OktaUserDocument[];
  groups: OktaGroupDocument[];
  apps: OktaAppDocument[];
}

/**
 * Pure: the typed differences between the org's documents before a sync was
 * applied and the documents it wrote (the payloads of `okta.changes.v1`,
 * without the envelope, the previous sync and the explanation). No I/O, no
 * clock; the same documents give the same list in the same order.
 *
 * Rules:
 * - no previous state (the org's first applied sync): no changes, a baseline;
 * - a user present before and not now: `UserDeleted` only (its memberships,
 *   assignments, roles and factors went with it);
 * - a user new since the previous sync: `UserStatusChanged` with `from: null`,
 *   then what it holds as additions (factors, memberships, assignments, roles);
 * - factors: only ACTIVE ones count (what the evidence calls enrolled MFA);
 *   a factor list unknown on either side yields no factor changes for the user;
 * - a group's memberships are compared only when its member list is known on
 *   both sides (a group absent on a side has no members there); likewise an
 *   app's user assignments (key: app and scope, so USER → GROUP is a removal
 *   and an addition);
 * - roles (key: type and assignment type): none when the user's roles are
 *   unknown on either side; roles through a group (`GROUP`) only when every
 *   group that could give the user one is known on both sides.
 */
export type DirectoryChange =
  | { type: 'UserStatusChanged'; userId: string; from: string | null; to: string }
  | { type: 'FactorEnrolled'; userId: string; factorId: string; factorType: string }
  | { type: 'FactorRemoved'; userId: string; factorId: string; factorType: string }
  | { type: 'GroupMembershipAdded'; userId: string; groupId: string }
  | { type: 'GroupMembershipRemoved'; userId: string; groupId: string }
  | { type: 'AppAssignmentAdded'; userId: string; appId: string; scope: string }
  | { type: 'AppAssignmentRemoved'; userId: string; appId: string; scope: string }
  | { type: 'AdminRoleGranted'; userId: string; roleType: string; assignmentType: string }
  | { type: 'AdminRoleRevoked'; userId: string; roleType: string; assignmentType: string }
  | { type: 'UserDeleted'; userId: string };

/** Order of the kinds within one user's changes. */
const TYPE_ORDER: readonly ChangeEventType[] = [
  'UserStatusChanged',
  'FactorEnrolled',
  'FactorRemoved',
  'GroupMembershipAdded',
  'GroupMembershipRemoved',
  'AppAssignmentAdded',
  'AppAssignmentRemoved',
  'AdminRoleGranted',
  'AdminRoleRevoked',
  'UserDeleted',
];

/** The keys of the entities a change is about (with the sync and type, what makes its id). */
export function changeKeysOf(change: DirectoryChange): string[] {
  switch (change.type) {
    case 'UserStatusChanged':
    case 'UserDeleted':
      return [change.userId];
    case 'FactorEnrolled':
    case 'FactorRemoved':
      return [change.userId, change.factorId];
    case 'GroupMembershipAdded':
    case 'GroupMembershipRemoved':
      return [change.userId, change.groupId];
    case 'AppAssignmentAdded':
    case 'AppAssignmentRemoved':
      return [change.userId, change.appId, change.scope];
    case 'AdminRoleGranted':
    case 'AdminRoleRevoked':
      return [change.userId, change.roleType, change.assignmentType];
  }
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const order = compareText(a[i] ?? '', b[i] ?? '');
    if (order) return order;
  }
  return 0;
}

/** The order changes are published in: by user, then kind, then the entities involved. */
export function compareChanges(a: DirectoryChange, b: DirectoryChange): number {
  return (
    compareText(a.userId, b.userId) ||
    TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type) ||
    compareKeys(changeKeysOf(a), changeKeysOf(b))
  );
}

/** What one side (before or after the sync) tells about the org's groups and apps. */
interface Side {
  groups: Map<string, OktaGroupDocument>;
  apps: Map<string, OktaAppDocument>;
  /** Some group's member list is unknown and it holds (or may hold) roles: any user may have them. */
  groupRolesOpen: boolean;
}

function sideOf(docs: Documents): Side {
  return {
    groups: new Map(docs.groups.map((g) => [g.id, g])),
    apps: new Map(docs.apps.map((a) => [a.id, a])),
    groupRolesOpen: docs.groups.some(
      (g) => g.memberCount === null && (g.roles.length > 0 || !g.rolesKnown),
    ),
  };
}

/** A group's members are known on a side: it is absent there (no members), or its list was read. */
function membersKnown(side: Side, groupId: string): boolean {
  const group = side.groups.get(groupId);
  return !group || group.memberCount !== null;
}
/** An app's user assignments are known on a side: absent there, or its user list was read. */
function assignmentsKnown(side: Side, appId: string): boolean {
  const app = side.apps.get(appId);
  return !app || app.userAssignmentCount !== null;
}

/** The user's roles through groups are complete on a side: its groups' roles, and every group's members, are known. */
const groupRolesKnown = (side: Side, user: OktaUserDocument) =>
  !side.groupRolesOpen && user.groupIds.every((g) => side.groups.get(g)?.rolesKnown !== false);

/**
 * The changes from `previous` (the org's current documents before the sync,
 * null when no sync was applied before) to `next` (the documents the sync
 * wrote), in publishing order.
 */
export function diffDirectory(previous: Documents | null, next: Documents): DirectoryChange[] {
  if (!previous) return [];
  const before = sideOf(previous);
  const after = sideOf(next);
  const previousUsers = new Map(previous.users.map((u) => [u.id, u]));
  const nextIds = new Set(next.users.map((u) => u.id));
  const changes: DirectoryChange[] = [];
  for (const user of next.users)
    changes.push(...diffUser(previousUsers.get(user.id) ?? null, user, before, after));
  for (const user of previous.users)
    if (!nextIds.has(user.id)) changes.push({ type: 'UserDeleted', userId: user.id });
  return changes.sort(compareChanges);
}

/** One user's changes; `prev` null: the user is new since the previous sync. */
function diffUser(
  prev: OktaUserDocument | null,
  next: OktaUserDocument,
  before: Side,
  after: Side,
): DirectoryChange[] {
  const userId = next.id;
  const changes: DirectoryChange[] = [];
  if (!prev || prev.status !== next.status)
    changes.push({
      type: 'UserStatusChanged',
      userId,
      from: prev?.status ?? null,
      to: next.status,
    });
  changes.push(...diffFactors(userId, prev ? prev.factors : NO_FACTORS, next.factors));

  const prevGroups = new Set(prev?.groupIds ?? []);
  const nextGroups = new Set(next.groupIds);
  for (const groupId of nextGroups)
    if (!prevGroups.has(groupId) && (!prev || membersKnown(before, groupId)))
      changes.push({ type: 'GroupMembershipAdded', userId, groupId });
  for (const groupId of prevGroups)
    if (!nextGroups.has(groupId) && membersKnown(after, groupId))
      changes.push({ type: 'GroupMembershipRemoved', userId, groupId });

  const assignmentKey = (a: { appId: string; scope: string }) => `${a.appId}\u0000${a.scope}`;
  const prevApps = new Map((prev?.appAssignments ?? []).map((a) => [assignmentKey(a), a]));
  const nextApps = new Map(next.appAssignments.map((a) => [assignmentKey(a), a]));
  for (const [key, { appId, scope }] of nextApps)
    if (!prevApps.has(key) && (!prev || assignmentsKnown(before, appId)))
      changes.push({ type: 'AppAssignmentAdded', userId, appId, scope });
  for (const [key, { appId, scope }] of prevApps)
    if (!nextApps.has(key) && assignmentsKnown(after, appId))
      changes.push({ type: 'AppAssignmentRemoved', userId, appId, scope });

  changes.push(...diffRoles(prev, next, before, after));
  return changes;
}

const NO_FACTORS: UserFactors = { status: 'read', items: [] };

function activeFactors(factors: UserFactors): Map<string, string> {
  if (factors.status !== 'read') return new Map();
  return new Map(
    factors.items.filter((f) => f.status === 'ACTIVE').map((f) => [f.id, f.factorType]),
  );
}

function diffFactors(userId: string, prev: UserFactors, next: UserFactors): DirectoryChange[] {
  if (prev.status !== 'read' || next.status !== 'read') return [];
  const before = activeFactors(prev);
  const after = activeFactors(next);
  const changes: DirectoryChange[] = [];
  for (const [factorId, factorType] of after)
    if (!before.has(factorId))
      changes.push({ type: 'FactorEnrolled', userId, factorId, factorType });
  for (const [factorId, factorType] of before)
    if (!after.has(factorId)) changes.push({ type: 'FactorRemoved', userId, factorId, factorType });
  return changes;
}

type HeldRole = { roleType: string; assignmentType: string };

/** The roles a user holds, by type and assignment type (missing assignment type = direct). */
function heldRoles(roles: UserRoles): Map<string, HeldRole> | null {
  if (roles.status === 'unknown') return null;
  const items = roles.status === 'read' ? roles.items : [];
  return new Map(
    items.map((r) => {
      const held = { roleType: r.type, assignmentType: r.assignmentType ?? 'USER' };
      return [`${held.roleType}\u0000${held.assignmentType}`, held];
    }),
  );
}

function diffRoles(
  prev: OktaUserDocument | null,
  next: OktaUserDocument,
  before: Side,
  after: Side,
): DirectoryChange[] {
  const userId = next.id;
  const was = prev ? heldRoles(prev.adminRoles) : new Map<string, HeldRole>();
  const is = heldRoles(next.adminRoles);
  if (!was || !is) return [];
  // A role through a group is only as certain as the groups it comes from, on both sides.
  const groupRolesCertain =
    (!prev || groupRolesKnown(before, prev)) && groupRolesKnown(after, next);
  const counts = (role: HeldRole) => role.assignmentType !== 'GROUP' || groupRolesCertain;
  const changes: DirectoryChange[] = [];
  for (const [key, role] of is)
    if (!was.has(key) && counts(role)) changes.push({ type: 'AdminRoleGranted', userId, ...role });
  for (const [key, role] of was)
    if (!is.has(key) && counts(role)) changes.push({ type: 'AdminRoleRevoked', userId, ...role });
  return changes;
}
