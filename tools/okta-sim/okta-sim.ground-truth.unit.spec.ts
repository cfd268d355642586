import { GroundTruth, startOktaSim, OktaSim } from './index';
import { crawl, oktaGet } from './sim-test-helpers';

interface Item {
  id: string;
}
interface User extends Item {
  status: string;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastLogin: string | null;
  profile: { login: string; email: string };
}
interface Factor extends Item {
  factorType: string;
  status: string;
}
interface Group extends Item {
  type: string;
  profile: { name: string };
}
interface App extends Item {
  label: string;
  status: string;
}
interface AppUser extends Item {
  scope: 'USER' | 'GROUP';
}
interface Role extends Item {
  type: string;
}

/** Rebuilds the ground truth the way a collector would: only through the HTTP API. */
async function truthOverHttp(
  sim: OktaSim,
): Promise<Omit<GroundTruth, 'counts' | 'logEvents' | 'orgId' | 'tokenOwnerId'>> {
  const filter = encodeURIComponent('status eq "DEPROVISIONED"');
  const listed = await crawl<User>(sim, '/api/v1/users?limit=200');
  const gone = await crawl<User>(sim, `/api/v1/users?limit=200&filter=${filter}`);
  const users = [...listed.items, ...gone.items].sort((a, b) => (a.id < b.id ? -1 : 1));
  const groups = (await crawl<Group>(sim, '/api/v1/groups?limit=200')).items;
  const apps = (await crawl<App>(sim, '/api/v1/apps?limit=200')).items;
  const groupMembers = new Map<string, string[]>();
  for (const group of groups) {
    groupMembers.set(
      group.id,
      (await crawl<User>(sim, `/api/v1/groups/${group.id}/users?limit=200`)).items.map((u) => u.id),
    );
  }
  const appUsers = new Map<string, AppUser[]>();
  const appGroups = new Map<string, string[]>();
  for (const app of apps) {
    appUsers.set(
      app.id,
      (await crawl<AppUser>(sim, `/api/v1/apps/${app.id}/users?limit=500`)).items,
    );
    appGroups.set(
      app.id,
      (await crawl<Item>(sim, `/api/v1/apps/${app.id}/groups?limit=200`)).items.map((g) => g.id),
    );
  }
  const byId = <T>(list: T[], key: (t: T) => string) =>
    [...list].sort((a, b) => (key(a) < key(b) ? -1 : 1));
  const result = {
    users: [] as GroundTruth['users'],
    groups: [] as GroundTruth['groups'],
    apps: [] as GroundTruth['apps'],
  };
  for (const user of users) {
    const factors = (await oktaGet<Factor[]>(sim, `/api/v1/users/${user.id}/factors`)).body;
    const roles = (await oktaGet<Role[]>(sim, `/api/v1/users/${user.id}/roles`)).body;
    const appIds = apps
      .filter((a) => appUsers.get(a.id)?.some((x) => x.id === user.id))
      .map((a) => a.id);
    result.users.push({
      id: user.id,
      login: user.profile.login,
      email: user.profile.email,
      status: user.status,
      created: user.created,
      activated: user.activated,
      statusChanged: user.statusChanged,
      lastLogin: user.lastLogin,
      factors: factors.map((f) => ({ id: f.id, factorType: f.factorType, status: f.status })),
      groupIds: groups
        .filter((g) => groupMembers.get(g.id)?.includes(user.id))
        .map((g) => g.id)
        .sort(),
      appIds: appIds.sort(),
      directAppIds: apps
        .filter((a) => appUsers.get(a.id)?.some((x) => x.id === user.id && x.scope === 'USER'))
        .map((a) => a.id)
        .sort(),
      roles: [...new Set(roles.map((r) => r.type))].sort(),
    });
  }
  result.groups = byId(groups, (g) => g.id).map((g) => ({
    id: g.id,
    type: g.type,
    name: g.profile.name,
    memberIds: [...(groupMembers.get(g.id) ?? [])].sort(),
  }));
  result.apps = byId(apps, (a) => a.id).map((a) => ({
    id: a.id,
    label: a.label,
    status: a.status,
    userAssignments: byId(appUsers.get(a.id) ?? [], (x) => x.id).map((x) => ({
      userId: x.id,
      scope: x.scope,
    })),
    groupIds: [...(appGroups.get(a.id) ?? [])].sort(),
  }));
  return result;
}

