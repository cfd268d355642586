import { startOktaSim, OktaSim } from './index';
import { crawl, oktaGet, truthOverHttp, withoutCounts } from './sim-test-helpers';

interface Item {
  id: string;
}
interface User extends Item {
  status: string;
}
interface Factor extends Item {
  factorType: string;
  status: string;
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
