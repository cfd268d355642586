import { OktaSim, SimApp, SimGroup, SimUser, startOktaSim } from './index';
import { crawl, manualClock, oktaGet, truthOverHttp, withoutCounts } from './sim-test-helpers';

interface Principal {
  id: string;
  type: string;
  alternateId: string;
  displayName: string;
}
interface LogEvent {
  uuid: string;
  published: string;
  eventType: string;
  actor: Principal;
  target: Principal[];
  debugContext: { debugData: Record<string, string> };
}
interface User {
  id: string;
  status: string;
  lastUpdated: string;
  statusChanged: string | null;
}
interface Group {
  id: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
}
interface Role {
  id: string;
  type: string;
  assignmentType: 'USER' | 'GROUP';
}

const MINUTE = 60_000;

describe('okta-sim changes: state, timestamps and the events they log', () => {
  let sim: OktaSim;
  const clock = manualClock('2026-06-01T09:00:00.000Z');
  beforeAll(async () => {
    sim = await startOktaSim({
      seed: 77,
      users: 180,
      now: clock.now,
      rateLimits: { other: 100_000, apps: 100_000, groups: 100_000, logs: 100_000 },
    });
  });
  afterAll(() => sim.close());

  /**
   * Moves the clock a minute on; returns a `since` after every earlier change
   * and before the next one, and the new now.
   */
  function tick(): { since: string; at: string } {
    const since = new Date(clock.now().getTime() + 1).toISOString();
    clock.advance(MINUTE);
    return { since, at: clock.now().toISOString() };
  }

  /** Events of one type published at or after `since`, through the System Log API. */
  async function logged(since: string, eventType: string): Promise<LogEvent[]> {
    const filter = encodeURIComponent(`eventType eq "${eventType}"`);
    const page = await oktaGet<LogEvent[]>(
      sim,
      `/api/v1/logs?since=${since}&limit=1000&filter=${filter}`,
    );
    expect(page.status).toBe(200);
    return page.body;
  }

  const userTarget = (user: SimUser) => ({
    id: user.id,
    type: 'User',
    alternateId: user.profile.login,
    displayName: `${user.profile.firstName} ${user.profile.lastName}`,
  });
  const groupTarget = (group: SimGroup) => ({
    id: group.id,
    type: 'UserGroup',
    alternateId: 'unknown',
    displayName: group.name,
  });
  const appTarget = (app: SimApp) => ({
    id: app.id,
    type: 'AppInstance',
    alternateId: app.label,
    displayName: app.label,
  });
  const targets = (event: LogEvent | undefined) =>
    (event?.target ?? []).map(({ id, type, alternateId, displayName }) => ({
      id,
      type,
      alternateId,
      displayName,
    }));

  function someUser(pred: (user: SimUser) => boolean): SimUser {
    const user = sim.org.users.find((u) => u.id !== sim.org.tokenOwnerId && pred(u));
    if (!user) throw new Error('fixture org lacks a case');
    return user;
  }

  /** An active app not assigned to Everyone (so group and direct assignments show). */
  function activeAppWithoutEveryone(): SimApp {
    const everyone = sim.org.everyone().id;
    const app = sim.org.apps.find(
      (a) => a.status === 'ACTIVE' && !a.groups.some((g) => g.groupId === everyone),
    );
    if (!app) throw new Error('fixture org lacks a case');
    return app;
  }

  async function getUser(id: string): Promise<User> {
    const answer = await oktaGet<User>(sim, `/api/v1/users/${id}`);
    expect(answer.status).toBe(200);
    return answer.body;
  }

  it('suspend and unsuspend: status, lastUpdated and statusChanged, user.lifecycle.suspend/unsuspend', async () => {
    const user = someUser((u) => u.status === 'ACTIVE');
    const suspended = tick();
    sim.suspendUser(user.id);
    expect(await getUser(user.id)).toMatchObject({
      status: 'SUSPENDED',
      lastUpdated: suspended.at,
      statusChanged: suspended.at,
    });
    const [suspend] = await logged(suspended.since, 'user.lifecycle.suspend');
    expect(suspend?.published).toBe(suspended.at);
    expect(targets(suspend)).toEqual([userTarget(user)]);
    expect(suspend?.actor.type).toBe('User');

    const unsuspended = tick();
    sim.unsuspendUser(user.id);
    expect(await getUser(user.id)).toMatchObject({ status: 'ACTIVE', lastUpdated: unsuspended.at });
    const [unsuspend] = await logged(unsuspended.since, 'user.lifecycle.unsuspend');
    expect(targets(unsuspend)).toEqual([userTarget(user)]);
    expect(() => sim.unsuspendUser(user.id)).toThrow(/SUSPENDED/);
  });

  it('lock and unlock log user.account.lock (by the user) and user.account.unlock', async () => {
    const user = someUser((u) => u.status === 'ACTIVE');
    const locked = tick();
    sim.setUserStatus(user.id, 'LOCKED_OUT');
    const [lock] = await logged(locked.since, 'user.account.lock');
    expect(lock?.actor.id).toBe(user.id);
    expect(targets(lock)).toEqual([userTarget(user)]);
    const unlocked = tick();
    sim.setUserStatus(user.id, 'ACTIVE');
    expect(await getUser(user.id)).toMatchObject({ status: 'ACTIVE', lastUpdated: unlocked.at });
    expect(targets((await logged(unlocked.since, 'user.account.unlock'))[0])).toEqual([
      userTarget(user),
    ]);
    expect(await logged(unlocked.since, 'user.lifecycle.activate')).toEqual([]);
  });

  it('reactivating a deprovisioned user: PROVISIONED, listed again, user.lifecycle.reactivate', async () => {
    const user = someUser((u) => u.status === 'DEPROVISIONED');
    const before = tick();
    sim.reactivateUser(user.id);
    expect(await getUser(user.id)).toMatchObject({
      status: 'PROVISIONED',
      lastUpdated: before.at,
      statusChanged: before.at,
    });
    const listed = await crawl<User>(sim, '/api/v1/users?limit=200');
    expect(listed.items.map((u) => u.id)).toContain(user.id);
    expect(targets((await logged(before.since, 'user.lifecycle.reactivate'))[0])).toEqual([
      userTarget(user),
    ]);
    expect(() => sim.reactivateUser(user.id)).toThrow(/DEPROVISIONED/);
  });

  it('removing one factor: gone from /factors, user.mfa.factor.deactivate, lastUpdated untouched', async () => {
    const user = someUser((u) => u.status === 'ACTIVE' && u.factors.length >= 2);
    const [factor, other] = user.factors;
    if (!factor || !other) throw new Error('no factors');
    const lastUpdated = (await getUser(user.id)).lastUpdated;
    const before = tick();
    sim.removeFactor(user.id, factor.id);
    const factors = await oktaGet<Array<{ id: string }>>(sim, `/api/v1/users/${user.id}/factors`);
    expect(factors.body.map((f) => f.id)).not.toContain(factor.id);
    expect(factors.body.map((f) => f.id)).toContain(other.id);
    expect((await getUser(user.id)).lastUpdated).toBe(lastUpdated);
    const [byAdmin] = await logged(before.since, 'user.mfa.factor.deactivate');
    expect(targets(byAdmin)).toEqual([userTarget(user)]);
    expect(byAdmin?.actor.id).not.toBe(user.id);

    const self = tick();
    sim.removeFactor(user.id, other.id, { byUser: true });
    const [byUser] = await logged(self.since, 'user.mfa.factor.deactivate');
    expect(byUser?.actor.id).toBe(user.id);
    expect(() => sim.removeFactor(user.id, other.id)).toThrow(/no factor/);
  });

  it('resetting factors logs user.mfa.factor.reset_all and bumps nothing', async () => {
    const user = someUser((u) => u.status === 'ACTIVE' && u.factors.length > 0);
    const lastUpdated = (await getUser(user.id)).lastUpdated;
    const before = tick();
    sim.resetFactors(user.id);
    expect((await oktaGet<unknown[]>(sim, `/api/v1/users/${user.id}/factors`)).body).toEqual([]);
    expect((await getUser(user.id)).lastUpdated).toBe(lastUpdated);
    expect(targets((await logged(before.since, 'user.mfa.factor.reset_all'))[0])).toEqual([
      userTarget(user),
    ]);
  });

  it('membership changes bump lastMembershipUpdated only, targets User then UserGroup', async () => {
    const group = sim.org.groups.find((g) => g.type === 'OKTA_GROUP') as SimGroup;
    const user = someUser((u) => u.status === 'ACTIVE' && !group.members.has(u.id));
    const groupBefore = (await oktaGet<Group>(sim, `/api/v1/groups/${group.id}`)).body;
    const userBefore = await getUser(user.id);
    const added = tick();
    sim.addGroupMember(group.id, user.id);
    const groupAfter = (await oktaGet<Group>(sim, `/api/v1/groups/${group.id}`)).body;
    expect(groupAfter.lastMembershipUpdated).toBe(added.at);
    expect(groupAfter.lastUpdated).toBe(groupBefore.lastUpdated);
    expect((await getUser(user.id)).lastUpdated).toBe(userBefore.lastUpdated);
    expect(targets((await logged(added.since, 'group.user_membership.add'))[0])).toEqual([
      userTarget(user),
      groupTarget(group),
    ]);
    const removed = tick();
    sim.removeGroupMember(group.id, user.id);
    expect((await oktaGet<Group>(sim, `/api/v1/groups/${group.id}`)).body).toMatchObject({
      lastMembershipUpdated: removed.at,
    });
    expect(targets((await logged(removed.since, 'group.user_membership.remove'))[0])).toEqual([
      userTarget(user),
      groupTarget(group),
    ]);
  });

  it('direct app assignment and unassignment: targets AppUser, AppInstance, User', async () => {
    const app = activeAppWithoutEveryone();
    const viaGroups = new Set(app.groups.flatMap((g) => sim.org.group(g.groupId)?.memberIds ?? []));
    const user = someUser(
      (u) => u.status === 'ACTIVE' && !app.directUsers.has(u.id) && !viaGroups.has(u.id),
    );
    const lastUpdated = (await getUser(user.id)).lastUpdated;
    const assigned = tick();
    sim.assignAppUser(app.id, user.id);
    const appUser = await oktaGet<{ scope: string }>(
      sim,
      `/api/v1/apps/${app.id}/users/${user.id}`,
    );
    expect(appUser.body.scope).toBe('USER');
    const [add] = await logged(assigned.since, 'application.user_membership.add');
    const [appUserTarget, ...rest] = targets(add);
    expect(appUserTarget).toMatchObject({
      type: 'AppUser',
      alternateId: user.profile.login,
      displayName: userTarget(user).displayName,
    });
    expect(appUserTarget?.id).toMatch(/^0ua/);
    expect(rest).toEqual([appTarget(app), userTarget(user)]);

    const unassigned = tick();
    sim.unassignAppUser(app.id, user.id);
    expect((await oktaGet(sim, `/api/v1/apps/${app.id}/users/${user.id}`)).status).toBe(404);
    const [remove] = await logged(unassigned.since, 'application.user_membership.remove');
    expect(targets(remove)).toEqual([appUserTarget, appTarget(app), userTarget(user)]);
    expect((await getUser(user.id)).lastUpdated).toBe(lastUpdated);
    expect(() => sim.unassignAppUser(app.id, user.id)).toThrow(/not assigned/);
  });

  it('a user with a direct and a group assignment keeps the app with scope GROUP when unassigned', async () => {
    const app = sim.org.apps.find((a) =>
      a.groups.some((g) =>
        (sim.org.group(g.groupId)?.memberIds ?? []).some(
          (id) => a.directUsers.has(id) && id !== sim.org.tokenOwnerId,
        ),
      ),
    );
    if (!app) throw new Error('fixture org lacks a case');
    const userId = [...app.directUsers.keys()].find(
      (id) =>
        id !== sim.org.tokenOwnerId &&
        app.groups.some((g) => sim.org.group(g.groupId)?.members.has(id)),
    ) as string;
    sim.unassignAppUser(app.id, userId);
    const appUser = await oktaGet<{ scope: string }>(sim, `/api/v1/apps/${app.id}/users/${userId}`);
    expect(appUser.body.scope).toBe('GROUP');
  });

  it('group app assignment: members gain and lose GROUP-scope assignments, group.application_assignment.add/remove', async () => {
    const app = activeAppWithoutEveryone();
    const group = sim.org.groups.find(
      (g) =>
        g.type === 'OKTA_GROUP' &&
        !app.groups.some((a) => a.groupId === g.id) &&
        g.memberIds.some((id) => !app.directUsers.has(id)),
    ) as SimGroup;
    const newcomer = group.memberIds.find(
      (id) =>
        !app.directUsers.has(id) &&
        !app.groups.some((a) => sim.org.group(a.groupId)?.members.has(id)),
    ) as string;
    expect(newcomer).toBeDefined();
    const groupBefore = (await oktaGet<Group>(sim, `/api/v1/groups/${group.id}`)).body;
    const assigned = tick();
    sim.assignAppGroup(app.id, group.id);
    const appGroups = await crawl<{ id: string }>(sim, `/api/v1/apps/${app.id}/groups`);
    expect(appGroups.items.map((g) => g.id)).toContain(group.id);
    const groupApps = await crawl<{ id: string }>(sim, `/api/v1/groups/${group.id}/apps`);
    expect(groupApps.items.map((a) => a.id)).toContain(app.id);
    const appUser = await oktaGet<{ scope: string; _links: { group?: { href: string } } }>(
      sim,
      `/api/v1/apps/${app.id}/users/${newcomer}`,
    );
    expect(appUser.body.scope).toBe('GROUP');
    expect(appUser.body._links.group?.href).toMatch(new RegExp(`/groups/${group.id}$`));
    const groupAfter = (await oktaGet<Group>(sim, `/api/v1/groups/${group.id}`)).body;
    expect(groupAfter).toEqual(groupBefore);
    expect(targets((await logged(assigned.since, 'group.application_assignment.add'))[0])).toEqual([
      groupTarget(group),
      appTarget(app),
    ]);
    expect(sim.groundTruth().users.find((u) => u.id === newcomer)?.appIds).toContain(app.id);

    const unassigned = tick();
    sim.unassignAppGroup(app.id, group.id);
    expect((await oktaGet(sim, `/api/v1/apps/${app.id}/users/${newcomer}`)).status).toBe(404);
    expect(
      targets((await logged(unassigned.since, 'group.application_assignment.remove'))[0]),
    ).toEqual([groupTarget(group), appTarget(app)]);
    expect(sim.groundTruth().users.find((u) => u.id === newcomer)?.appIds).not.toContain(app.id);
  });

  it('user role grant and revoke: /roles, /iam/assignees/users, user.account.privilege.grant/revoke', async () => {
    const user = someUser(
      (u) =>
        u.status === 'ACTIVE' &&
        u.roles.length === 0 &&
        !sim.org.roleGroups().some((g) => g.members.has(u.id)),
    );
    const lastUpdated = (await getUser(user.id)).lastUpdated;
    const assignees = async () => {
      const ids: string[] = [];
      let next: string | undefined = '/api/v1/iam/assignees/users?limit=100';
      while (next) {
        const page: {
          body: { value: Array<{ id: string }>; _links: { next?: { href: string } } };
        } = await oktaGet(sim, next);
        ids.push(...page.body.value.map((v) => v.id));
        next = page.body._links.next?.href;
      }
      return ids;
    };
    const granted = tick();
    const roleId = sim.grantUserRole(user.id, 'USER_ADMIN');
    const roles = (await oktaGet<Role[]>(sim, `/api/v1/users/${user.id}/roles`)).body;
    expect(roles).toContainEqual(
      expect.objectContaining({ id: roleId, type: 'USER_ADMIN', assignmentType: 'USER' }),
    );
    expect(await assignees()).toContain(user.id);
    const [grant] = await logged(granted.since, 'user.account.privilege.grant');
    expect(targets(grant)).toEqual([userTarget(user)]);
    expect(grant?.debugContext.debugData.privilegeGranted).toBe('Group Administrator');
    expect((await getUser(user.id)).lastUpdated).toBe(lastUpdated);
    expect(sim.grantUserRole(user.id, 'USER_ADMIN')).toBe(roleId);

    const revoked = tick();
    sim.revokeUserRole(user.id, 'USER_ADMIN');
    expect((await oktaGet<Role[]>(sim, `/api/v1/users/${user.id}/roles`)).body).toEqual([]);
    expect(await assignees()).not.toContain(user.id);
    const [revoke] = await logged(revoked.since, 'user.account.privilege.revoke');
    expect(targets(revoke)).toEqual([userTarget(user)]);
    expect(revoke?.debugContext.debugData.privilegeRevoked).toBe('Group Administrator');
    expect(() => sim.grantUserRole(user.id, 'KING')).toThrow(/unknown admin role/);
  });

  it('group role grant and revoke: /groups/{id}/roles, members get it as GROUP, group.privilege.grant/revoke', async () => {
    const group = sim.org.groups.find(
      (g) => g.type === 'OKTA_GROUP' && g.roles.length === 0 && g.memberIds.length > 0,
    ) as SimGroup;
    const member = group.memberIds[0] as string;
    const granted = tick();
    const roleId = sim.grantGroupRole(group.id, 'REPORT_ADMIN');
    const groupRoles = (await oktaGet<Role[]>(sim, `/api/v1/groups/${group.id}/roles`)).body;
    expect(groupRoles).toEqual([
      expect.objectContaining({ id: roleId, type: 'REPORT_ADMIN', assignmentType: 'GROUP' }),
    ]);
    expect((await oktaGet<Role[]>(sim, `/api/v1/users/${member}/roles`)).body).toContainEqual(
      expect.objectContaining({ id: roleId, assignmentType: 'GROUP' }),
    );
    expect(targets((await logged(granted.since, 'group.privilege.grant'))[0])).toEqual([
      groupTarget(group),
    ]);
    const revoked = tick();
    sim.revokeGroupRole(group.id, roleId);
    expect((await oktaGet<Role[]>(sim, `/api/v1/groups/${group.id}/roles`)).body).toEqual([]);
    expect(
      (await oktaGet<Role[]>(sim, `/api/v1/users/${member}/roles`)).body.map((r) => r.id),
    ).not.toContain(roleId);
    expect(targets((await logged(revoked.since, 'group.privilege.revoke'))[0])).toEqual([
      groupTarget(group),
    ]);
  });

  it('app deactivate, activate and hard delete (INACTIVE only): application.lifecycle.*', async () => {
    const sources = new Set(sim.org.groups.map((g) => g.sourceAppId));
    const app = sim.org.apps.find(
      (a) => a.status === 'ACTIVE' && !sources.has(a.id) && a.directUsers.size > 0,
    ) as SimApp;
    const label = app.label;
    const assignedUser = [...app.directUsers.keys()][0] as string;
    const assignedGroups = app.groups.map((g) => g.groupId);
    expect(() => sim.deleteApp(app.id)).toThrow(/INACTIVE/);
    const deactivated = tick();
    sim.deactivateApp(app.id);
    expect((await oktaGet(sim, `/api/v1/apps/${app.id}`)).body).toMatchObject({
      status: 'INACTIVE',
      lastUpdated: deactivated.at,
    });
    expect(
      targets((await logged(deactivated.since, 'application.lifecycle.deactivate'))[0]),
    ).toEqual([appTarget(app)]);
    const activated = tick();
    sim.activateApp(app.id);
    expect((await oktaGet(sim, `/api/v1/apps/${app.id}`)).body).toMatchObject({ status: 'ACTIVE' });
    expect(await logged(activated.since, 'application.lifecycle.activate')).toHaveLength(1);
    sim.deactivateApp(app.id);

    const deleted = tick();
    sim.deleteApp(app.id);
    expect((await oktaGet(sim, `/api/v1/apps/${app.id}`)).status).toBe(404);
    expect(
      (await crawl<{ id: string }>(sim, '/api/v1/apps?limit=200')).items.map((a) => a.id),
    ).not.toContain(app.id);
    const filter = encodeURIComponent(`user.id eq "${assignedUser}"`);
    expect(
      (await crawl<{ id: string }>(sim, `/api/v1/apps?filter=${filter}`)).items.map((a) => a.id),
    ).not.toContain(app.id);
    for (const groupId of assignedGroups) {
      const apps = await crawl<{ id: string }>(sim, `/api/v1/groups/${groupId}/apps`);
      expect(apps.items.map((a) => a.id)).not.toContain(app.id);
    }
    const [event] = await logged(deleted.since, 'application.lifecycle.delete');
    expect(targets(event)).toEqual([
      { id: app.id, type: 'AppInstance', alternateId: label, displayName: label },
    ]);
    const truth = sim.groundTruth();
    expect(truth.apps.map((a) => a.id)).not.toContain(app.id);
    expect(truth.users.find((u) => u.id === assignedUser)?.appIds).not.toContain(app.id);
  });

  it('an app that directory groups come from cannot be deleted', () => {
    const source = sim.org.apps.find((a) => sim.org.groups.some((g) => g.sourceAppId === a.id));
    if (!source) throw new Error('fixture org lacks a case');
    if (source.status === 'ACTIVE') sim.deactivateApp(source.id);
    expect(() => sim.deleteApp(source.id)).toThrow(/source of imported groups/);
    sim.activateApp(source.id);
  });

  it('group hard delete: gone with its memberships, roles and app assignments; group.lifecycle.delete', async () => {
    const group = sim.org.groups.find(
      (g) => g.type === 'OKTA_GROUP' && g.memberIds.length > 0 && g.id !== undefined,
    ) as SimGroup;
    const app = sim.org.apps.find((a) => a.status === 'ACTIVE') as SimApp;
    sim.assignAppGroup(app.id, group.id);
    const roleId = sim.grantGroupRole(group.id, 'HELP_DESK_ADMIN');
    const members = [...group.memberIds];
    const name = group.name;
    expect(() => sim.deleteGroup(sim.org.everyone().id)).toThrow(/Everyone/);
    const deleted = tick();
    sim.deleteGroup(group.id);
    expect((await oktaGet(sim, `/api/v1/groups/${group.id}`)).status).toBe(404);
    expect(
      (await crawl<{ id: string }>(sim, '/api/v1/groups')).items.map((g) => g.id),
    ).not.toContain(group.id);
    const member = members[0] as string;
    const memberGroups = (
      await oktaGet<Array<{ id: string }>>(sim, `/api/v1/users/${member}/groups`)
    ).body;
    expect(memberGroups.map((g) => g.id)).not.toContain(group.id);
    expect(
      (await oktaGet<Role[]>(sim, `/api/v1/users/${member}/roles`)).body.map((r) => r.id),
    ).not.toContain(roleId);
    const appGroups = await crawl<{ id: string }>(sim, `/api/v1/apps/${app.id}/groups`);
    expect(appGroups.items.map((g) => g.id)).not.toContain(group.id);
    const appUsers = await crawl<{ id: string; _links: { group?: { href: string } } }>(
      sim,
      `/api/v1/apps/${app.id}/users?limit=500`,
    );
    expect(appUsers.items.filter((u) => u._links.group?.href.endsWith(group.id))).toEqual([]);
    expect(targets((await logged(deleted.since, 'group.lifecycle.delete'))[0])).toEqual([
      { id: group.id, type: 'UserGroup', alternateId: 'unknown', displayName: name },
    ]);
    expect(sim.groundTruth().groups.map((g) => g.id)).not.toContain(group.id);
    expect(await truthOverHttp(sim)).toEqual(withoutCounts(sim.groundTruth()));
  });
});
