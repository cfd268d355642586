import { IdentityEvent } from '@regentra/contracts';
import { overlayIncremental, stagedFromDocuments } from './incremental-overlay';
import type { OktaAppProfile } from './okta-app.document';
import type { OktaGroupProfile } from './okta-group.document';
import type { OktaUserProfile, UserFactors, UserRole, UserRoles } from './okta-user.document';
import {
  addStagedRecord,
  assembleDirectory,
  DirectoryDocuments,
  emptyStagedSync,
  StagedSync,
} from './org-assembly';
import { stagedRecordsOf } from './datasets';
import { StagedRecord } from './staged-records';

/**
 * An incremental sync laid over its base's documents must give the documents
 * a full sync of the same final state gives, when it re-read exactly what
 * changed. Checked over random orgs and random changes (seeded: a failing
 * seed replays), chains of incremental syncs included; and a case where one
 * changed group is not re-read shows the check notices.
 */
const ORG = 'org-inc';

/** Deterministic PRNG (mulberry32). */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const chance = (p: number) => next() < p;
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  const some = <T>(items: readonly T[], p: number) => items.filter(() => chance(p));
  return { next, int, chance, pick, some };
}
type Rng = ReturnType<typeof prng>;

type AppUser = { userId: string; scope: string | null; status: string | null };

/** The org as Okta holds it (what a full sync would read). */
interface Org {
  users: Map<string, { profile: OktaUserProfile; factors: UserFactors; roles: UserRoles }>;
  groups: Map<
    string,
    { profile: OktaGroupProfile; members: string[] | null; roles: string[] | null }
  >;
  apps: Map<string, { profile: OktaAppProfile; users: AppUser[] | null; groups: string[] | null }>;
}

const clone = (org: Org): Org => structuredClone(org);
const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString();
const STATUSES = ['ACTIVE', 'ACTIVE', 'ACTIVE', 'SUSPENDED', 'DEPROVISIONED', 'PROVISIONED'];
const USER_ROLES = ['APP_ADMIN', 'HELP_DESK_ADMIN', 'READ_ONLY_ADMIN', 'SUPER_ADMIN'];
const GROUP_ROLES = ['ORG_ADMIN', 'READ_ONLY_ADMIN', 'SUPER_ADMIN'];

let counter = 0;
const freshId = (prefix: string) => `${prefix}${(counter += 1)}`;

function randomFactors(r: Rng): UserFactors {
  if (r.chance(0.1)) return { status: 'unknown', reason: 'E0000006' };
  const types = r.some(['push', 'sms', 'totp', 'webauthn'], 0.4);
  return {
    status: 'read',
    items: types.map((factorType) => ({
      id: `f-${factorType}-${r.int(0, 9)}`,
      factorType,
      status: r.chance(0.8) ? 'ACTIVE' : 'PENDING_ACTIVATION',
      provider: 'OKTA',
    })),
  };
}

function randomRoles(r: Rng): UserRoles {
  if (r.chance(0.6)) return { status: 'none' };
  if (r.chance(0.15)) return { status: 'unknown', reason: 'E0000006' };
  const types = r.some(USER_ROLES, 0.4);
  if (types.length === 0) types.push(r.pick(USER_ROLES));
  return {
    status: 'read',
    items: types.map((type) => ({ type, label: `${type} label`, assignmentType: 'USER' })),
  };
}

function randomUser(r: Rng, id: string, n: number) {
  return {
    profile: {
      id,
      login: `${id}@example.com`,
      email: r.chance(0.9) ? `${id}@example.com` : null,
      status: r.pick(STATUSES),
      created: day(0),
      activated: r.chance(0.9) ? day(1) : null,
      statusChanged: day(n),
      lastLogin: r.chance(0.5) ? day(n) : null,
      lastUpdated: day(n),
    },
    factors: randomFactors(r),
    roles: randomRoles(r),
  };
}

const randomMembers = (r: Rng, userIds: string[]) =>
  r.chance(0.1) ? null : r.some(userIds, r.next() * 0.6);