function withoutCounts(truth: GroundTruth) {
  const { users, groups, apps } = truth;
  return { users, groups, apps };
}

describe('okta-sim ground truth', () => {
  let sim: OktaSim;
  beforeAll(async () => {
    sim = await startOktaSim({
      seed: 31,
      users: 260,
      rateLimits: { other: 100_000, apps: 100_000, groups: 100_000 },
    });
  });
  afterAll(() => sim.close());

  it('agrees with everything the HTTP API lists', async () => {
    const truth = sim.groundTruth();
    expect(await truthOverHttp(sim)).toEqual(withoutCounts(truth));
    expect(truth.counts.users).toBe(260);
    expect(truth.counts.appAssignments).toBe(
      truth.apps.reduce((n, a) => n + a.userAssignments.length, 0),
    );
  });

  it('still agrees after mutations (deactivate, factors, membership)', async () => {
    const target = sim.org.users.find(
      (u) => u.status === 'ACTIVE' && u.id !== sim.org.tokenOwnerId,
    );
    const group = sim.org.groups.find(
      (g) => g.type === 'OKTA_GROUP' && !g.members.has(target?.id ?? ''),
    );
    const member = sim.org.groups.find((g) => g.type === 'OKTA_GROUP' && g.members.size > 0);
    const leaver = member?.memberIds[0] ?? '';
    if (!target || !group || !member) throw new Error('fixture org lacks a case');
    sim.deactivateUser(target.id);
    const factorId = sim.enrollFactor(target.id, 'webauthn');
    sim.addGroupMember(group.id, target.id);
    sim.removeGroupMember(member.id, leaver);
    const truth = sim.groundTruth();
    const user = truth.users.find((u) => u.id === target.id);
    expect(user?.status).toBe('DEPROVISIONED');
    expect(user?.factors).toContainEqual({
      id: factorId,
      factorType: 'webauthn',
      status: 'ACTIVE',
    });
    expect(user?.groupIds).toContain(group.id);
    expect(truth.groups.find((g) => g.id === member.id)?.memberIds).not.toContain(leaver);
    expect(await truthOverHttp(sim)).toEqual(withoutCounts(truth));
    const recent = await crawl<{ eventType: string; target: Item[] }>(
      sim,
      `/api/v1/logs?since=${new Date(Date.now() - 60_000).toISOString()}&until=${new Date(Date.now() + 60_000).toISOString()}&limit=1000`,
    );
    const types = recent.items
      .filter((e) => e.target.some((t) => t.id === target.id))
      .map((e) => e.eventType);
    expect(types).toEqual([
      'user.lifecycle.deactivate',
      'user.mfa.factor.activate',
      'group.user_membership.add',
    ]);
  });

  it('resetFactors and setUserStatus show in ground truth and over HTTP', async () => {
    const user = sim.org.users.find((u) => u.factors.length > 1 && u.status === 'ACTIVE');
    if (!user) throw new Error('no user with factors');
    sim.resetFactors(user.id);
    sim.setUserStatus(user.id, 'SUSPENDED');
    expect((await oktaGet<Factor[]>(sim, `/api/v1/users/${user.id}/factors`)).body).toEqual([]);
    expect((await oktaGet<User>(sim, `/api/v1/users/${user.id}`)).body.status).toBe('SUSPENDED');
    const truth = sim.groundTruth().users.find((u) => u.id === user.id);
    expect(truth?.factors).toEqual([]);
    expect(truth?.status).toBe('SUSPENDED');
    expect(() => sim.setUserStatus(user.id, 'HAPPY')).toThrow(/unknown user status/);
    expect(() => sim.removeGroupMember(sim.org.everyone().id, user.id)).toThrow(/Everyone/);
  });
});
