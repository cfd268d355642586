import { OktaSim, startOktaSim } from './index';
import { crawl, manualClock, oktaGet } from './sim-test-helpers';

interface User {
  id: string;
  status: string;
  lastUpdated: string;
}
interface Group {
  id: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
}

const q = (expression: string) => encodeURIComponent(expression);

/** The filters an incremental identity sync reads changed users and groups with. */
describe('okta-sim lastUpdated / lastMembershipUpdated filters', () => {
  let sim: OktaSim;
  const clock = manualClock('2026-06-03T08:00:00.000Z');
  let watermark: string;
  let changed: string[];
  let deactivated: string;
  let regrouped: string;
  beforeAll(async () => {
    sim = await startOktaSim({
      seed: 5,
      users: 140,
      now: clock.now,
      rateLimits: { 'users-list': 100_000, groups: 100_000 },
    });
    watermark = clock.now().toISOString();
    clock.advance(1000);
    const others = sim.org.users.filter(
      (u) => u.status === 'ACTIVE' && u.id !== sim.org.tokenOwnerId,
    );
    const [a, b, c] = others;
    if (!a || !b || !c) throw new Error('fixture org lacks a case');
    sim.suspendUser(a.id);
    sim.deactivateUser(b.id);
    const group = sim.org.groups.find((g) => g.type === 'OKTA_GROUP' && !g.members.has(c.id));
    if (!group) throw new Error('no group');
    sim.addGroupMember(group.id, c.id); // bumps the group, not the user
    changed = [a.id, b.id].sort();
    deactivated = b.id;
    regrouped = group.id;
  });
  afterAll(() => sim.close());

  it('filter=lastUpdated gt returns the changed users, DEPROVISIONED included', async () => {
    const page = await crawl<User>(
      sim,
      `/api/v1/users?limit=200&filter=${q(`lastUpdated gt "${watermark}"`)}`,
    );
    expect(page.items.map((u) => u.id).sort()).toEqual(changed);
    expect(page.items.find((u) => u.id === deactivated)?.status).toBe('DEPROVISIONED');
    const everything = await crawl<User>(
      sim,
      `/api/v1/users?limit=200&filter=${q('lastUpdated gt "2000-01-01T00:00:00.000Z"')}`,
    );
    expect(everything.items).toHaveLength(140);
  });

  it('search=lastUpdated gt returns the same, DEPROVISIONED included', async () => {
    const page = await crawl<User>(
      sim,
      `/api/v1/users?limit=200&search=${q(`lastUpdated gt "${watermark}"`)}`,
    );
    expect(page.items.map((u) => u.id).sort()).toEqual(changed);
  });

  it('lastUpdated combines with and/or and ge/lt', async () => {
    const page = await crawl<User>(
      sim,
      `/api/v1/users?limit=200&filter=${q(
        `lastUpdated gt "${watermark}" and status eq "DEPROVISIONED"`,
      )}`,
    );
    expect(page.items.map((u) => u.id)).toEqual([deactivated]);
    const older = await crawl<User>(
      sim,
      `/api/v1/users?limit=200&filter=${q(`lastUpdated lt "${watermark}"`)}`,
    );
    expect(older.items).toHaveLength(140 - changed.length);
  });

  it('search and filter together, or a malformed date, are a 400', async () => {
    const both = await oktaGet<{ errorCode: string }>(
      sim,
      `/api/v1/users?filter=${q(`lastUpdated gt "${watermark}"`)}&search=${q(`lastUpdated gt "${watermark}"`)}`,
    );
    expect(both.status).toBe(400);
    expect(both.body.errorCode).toBe('E0000031');
    const bad = await oktaGet(sim, `/api/v1/users?filter=${q('lastUpdated gt "yesterday"')}`);
    expect(bad.status).toBe(400);
  });

  it('groups: filter=lastMembershipUpdated gt … or lastUpdated gt … returns the changed group', async () => {
    const page = await crawl<Group>(
      sim,
      `/api/v1/groups?filter=${q(
        `lastMembershipUpdated gt "${watermark}" or lastUpdated gt "${watermark}"`,
      )}`,
    );
    expect(page.items.map((g) => g.id)).toEqual([regrouped]);
    expect(page.items[0]?.lastMembershipUpdated).toBe(clock.now().toISOString());
    const byUpdate = await crawl<Group>(
      sim,
      `/api/v1/groups?filter=${q(`lastUpdated gt "${watermark}"`)}`,
    );
    expect(byUpdate.items).toEqual([]);
  });
});
