import { OktaSim, startOktaSim } from './index';
import { crawl, manualClock, oktaGet, truthOverHttp, withoutCounts } from './sim-test-helpers';

interface Principal {
  id: string;
  type: string;
  alternateId: string;
  displayName: string;
}
interface LogEvent {
  eventType: string;
  published: string;
  target: Principal[];
}

describe('okta-sim hard delete of a user', () => {
  let sim: OktaSim;
  const clock = manualClock('2026-06-02T10:00:00.000Z');
  beforeAll(async () => {
    sim = await startOktaSim({
      seed: 12,
      users: 150,
      now: clock.now,
      rateLimits: { other: 100_000, apps: 100_000, groups: 100_000, logs: 100_000 },
    });
  });
  afterAll(() => sim.close());

  it('needs a DEPROVISIONED user and never deletes the token owner', () => {
    const active = sim.org.users.find(
      (u) => u.status === 'ACTIVE' && u.id !== sim.org.tokenOwnerId,
    );
    expect(() => sim.deleteUser(active?.id ?? '')).toThrow(/DEPROVISIONED/);
    expect(() => sim.deleteUser(sim.org.tokenOwnerId)).toThrow(/token owner/);
    expect(() => sim.deleteUser('00uNobody')).toThrow(/no user/);
  });

  it('removes the user from every answer and from ground truth; logs delete.initiated and delete.completed', async () => {
    // a user with a bit of everything: groups, a direct app, a group-reached app, a role
    const user = sim.org.users.find(
      (u) =>
        u.status === 'ACTIVE' &&
        u.id !== sim.org.tokenOwnerId &&
        sim.org.groups.filter((g) => g.members.has(u.id)).length >= 2,
    );
    if (!user) throw new Error('fixture org lacks a case');
    const { id, profile } = user;
    const directApp = sim.org.apps.find((a) => a.status === 'ACTIVE') ?? sim.org.apps[0];
    if (!directApp) throw new Error('no app');
    sim.assignAppUser(directApp.id, id);
    sim.grantUserRole(id, 'APP_ADMIN');
    const groups = sim.org.groups.filter((g) => g.members.has(id)).map((g) => g.id);
    const apps = sim.groundTruth().users.find((u) => u.id === id)?.appIds ?? [];
    expect(apps.length).toBeGreaterThan(0);
    clock.advance(60_000);
    sim.deactivateUser(id);
    const since = new Date(clock.now().getTime() + 1).toISOString(); // after the deactivation
    clock.advance(60_000);
    sim.deleteUser(id);

    expect((await oktaGet(sim, `/api/v1/users/${id}`)).status).toBe(404);
    expect((await oktaGet(sim, `/api/v1/users/${encodeURIComponent(profile.login)}`)).status).toBe(
      404,
    );
    expect((await oktaGet(sim, `/api/v1/users/${id}/factors`)).status).toBe(404);
    const ids = async (path: string) =>
      (await crawl<{ id: string }>(sim, path)).items.map((x) => x.id);
    const q = (expression: string) => encodeURIComponent(expression);
    expect(await ids('/api/v1/users?limit=200')).not.toContain(id);
    expect(await ids(`/api/v1/users?filter=${q('status eq "DEPROVISIONED"')}`)).not.toContain(id);
    expect(await ids(`/api/v1/users?search=${q(`profile.login eq "${profile.login}"`)}`)).toEqual(
      [],
    );
    expect(
      await ids(`/api/v1/users?filter=${q('lastUpdated gt "2000-01-01T00:00:00.000Z"')}`),
    ).not.toContain(id);
    for (const groupId of groups)
      expect(await ids(`/api/v1/groups/${groupId}/users?limit=1000`)).not.toContain(id);
    for (const appId of apps) {
      expect(await ids(`/api/v1/apps/${appId}/users?limit=500`)).not.toContain(id);
      expect((await oktaGet(sim, `/api/v1/apps/${appId}/users/${id}`)).status).toBe(404);
    }
    expect(await ids(`/api/v1/apps?filter=${q(`user.id eq "${id}"`)}`)).toEqual([]);
    const assignees = (
      await oktaGet<{ value: Array<{ id: string }> }>(sim, '/api/v1/iam/assignees/users?limit=100')
    ).body.value.map((v) => v.id);
    expect(assignees).not.toContain(id);

    const truth = sim.groundTruth();
    expect(truth.users.map((u) => u.id)).not.toContain(id);
    expect(truth.groups.flatMap((g) => g.memberIds)).not.toContain(id);
    expect(truth.apps.flatMap((a) => a.userAssignments.map((x) => x.userId))).not.toContain(id);
    expect(truth.counts.users).toBe(149);
    expect(await truthOverHttp(sim)).toEqual(withoutCounts(truth));

    const filter = q('target.id eq "' + id + '"');
    const events = (
      await oktaGet<LogEvent[]>(sim, `/api/v1/logs?since=${since}&limit=1000&filter=${filter}`)
    ).body;
    const target = {
      id,
      type: 'User',
      alternateId: profile.login,
      displayName: `${profile.firstName} ${profile.lastName}`,
    };
    expect(events.map((e) => e.eventType)).toEqual([
      'user.lifecycle.delete.initiated',
      'user.lifecycle.delete.completed',
    ]);
    for (const event of events) {
      expect(event.published).toBe(clock.now().toISOString());
      expect(
        event.target.map(({ id: tid, type, alternateId, displayName }) => ({
          id: tid,
          type,
          alternateId,
          displayName,
        })),
      ).toEqual([target]);
    }
    // older events about the deleted user still name it
    const older = (
      await oktaGet<LogEvent[]>(
        sim,
        `/api/v1/logs?since=2026-06-02T09:00:00.000Z&limit=1000&filter=${q('eventType eq "user.lifecycle.deactivate" and target.id eq "' + id + '"')}`,
      )
    ).body;
    expect(older).toHaveLength(1);
    expect(older[0]?.target[0]).toMatchObject(target);
  });
});