const randomGroupRoles = (r: Rng) =>
  r.chance(0.1) ? null : r.chance(0.6) ? [] : r.some(GROUP_ROLES, 0.5);
const randomAppUsers = (r: Rng, userIds: string[]): AppUser[] | null =>
  r.chance(0.1)
    ? null
    : r.some(userIds, r.next() * 0.5).flatMap((userId) => [
        {
          userId,
          scope: r.pick(['USER', 'GROUP', null]),
          status: r.pick(['ACTIVE', 'PROVISIONED', null]),
        },
        ...(r.chance(0.1) ? [{ userId, scope: 'GROUP', status: 'ACTIVE' }] : []),
      ]);
const randomAppGroups = (r: Rng, groupIds: string[]) =>
  r.chance(0.1) ? null : r.some(groupIds, 0.3);

function randomOrg(r: Rng): Org {
  const org: Org = { users: new Map(), groups: new Map(), apps: new Map() };
  for (let i = r.int(0, 25); i > 0; i -= 1) {
    const id = freshId('u');
    org.users.set(id, randomUser(r, id, 2));
  }
  const userIds = [...org.users.keys()];
  for (let i = r.int(0, 6); i > 0; i -= 1) {
    const id = freshId('g');
    org.groups.set(id, {
      profile: { id, name: `Group ${id}`, type: r.chance(0.1) ? 'BUILT_IN' : 'OKTA_GROUP' },
      members: randomMembers(r, userIds),
      roles: randomGroupRoles(r),
    });
  }
  const groupIds = [...org.groups.keys()];
  for (let i = r.int(0, 5); i > 0; i -= 1) {
    const id = freshId('a');
    org.apps.set(id, {
      profile: { id, label: `App ${id}`, name: 'oidc_client', status: 'ACTIVE' },
      users: randomAppUsers(r, userIds),
      groups: randomAppGroups(r, groupIds),
    });
  }
  return org;
}

/** Random changes to the org, as Okta would make them (a deleted user or group leaves every list). */
function mutate(r: Rng, before: Org, step: number): Org {
  const org = clone(before);
  const n = 10 + step;
  for (let k = r.int(0, 10); k > 0; k -= 1) {
    const userIds = [...org.users.keys()];
    const groupIds = [...org.groups.keys()];
    const appIds = [...org.apps.keys()];
    const user = userIds.length ? org.users.get(r.pick(userIds))! : null;
    const group = groupIds.length ? org.groups.get(r.pick(groupIds))! : null;
    const app = appIds.length ? org.apps.get(r.pick(appIds))! : null;
    switch (r.int(0, 14)) {
      case 0:
        if (user) {
          user.profile.status = r.pick(STATUSES);
          user.profile.statusChanged = day(n);
          user.profile.lastUpdated = day(n);
        }
        break;
      case 1:
        if (user) {
          user.profile.login = `renamed-${user.profile.id}-${n}@example.com`;
          user.profile.lastUpdated = day(n);
        }
        break;
      case 2: {
        const id = freshId('u');
        org.users.set(id, randomUser(r, id, n));
        for (const g of org.groups.values()) if (g.members && r.chance(0.3)) g.members.push(id);
        for (const a of org.apps.values())
          if (a.users && r.chance(0.3)) a.users.push({ userId: id, scope: 'USER', status: null });
        break;
      }
      case 3:
        if (user) {
          const id = user.profile.id;
          org.users.delete(id);
          for (const g of org.groups.values())
            if (g.members) g.members = g.members.filter((m) => m !== id);
          for (const a of org.apps.values())
            if (a.users) a.users = a.users.filter((u) => u.userId !== id);
        }
        break;
      case 4:
        if (user) user.factors = randomFactors(r);
        break;
      case 5:
        if (user) user.roles = randomRoles(r);
        break;
      case 6:
        if (group && user) {
          group.members ??= [];
          if (group.members.includes(user.profile.id))
            group.members = group.members.filter((m) => m !== user.profile.id);
          else group.members.push(user.profile.id);
        }
        break;
      case 7:
        if (group) group.members = randomMembers(r, userIds);
        break;
      case 8:
        if (group) group.roles = randomGroupRoles(r);
        break;
      case 9: {
        const id = freshId('g');
        org.groups.set(id, {
          profile: { id, name: `Group ${id}`, type: 'OKTA_GROUP' },
          members: randomMembers(r, userIds),
          roles: randomGroupRoles(r),
        });
        break;
      }
      case 10:
        if (group) {
          const id = group.profile.id;
          org.groups.delete(id);
          for (const a of org.apps.values())
            if (a.groups) a.groups = a.groups.filter((g) => g !== id);
        }
        break;
      case 11:
        if (group) group.profile.name = `Renamed ${group.profile.id} ${n}`;
        break;
      case 12: {
        const id = freshId('a');
        org.apps.set(id, {
          profile: { id, label: `App ${id}`, name: 'saml', status: 'ACTIVE' },
          users: randomAppUsers(r, userIds),
          groups: randomAppGroups(r, groupIds),
        });
        break;
      }
      case 13:
        if (app) {
          if (r.chance(0.3)) org.apps.delete(app.profile.id);
          else app.profile.status = app.profile.status === 'ACTIVE' ? 'INACTIVE' : 'ACTIVE';
        }
        break;
      case 14:
        if (app) {
          if (r.chance(0.5)) app.users = randomAppUsers(r, userIds);
          else app.groups = randomAppGroups(r, groupIds);
        }
        break;
    }
  }
  return org;
}

