import type { UserDatasetMaps } from './staged-sync';
import { USER_DATASET_KEYS, USER_DATASET_RULES, type UserDatasetKey } from './user-datasets';
import { type OktaUserDocument, userProfileOf } from './okta-user.document';
import { DirectoryDocuments, emptyStagedSync, Parts, StagedSync } from './org-assembly';

/**
 * Pure: an incremental sync applied on top of the state of its base sync. The
 * base (the org's current read-model documents, which are the last applied
 * sync's) is turned back into the staged records a full sync would have
 * left, the incremental sync's records are laid over them, and the result is
 * assembled by `assembleDirectory` exactly as a full sync's records are. No
 * I/O, no clock.
 *
 * An incremental sync re-reads only what changed; the rules of the overlay:
 * - users: a listed user replaces (or adds) the base user; a user named in
 *   UsersDeleted is gone, whatever else names it; every other base user is
 *   carried over, keeping the sync that last listed it (`lastSeenSyncId`);
 * - factors, direct roles: replaced for the users re-read, else carried over;
 *   a roles re-read without a direct role means "no direct roles now";
 * - groups, apps: the sync's listings are whole: exactly the listed ones exist;
 * - a group's member list, a group's roles, an app's user and group
 *   assignment lists: the re-read list replaces the base one (an unknown or
 *   incomplete re-read is unknown), else the base list is carried over
 *   without the deleted users (and, for app groups, without the groups that
 *   are gone); a group or app new since the base and not re-read is unknown.
 */
export function overlayIncremental(base: DirectoryDocuments, sync: StagedSync): StagedSync {
  const carried = stagedFromDocuments(base);
  const deleted = sync.deletedUsers;
  const out = emptyStagedSync();
  for (const id of deleted) out.deletedUsers.add(id);
  for (const [id, profile] of carried.users) {
    if (deleted.has(id) || sync.users.has(id)) continue;
    out.users.set(id, profile);
    const lastSeen = carried.userLastSeen.get(id);
    if (lastSeen) out.userLastSeen.set(id, lastSeen);
  }
  for (const [id, profile] of sync.users) if (!deleted.has(id)) out.users.set(id, profile);

  // Per-user datasets: a re-read value replaces the carried one (see USER_DATASETS).
  for (const key of USER_DATASET_KEYS) overlayUserDataset(key, carried, sync, out);

  const present = (userId: string) => !deleted.has(userId);
  for (const [id, group] of sync.groups) {
    out.groups.set(id, group);
    if (sync.groupMembers.has(id)) copyList(sync.groupMembers, out.groupMembers, id);
    else if (carried.groupMembers.has(id))
      copyList(carried.groupMembers, out.groupMembers, id, present);
    const roles = sync.groupRoles.get(id) ?? carried.groupRoles.get(id);
    // Incremental syncs publish empty re-read role lists too: none published is not read.
    out.groupRoles.set(id, roles ?? { known: false, types: [] });
  }
  for (const [id, app] of sync.apps) {
    out.apps.set(id, app);
    if (sync.appUsers.has(id)) copyList(sync.appUsers, out.appUsers, id);
    else if (carried.appUsers.has(id))
      copyList(carried.appUsers, out.appUsers, id, (a) => present(a.userId));
    if (sync.appGroups.has(id)) copyList(sync.appGroups, out.appGroups, id);
    else if (carried.appGroups.has(id))
      copyList(carried.appGroups, out.appGroups, id, (groupId) => sync.groups.has(groupId));
  }
  for (const [key, record] of sync.sweep) out.sweep.set(key, record);
  return out;
}

/**
 * Pure: the staged records that assemble (with `assembleDirectory`) into the
 * given documents again, as far as the documents tell: group member lists are
 * the inverse of the users' `groupIds`, app user assignments the inverse of
 * their `appAssignments` (so members that are not users of the org are not
 * kept), a user's direct roles are the `adminRoles` items not assigned
 * through a group (none of them is "no direct roles": the group ones are
 * assembled again from the groups).
 */
export function stagedFromDocuments(base: DirectoryDocuments): StagedSync {
  const staged = emptyStagedSync();
  const members = new Map<string, string[]>();
  const appUsers = new Map<
    string,
    Array<{ userId: string; scope: string; status: string | null }>
  >();
  const users = [...base.users].sort((a, b) => compare(a.id, b.id));
  for (const user of users) {
    staged.users.set(user.id, userProfileOf(user));
    staged.userLastSeen.set(user.id, user.lastSeenSyncId);
    for (const key of USER_DATASET_KEYS) carryUserDataset(key, user, staged);
    for (const groupId of user.groupIds) push(members, groupId, user.id);
    for (const a of user.appAssignments)
      push(appUsers, a.appId, { userId: user.id, scope: a.scope, status: a.status ?? null });
  }
  for (const group of base.groups) {
    staged.groups.set(group.id, { id: group.id, name: group.name, type: group.type });
    if (group.memberCount === null) staged.groupMembers.add(group.id, 0, 'unknown', true, []);
    else staged.groupMembers.add(group.id, 0, 'read', true, members.get(group.id) ?? []);
    staged.groupRoles.set(group.id, { known: group.rolesKnown, types: [...group.roles] });
  }
  for (const app of base.apps) {
    staged.apps.set(app.id, { id: app.id, label: app.label, name: app.name, status: app.status });
    if (app.userAssignmentCount === null) staged.appUsers.add(app.id, 0, 'unknown', true, []);
    else staged.appUsers.add(app.id, 0, 'read', true, appUsers.get(app.id) ?? []);
    // assignmentsKnown = both lists read: with the user list unknown, only a non-empty group list shows it was read.
    const groupsRead =
      app.assignmentsKnown || (app.userAssignmentCount === null && app.groupIds.length > 0);
    if (groupsRead) staged.appGroups.add(app.id, 0, 'read', true, [...app.groupIds]);
    else staged.appGroups.add(app.id, 0, 'unknown', true, []);
  }
  return staged;
}

/** One per-user dataset's value as the base document holds it (none: no staged value). */
function carryUserDataset<K extends UserDatasetKey>(
  key: K,
  user: OktaUserDocument,
  staged: UserDatasetMaps,
): void {
  const value = USER_DATASET_RULES[key].carried(user);
  if (value !== null) staged[key].set(user.id, value);
}

/** One per-user dataset of the overlay: carried for the users kept, replaced where re-read. */
function overlayUserDataset<K extends UserDatasetKey>(
  key: K,
  carried: StagedSync,
  sync: StagedSync,
  out: StagedSync,
): void {
  const maps = (staged: StagedSync): UserDatasetMaps => staged;
  const target = maps(out)[key];
  for (const [id, value] of maps(carried)[key]) if (out.users.has(id)) target.set(id, value);
  for (const [id, value] of maps(sync)[key]) {
    if (!out.users.has(id)) continue;
    const kept = USER_DATASET_RULES[key].reread(value);
    if (kept === null) target.delete(id);
    else target.set(id, kept);
  }
}

/** Copies one entity's list as a single part: the whole list, or unknown (also when incomplete). */
function copyList<T>(from: Parts<T>, to: Parts<T>, id: string, keep?: (item: T) => boolean): void {
  const list = from.get(id);
  if (list === null) to.add(id, 0, 'unknown', true, []);
  else to.add(id, 0, 'read', true, keep ? list.filter(keep) : list);
}

function push<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
