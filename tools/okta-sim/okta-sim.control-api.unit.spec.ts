import { GroundTruth, startOktaSim, OktaSim } from './index';
import { control, oktaGet } from './sim-test-helpers';

describe('okta-sim control API (/__sim)', () => {
  let sim: OktaSim;
  beforeAll(async () => {
    sim = await startOktaSim({ users: 60, seed: 41 });
  });
  afterAll(() => sim.close());

  it('requires X-Sim-Control: 1 and never accepts the Okta token instead', async () => {
    const response = await fetch(`${sim.url}/__sim/calls`, {
      headers: { Authorization: `SSWS ${sim.token}` },
    });
    expect(response.status).toBe(403);
  });

  it('reports and resets call counts without counting itself', async () => {
    await control(sim, 'POST', '/__sim/reset-counters');
    const user = sim.org.users[0]?.id;
    await oktaGet(sim, `/api/v1/users/${user}/factors`);
    await oktaGet(sim, `/api/v1/users/${user}/factors`);
    await oktaGet(sim, '/api/v1/users?limit=1');
    const calls = await control<Record<string, number>>(sim, 'GET', '/__sim/calls');
    expect(calls.body).toEqual({ 'GET /api/v1/users/{id}/factors': 2, 'GET /api/v1/users': 1 });
    expect(sim.calls()).toEqual(calls.body);
    const log = await control<Array<{ path: string; status: number; bucket: string }>>(
      sim,
      'GET',
      '/__sim/request-log',
    );
    expect(log.body.map((e) => [e.path, e.status, e.bucket])).toEqual([
      [`/api/v1/users/${user}/factors`, 200, 'other'],
      [`/api/v1/users/${user}/factors`, 200, 'other'],
      ['/api/v1/users', 200, 'users-list'],
    ]);
    await control(sim, 'POST', '/__sim/reset-counters');
    expect(sim.calls()).toEqual({});
  });

  it('serves the ground truth', async () => {
    const truth = await control<GroundTruth>(sim, 'GET', '/__sim/ground-truth');
    expect(truth.body).toEqual(JSON.parse(JSON.stringify(sim.groundTruth())));
  });

  it('merges faults, validating them', async () => {
    const set = await control<Record<string, unknown>>(sim, 'POST', '/__sim/faults', {
      errorBurst: 1,
      pathFilter: '/factors$',
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ errorBurst: 1, pathFilter: '/factors$', storm429: 0 });
    const user = sim.org.users[1]?.id;
    expect((await oktaGet(sim, '/api/v1/users/me')).status).toBe(200);
    expect((await oktaGet(sim, `/api/v1/users/${user}/factors`)).status).toBe(503);
    expect((await control(sim, 'POST', '/__sim/faults', { errorRate: 'lots' })).status).toBe(400);
    expect((await control(sim, 'POST', '/__sim/faults', { nonsense: 1 })).status).toBe(400);
    await control(sim, 'POST', '/__sim/faults', { pathFilter: null });
    expect(sim.faults.pathFilter).toBeNull();
  });

  it('deactivates users, enrolls and resets factors, adds and removes members', async () => {
    const user = sim.org.users.find((u) => u.status === 'ACTIVE' && u.id !== sim.org.tokenOwnerId);
    const group = sim.org.groups.find(
      (g) => g.type === 'OKTA_GROUP' && !g.members.has(user?.id ?? ''),
    );
    if (!user || !group) throw new Error('fixture org lacks a case');
    expect((await control(sim, 'POST', `/__sim/users/${user.id}/deactivate`)).status).toBe(200);
    expect((await oktaGet<{ status: string }>(sim, `/api/v1/users/${user.id}`)).body.status).toBe(
      'DEPROVISIONED',
    );
    const enrolled = await control<{ id: string }>(sim, 'POST', `/__sim/users/${user.id}/factors`, {
      factorType: 'sms',
      status: 'PENDING_ACTIVATION',
    });
    const factors = (
      await oktaGet<Array<{ id: string; status: string }>>(sim, `/api/v1/users/${user.id}/factors`)
    ).body;
    expect(factors).toContainEqual(
      expect.objectContaining({ id: enrolled.body.id, status: 'PENDING_ACTIVATION' }),
    );
    expect((await control(sim, 'POST', `/__sim/users/${user.id}/factors/reset`)).status).toBe(200);
    expect((await oktaGet<unknown[]>(sim, `/api/v1/users/${user.id}/factors`)).body).toEqual([]);
    expect(
      (await control(sim, 'POST', `/__sim/groups/${group.id}/members`, { userId: user.id })).status,
    ).toBe(200);
    expect(group.members.has(user.id)).toBe(true);
    expect(
      (await control(sim, 'DELETE', `/__sim/groups/${group.id}/members/${user.id}`)).status,
    ).toBe(200);
    expect(group.members.has(user.id)).toBe(false);
    expect((await control(sim, 'POST', '/__sim/users/00uNobody/deactivate')).status).toBe(404);
    expect(
      (
        await control(sim, 'POST', `/__sim/users/${user.id}/factors`, {
          factorType: 'carrier-pigeon',
        })
      ).status,
    ).toBe(400);
  });

  it('suspends, reactivates, hard-deletes users; removes factors; grants and revokes roles', async () => {
    const others = sim.org.users.filter(
      (u) => u.status === 'ACTIVE' && u.id !== sim.org.tokenOwnerId && u.factors.length > 0,
    );
    const [user, admin] = others;
    if (!user || !admin) throw new Error('fixture org lacks a case');
    const ok = async (method: string, path: string, body?: unknown) => {
      const answer = await control<Record<string, unknown>>(sim, method, path, body);
      expect([method, path, answer.status, answer.body]).toEqual([
        method,
        path,
        200,
        expect.anything(),
      ]);
      return answer.body;
    };
    await ok('POST', `/__sim/users/${user.id}/suspend`);
    expect(user.status).toBe('SUSPENDED');
    await ok('POST', `/__sim/users/${user.id}/unsuspend`);
    expect(user.status).toBe('ACTIVE');
    const factor = user.factors[0]?.id ?? '';
    await ok('DELETE', `/__sim/users/${user.id}/factors/${factor}`, { byUser: true });
    expect(user.factors.map((f) => f.id)).not.toContain(factor);
    expect((await control(sim, 'DELETE', `/__sim/users/${user.id}/factors/${factor}`)).status).toBe(
      404,
    );
    const role = await ok('POST', `/__sim/users/${admin.id}/roles`, { type: 'ORG_ADMIN' });
    expect(admin.roles.map((r) => r.id)).toContain(role.id);
    await ok('DELETE', `/__sim/users/${admin.id}/roles/ORG_ADMIN`);
    expect(admin.roles.map((r) => r.type)).not.toContain('ORG_ADMIN');
    expect((await control(sim, 'POST', `/__sim/users/${admin.id}/roles`, {})).status).toBe(400);
    // delete needs DEPROVISIONED first: 400, then deactivate, delete, 404 on the API
    expect((await control(sim, 'DELETE', `/__sim/users/${user.id}`)).status).toBe(400);
    await ok('POST', `/__sim/users/${user.id}/deactivate`);
    await ok('POST', `/__sim/users/${user.id}/reactivate`);
    expect(user.status).toBe('PROVISIONED');
    await ok('POST', `/__sim/users/${user.id}/deactivate`);
    await ok('DELETE', `/__sim/users/${user.id}`);
    expect((await oktaGet(sim, `/api/v1/users/${user.id}`)).status).toBe(404);
    expect((await control(sim, 'DELETE', `/__sim/users/${user.id}`)).status).toBe(404);
  });

  it('assigns and unassigns apps to users and groups, deactivates and deletes apps and groups', async () => {
    const everyone = sim.org.everyone().id;
    const sources = new Set(sim.org.groups.map((g) => g.sourceAppId));
    const app = sim.org.apps.find((a) => !sources.has(a.id) && a.status === 'ACTIVE');
    const group = sim.org.groups.find(
      (g) => g.type === 'OKTA_GROUP' && !app?.groups.some((a) => a.groupId === g.id),
    );
    const user = sim.org.users.find(
      (u) => u.status === 'ACTIVE' && u.id !== sim.org.tokenOwnerId && !app?.directUsers.has(u.id),
    );
    if (!app || !group || !user) throw new Error('fixture org lacks a case');
    const status = async (method: string, path: string, body?: unknown) =>
      (await control(sim, method, path, body)).status;
    expect(await status('POST', `/__sim/apps/${app.id}/users`, { userId: user.id })).toBe(200);
    expect(await status('DELETE', `/__sim/apps/${app.id}/users/${user.id}`)).toBe(200);
    expect(app.directUsers.has(user.id)).toBe(false);
    expect(await status('DELETE', `/__sim/apps/${app.id}/users/${user.id}`)).toBe(404);
    expect(
      await status('POST', `/__sim/apps/${app.id}/groups`, { groupId: group.id, priority: 7 }),
    ).toBe(200);
    expect(app.groups).toContainEqual(expect.objectContaining({ groupId: group.id, priority: 7 }));
    expect(
      await status('POST', `/__sim/apps/${app.id}/groups`, { groupId: group.id, priority: 'x' }),
    ).toBe(400);
    expect(await status('DELETE', `/__sim/apps/${app.id}/groups/${group.id}`)).toBe(200);
    expect(app.groups.map((g) => g.groupId)).not.toContain(group.id);
    const role = await control<{ id: string }>(sim, 'POST', `/__sim/groups/${group.id}/roles`, {
      type: 'HELP_DESK_ADMIN',
    });
    expect(group.roles.map((r) => r.id)).toEqual([role.body.id]);
    expect(await status('DELETE', `/__sim/groups/${group.id}/roles/${role.body.id}`)).toBe(200);
    expect(group.roles).toEqual([]);
    expect(await status('DELETE', `/__sim/groups/${everyone}`)).toBe(400);
    expect(await status('DELETE', `/__sim/groups/${group.id}`)).toBe(200);
    expect(sim.org.group(group.id)).toBeUndefined();
    expect(await status('DELETE', `/__sim/apps/${app.id}`)).toBe(400);
    expect(await status('POST', `/__sim/apps/${app.id}/deactivate`)).toBe(200);
    expect(app.status).toBe('INACTIVE');
    expect(await status('POST', `/__sim/apps/${app.id}/activate`)).toBe(200);
    expect(app.status).toBe('ACTIVE');
    expect(await status('POST', `/__sim/apps/${app.id}/deactivate`)).toBe(200);
    expect(await status('DELETE', `/__sim/apps/${app.id}`)).toBe(200);
    expect((await oktaGet(sim, `/api/v1/apps/${app.id}`)).status).toBe(404);
  });

  it('applies random changes', async () => {
    const answer = await control<{ changes: Array<{ kind: string; events: unknown[] }> }>(
      sim,
      'POST',
      '/__sim/random-changes',
      { seed: 3, count: 5 },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.changes).toHaveLength(5);
    expect(answer.body.changes.every((c) => c.events.length > 0)).toBe(true);
    expect(
      (await control(sim, 'POST', '/__sim/random-changes', { seed: 'x', count: 1 })).status,
    ).toBe(400);
  });

  it('appends log events, optionally visible later', async () => {
    const first = await oktaGet<unknown[]>(sim, '/api/v1/logs?limit=1000');
    const checkpoint = first.links.next as string;
    const visibleAt = new Date(Date.now() + 400).toISOString();
    const appended = await control<{ uuids: string[] }>(sim, 'POST', '/__sim/logs', {
      events: [
        {
          eventType: 'user.session.start',
          outcome: { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' },
        },
      ],
      visibleAt,
    });
    expect(appended.body.uuids).toHaveLength(1);
    expect((await oktaGet<unknown[]>(sim, checkpoint)).body).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 450));
    const page = await oktaGet<Array<{ uuid: string; outcome: { result: string } }>>(
      sim,
      checkpoint,
    );
    expect(page.body.map((e) => e.uuid)).toEqual(appended.body.uuids);
    expect(page.body[0]?.outcome.result).toBe('FAILURE');
    expect((await control(sim, 'POST', '/__sim/logs', { events: 'nope' })).status).toBe(400);
  });
});