/** A sub-list as the collector publishes it: in parts (a random split), or one unknown part. */
function partsOf<T>(
  r: Rng,
  list: T[] | null,
  record: (part: number, lastPart: boolean, items: T[], status: 'read' | 'unknown') => StagedRecord,
): StagedRecord[] {
  if (list === null) return [record(0, true, [], 'unknown')];
  const parts: T[][] = [];
  let rest = [...list];
  do {
    const size = r.int(1, 4);
    parts.push(rest.slice(0, size));
    rest = rest.slice(size);
  } while (rest.length);
  const records = parts.map((items, i) => record(i, i === parts.length - 1, items, 'read'));
  return r.chance(0.5) ? records.reverse() : records;
}

const membersRecords = (r: Rng, id: string, members: string[] | null) =>
  partsOf(r, members, (part, lastPart, memberIds, status) => ({
    kind: 'groupMembers',
    entityId: id,
    part,
    data: { status, lastPart, memberIds, reason: status === 'unknown' ? 'E0000006' : null },
  }));
const appUsersRecords = (r: Rng, id: string, users: AppUser[] | null) =>
  partsOf(r, users, (part, lastPart, assignments, status) => ({
    kind: 'appUsers',
    entityId: id,
    part,
    data: { status, lastPart, assignments, reason: status === 'unknown' ? 'E0000006' : null },
  }));
const appGroupsRecords = (r: Rng, id: string, groups: string[] | null) =>
  partsOf(r, groups, (part, lastPart, groupIds, status) => ({
    kind: 'appGroups',
    entityId: id,
    part,
    data: { status, lastPart, groupIds, reason: status === 'unknown' ? 'E0000006' : null },
  }));
const groupRolesRecord = (id: string, roles: string[] | null): StagedRecord => ({
  kind: 'groupRoles',
  entityId: id,
  data:
    roles === null
      ? { status: 'unknown', roles: [], reason: 'E0000006' }
      : {
          status: 'read',
          roles: roles.map((type): UserRole => ({ type, label: null, assignmentType: 'GROUP' })),
          reason: null,
        },
});
/** A roles re-read: a user without direct roles now is re-read with an empty list. */
const rolesRecord = (id: string, roles: UserRoles): StagedRecord => ({
  kind: 'roles',
  entityId: id,
  data: roles.status === 'none' ? { status: 'read', items: [] } : roles,
});

/** What a full sync of the org publishes (role holders only; group roles only when not empty). */
function fullSync(r: Rng, org: Org): StagedRecord[] {
  const records: StagedRecord[] = [];
  for (const [id, u] of org.users) records.push({ kind: 'user', entityId: id, data: u.profile });
  for (const [id, u] of org.users) records.push({ kind: 'factors', entityId: id, data: u.factors });
  for (const [id, u] of org.users)
    if (u.roles.status !== 'none') records.push(rolesRecord(id, u.roles));
  for (const [id, g] of org.groups) records.push({ kind: 'group', entityId: id, data: g.profile });
  for (const [id, g] of org.groups) {
    records.push(...membersRecords(r, id, g.members));
    if (g.roles === null || g.roles.length) records.push(groupRolesRecord(id, g.roles));
  }
  for (const [id, a] of org.apps) records.push({ kind: 'app', entityId: id, data: a.profile });
  for (const [id, a] of org.apps)
    records.push(...appUsersRecords(r, id, a.users), ...appGroupsRecords(r, id, a.groups));
  return records;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const sortedIds = (ids: string[] | null) => (ids === null ? null : [...new Set(ids)].sort());
const sortedAssignments = (list: AppUser[] | null) =>
  list === null
    ? null
    : list.map((a) => `${a.userId}|${a.scope ?? 'USER'}|${a.status ?? ''}`).sort();

/** What changed from `before` to `after`, as an incremental sync would find it. */
function changesOf(before: Org, after: Org) {
  const deleted = [...before.users.keys()].filter((id) => !after.users.has(id));
  const gone = new Set(deleted);
  const users: string[] = [];
  const factors: string[] = [];
  const roles: string[] = [];
  for (const [id, u] of after.users) {
    const old = before.users.get(id);
    if (!old || !same(old.profile, u.profile)) users.push(id);
    if (!old || !same(old.factors, u.factors)) factors.push(id);
    if (old ? !same(old.roles, u.roles) : u.roles.status !== 'none') roles.push(id);
  }
  const groupMembers: string[] = [];
  const groupRoles: string[] = [];
  for (const [id, g] of after.groups) {
    const old = before.groups.get(id);
    // Deleted users leave the lists without a re-read: the overlay drops them.
    const oldMembers = old?.members?.filter((m) => !gone.has(m)) ?? null;
    if (!old || !same(sortedIds(oldMembers), sortedIds(g.members))) groupMembers.push(id);
    if (!old || !same(old.roles && [...old.roles].sort(), g.roles && [...g.roles].sort()))
      groupRoles.push(id);
  }
  const apps: string[] = [];
  for (const [id, a] of after.apps) {
    const old = before.apps.get(id);
    const oldUsers = old?.users?.filter((u) => !gone.has(u.userId)) ?? null;
    const oldGroups = old?.groups?.filter((g) => after.groups.has(g)) ?? null;
    if (
      !old ||
      !same(sortedAssignments(oldUsers), sortedAssignments(a.users)) ||
      !same(sortedIds(oldGroups), sortedIds(a.groups))
    )
      apps.push(id);
  }
  return { deleted, users, factors, roles, groupMembers, groupRoles, apps };
}
type Changes = ReturnType<typeof changesOf>;

/** What an incremental sync publishes: the changed things re-read, every group and app listed. */
function incrementalSync(r: Rng, org: Org, changes: Changes): StagedRecord[] {
  const records: StagedRecord[] = [];
  for (const id of changes.users)
    records.push({ kind: 'user', entityId: id, data: org.users.get(id)!.profile });
  for (const id of changes.deleted)
    records.push({ kind: 'userDeleted', entityId: id, data: { id } });
  for (const id of changes.factors)
    records.push({ kind: 'factors', entityId: id, data: org.users.get(id)!.factors });
  for (const id of changes.roles) records.push(rolesRecord(id, org.users.get(id)!.roles));
  for (const [id, g] of org.groups) records.push({ kind: 'group', entityId: id, data: g.profile });
  for (const id of changes.groupMembers)
    records.push(...membersRecords(r, id, org.groups.get(id)!.members));
  for (const id of changes.groupRoles)
    records.push(groupRolesRecord(id, org.groups.get(id)!.roles)); // empty lists too
  for (const [id, a] of org.apps) records.push({ kind: 'app', entityId: id, data: a.profile });
  for (const id of changes.apps) {
    const app = org.apps.get(id)!;
    records.push(...appUsersRecords(r, id, app.users), ...appGroupsRecords(r, id, app.groups));
  }
  return records;
}

const stagedOf = (records: StagedRecord[]): StagedSync => {
  const staged = emptyStagedSync();
  for (const record of records) addStagedRecord(staged, record);
  return staged;
};

const assembleFull = (syncId: string, records: StagedRecord[]) =>
  assembleDirectory(ORG, syncId, stagedOf(records), true);
const assembleIncremental = (base: DirectoryDocuments, syncId: string, records: StagedRecord[]) =>
  assembleDirectory(ORG, syncId, overlayIncremental(base, stagedOf(records)), true);

/** The documents without `lastSeenSyncId` (carried-over users keep their base's), users by id. */
function comparable(docs: DirectoryDocuments) {
  const strip = <D extends { id: string; lastSeenSyncId: string }>(list: D[]) =>
    [...list]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map(({ lastSeenSyncId: _seen, ...rest }) => rest);
  return { users: strip(docs.users), groups: strip(docs.groups), apps: strip(docs.apps) };
}

const SEEDS = Array.from({ length: 200 }, (_, i) => i + 1);

describe('incremental overlay (base documents + incremental sync → documents)', () => {
  it('equals a full sync of the final state, over random orgs and chains of random changes', () => {
    const seeds = SEEDS;
    let checkedMissingReads = 0;
    for (const seed of seeds) {
      const r = prng(seed);
      let org = randomOrg(r);
      let docs = assembleFull('full-0', fullSync(r, org));
      const lastListed = new Map(docs.users.map((u) => [u.id, 'full-0']));
      for (let step = 1; step <= r.int(1, 3); step += 1) {
        const next = mutate(r, org, step);
        const changes = changesOf(org, next);
        const syncId = `inc-${step}`;
        const records = incrementalSync(r, next, changes);
        const overlaid = assembleIncremental(docs, syncId, records);
        const full = assembleFull(`full-${step}`, fullSync(r, next));
        expect({ seed, step, ...comparable(overlaid) }).toEqual({
          seed,
          step,
          ...comparable(full),
        });

        for (const id of changes.users) lastListed.set(id, syncId);
        const seen = Object.fromEntries(overlaid.users.map((u) => [u.id, u.lastSeenSyncId]));
        expect({ seed, step, seen }).toEqual({
          seed,
          step,
          seen: Object.fromEntries(overlaid.users.map((u) => [u.id, lastListed.get(u.id)])),
        });
        expect(
          [...overlaid.groups, ...overlaid.apps].every((d) => d.lastSeenSyncId === syncId),
        ).toBe(true);

        // The check notices a changed group whose members were not re-read (a new
        // group whose list is unknown anyway is unknown without the re-read too).
        const unread = changes.groupMembers.find(
          (id) => org.groups.has(id) || next.groups.get(id)?.members !== null,
        );
        if (unread !== undefined) {
          const missing = records.filter(
            (x) => !(x.kind === 'groupMembers' && x.entityId === unread),
          );
          const wrong = assembleIncremental(docs, syncId, missing);
          expect(comparable(wrong)).not.toEqual(comparable(full));
          checkedMissingReads += 1;
        }
        org = next;
        docs = overlaid;
      }
    }
    // The seeds exercise the missing-read case often, not by luck.
    expect(checkedMissingReads).toBeGreaterThan(seeds.length / 2);
  });

  it('assembles its own base again unchanged when nothing changed', () => {
    const r = prng(7);
    const org = randomOrg(r);
    const base = assembleFull('full-0', fullSync(r, org));
    const again = assembleDirectory(ORG, 'full-0', stagedFromDocuments(base), true);
    expect(comparable(again)).toEqual(comparable(base));
    expect(again.users.map((u) => u.lastSeenSyncId).every((s) => s === 'full-0')).toBe(true);
  });

  it('differs from the full sync when a changed group is not re-read (the property can fail)', () => {
    const u = (id: string): StagedRecord => ({
      kind: 'user',
      entityId: id,
      data: {
        id,
        login: id,
        email: null,
        status: 'ACTIVE',
        created: null,
        activated: null,
        statusChanged: null,
        lastLogin: null,
        lastUpdated: null,
      },
    });
    const group: StagedRecord = {
      kind: 'group',
      entityId: 'g1',
      data: { id: 'g1', name: 'One', type: 'OKTA_GROUP' },
    };
    const members = (ids: string[]): StagedRecord => ({
      kind: 'groupMembers',
      entityId: 'g1',
      part: 0,
      data: { status: 'read', lastPart: true, memberIds: ids, reason: null },
    });
    const base = assembleFull('s1', [u('u1'), u('u2'), group, members(['u1'])]);
    const full = assembleFull('s2', [u('u1'), u('u2'), group, members(['u1', 'u2'])]);
    const reRead = assembleIncremental(base, 's2', [group, members(['u1', 'u2'])]);
    const notReRead = assembleIncremental(base, 's2', [group]);
    expect(comparable(reRead)).toEqual(comparable(full));
    expect(comparable(notReRead)).not.toEqual(comparable(full));
    expect(notReRead.groups[0]?.memberCount).toBe(1);
    expect(notReRead.users.find((x) => x.id === 'u2')?.groupIds).toEqual([]);
  });

  it('drops a deleted user even when listed, and from the lists carried over', () => {
    const user: StagedRecord = {
      kind: 'user',
      entityId: 'u1',
      data: {
        id: 'u1',
        login: 'u1',
        email: null,
        status: 'ACTIVE',
        created: null,
        activated: null,
        statusChanged: null,
        lastLogin: null,
        lastUpdated: null,
      },
    };
    const base = assembleFull('s1', [
      user,
      { kind: 'group', entityId: 'g1', data: { id: 'g1', name: null, type: 'OKTA_GROUP' } },
      {
        kind: 'groupMembers',
        entityId: 'g1',
        part: 0,
        data: { status: 'read', lastPart: true, memberIds: ['u1'], reason: null },
      },
    ]);
    const deletion = stagedRecordsOf({
      type: 'UsersDeleted',
      schemaVersion: 1,
      payload: { userIds: ['u1'] },
    } as IdentityEvent);
    expect(deletion).toEqual([{ kind: 'userDeleted', entityId: 'u1', data: { id: 'u1' } }]);
    const after = assembleIncremental(base, 's2', [
      user,
      ...deletion,
      { kind: 'group', entityId: 'g1', data: { id: 'g1', name: null, type: 'OKTA_GROUP' } },
    ]);
    expect(after.users).toEqual([]);
    expect(after.groups[0]?.memberCount).toBe(0);
  });

  it('keeps what the base could not read unknown, and what is new and not re-read unknown', () => {
    const base = assembleDirectory(
      ORG,
      's1',
      stagedOf([
        {
          kind: 'user',
          entityId: 'u1',
          data: {
            id: 'u1',
            login: 'u1',
            email: null,
            status: 'ACTIVE',
            created: null,
            activated: null,
            statusChanged: null,
            lastLogin: null,
            lastUpdated: null,
          },
        },
      ]),
      false, // role holders could not be listed
    );
    expect(base.users[0]?.adminRoles.status).toBe('unknown');
    const after = assembleIncremental(base, 's2', [
      { kind: 'group', entityId: 'g9', data: { id: 'g9', name: 'New', type: 'OKTA_GROUP' } },
      {
        kind: 'app',
        entityId: 'a9',
        data: { id: 'a9', label: 'New', name: 'x', status: 'ACTIVE' },
      },
    ]);
    // The incremental sync listed role holders fine, but never read u1's roles: still unknown.
    expect(after.users[0]?.adminRoles).toEqual({
      status: 'unknown',
      reason: 'role holders could not be listed',
    });
    expect(after.groups[0]).toMatchObject({ memberCount: null, rolesKnown: false });
    expect(after.apps[0]).toMatchObject({ userAssignmentCount: null, assignmentsKnown: false });
  });
});
