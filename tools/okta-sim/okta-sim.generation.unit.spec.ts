import { startOktaSim, OktaSim, USER_STATUSES } from './index';
import { oktaGet } from './sim-test-helpers';

const NOW = '2026-03-01T12:00:00.000Z';
const fixedNow = () => new Date(NOW);

describe('okta-sim generated org', () => {
  const sims: OktaSim[] = [];
  afterAll(async () => {
    await Promise.all(sims.map((sim) => sim.close()));
  });
  async function start(opts: Parameters<typeof startOktaSim>[0]): Promise<OktaSim> {
    const sim = await startOktaSim(opts);
    sims.push(sim);
    return sim;
  }

  it('is byte-identical for the same seed, size and clock, and differs for another seed', async () => {
    const a = await start({ seed: 7, users: 300, now: fixedNow });
    const b = await start({ seed: 7, users: 300, now: fixedNow });
    const c = await start({ seed: 8, users: 300, now: fixedNow });
    expect(JSON.stringify(a.groundTruth())).toBe(JSON.stringify(b.groundTruth()));
    const page = async (sim: OktaSim, path: string) =>
      JSON.stringify((await oktaGet(sim, path)).body)
        .split(sim.url)
        .join('<base>');
    for (const path of [
      '/api/v1/users?limit=200',
      '/api/v1/groups',
      '/api/v1/apps?limit=200',
      '/api/v1/logs?limit=1000',
    ]) {
      expect(await page(a, path)).toBe(await page(b, path));
    }
    const firstUser = a.org.users[0];
    expect(firstUser).toBeDefined();
    const factors = `/api/v1/users/${firstUser?.id}/factors`;
    expect(await page(a, factors)).toBe(await page(b, factors));
    expect(c.groundTruth().users.map((u) => u.id)).not.toEqual(
      a.groundTruth().users.map((u) => u.id),
    );
  });

  it('has users of every status with ~70% ACTIVE and ~8% DEPROVISIONED, and consistent timestamps', async () => {
    const sim = await start({ seed: 1, users: 500, now: fixedNow });
    const truth = sim.groundTruth();
    for (const status of USER_STATUSES)
      expect(truth.counts.usersByStatus[status]).toBeGreaterThan(0);
    expect(truth.counts.usersByStatus.ACTIVE).toBe(350);
    expect(truth.counts.usersByStatus.DEPROVISIONED).toBe(40);
    const now = Date.parse(NOW);
    for (const user of sim.org.users) {
      expect(user.id).toMatch(/^00u[0-9A-Za-z]{17}$/);
      expect(user.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      if (user.status === 'STAGED') expect(user.activated).toBeNull();
      else
        expect(Date.parse(user.activated ?? '')).toBeGreaterThanOrEqual(Date.parse(user.created));
      expect(Date.parse(user.statusChanged ?? user.created)).toBeLessThanOrEqual(now);
      if (user.lastLogin)
        expect(Date.parse(user.lastLogin)).toBeGreaterThanOrEqual(Date.parse(user.activated ?? ''));
    }
    const recent = (iso: string | null) => iso !== null && now - Date.parse(iso) < 90 * 86_400_000;
    expect(sim.org.users.some((u) => recent(u.created))).toBe(true);
    expect(sim.org.users.some((u) => u.status === 'DEPROVISIONED' && recent(u.statusChanged))).toBe(
      true,
    );
    expect(
      sim.org.users.some((u) => u.status === 'DEPROVISIONED' && !recent(u.statusChanged)),
    ).toBe(true);
    expect(sim.org.users.some((u) => u.lastLogin === null && u.status === 'ACTIVE')).toBe(true);
  });

  it('mixes factor enrollments and types', async () => {
    const sim = await start({ seed: 2, users: 400, now: fixedNow });
    const active = sim.org.users.filter((u) => u.status === 'ACTIVE');
    const activeCount = (u: (typeof active)[number]) =>
      u.factors.filter((f) => f.status === 'ACTIVE').length;
    expect(active.some((u) => u.factors.length === 0)).toBe(true);
    expect(active.some((u) => u.factors.length > 0 && activeCount(u) === 0)).toBe(true);
    expect(active.some((u) => activeCount(u) === 1)).toBe(true);
    expect(active.some((u) => activeCount(u) >= 2)).toBe(true);
    const types = new Set(sim.org.users.flatMap((u) => u.factors.map((f) => f.factorType)));
    for (const type of [
      'push',
      'token:software:totp',
      'sms',
      'call',
      'email',
      'webauthn',
      'u2f',
      'question',
      'token:hardware',
      'signed_nonce',
    ]) {
      expect(types).toContain(type);
    }
    const withFactor = sim.org.users.find((u) => u.factors.length > 0);
    const { body } = await oktaGet<Array<Record<string, unknown>>>(
      sim,
      `/api/v1/users/${withFactor?.id}/factors`,
    );
    expect(Array.isArray(body)).toBe(true);
    expect(body[0]).toEqual(
      expect.objectContaining({
        id: expect.stringMatching(/^(mfa|ufs)/),
        factorType: expect.any(String),
        provider: expect.any(String),
        vendorName: expect.any(String),
        status: expect.any(String),
        created: expect.any(String),
        lastUpdated: expect.any(String),
        profile: expect.any(Object),
        _links: expect.any(Object),
      }),
    );
  });

  it('has Everyone, Okta and app groups, active and inactive apps, and admin roles', async () => {
    const sim = await start({ seed: 3, users: 300, now: fixedNow });
    const truth = sim.groundTruth();
    const everyone = truth.groups.filter((g) => g.type === 'BUILT_IN');
    expect(everyone).toHaveLength(1);
    expect(everyone[0]?.name).toBe('Everyone');
    expect(everyone[0]?.memberIds).toHaveLength(300);
    expect(truth.groups.filter((g) => g.type === 'OKTA_GROUP').length).toBeGreaterThan(
      truth.groups.length / 2,
    );
    expect(truth.groups.some((g) => g.type === 'APP_GROUP')).toBe(true);
    expect(truth.apps.some((a) => a.status === 'INACTIVE')).toBe(true);
    expect(truth.apps.some((a) => a.userAssignments.some((x) => x.scope === 'GROUP'))).toBe(true);
    expect(truth.counts.deprovisionedWithApps).toBeGreaterThan(0);
    expect(truth.users.some((u) => u.status === 'DEPROVISIONED' && u.directAppIds.length > 0)).toBe(
      true,
    );
    const roles = new Set(truth.users.flatMap((u) => u.roles));
    for (const role of [
      'SUPER_ADMIN',
      'ORG_ADMIN',
      'APP_ADMIN',
      'READ_ONLY_ADMIN',
      'HELP_DESK_ADMIN',
    ])
      expect(roles).toContain(role);
    expect(sim.org.groups.filter((g) => g.roles.length > 0)).toHaveLength(1);
    const owner = truth.users.find((u) => u.id === truth.tokenOwnerId);
    expect(owner?.roles).toEqual(['READ_ONLY_ADMIN']);
    const me = await oktaGet<{ id: string }>(sim, '/api/v1/users/me');
    expect(me.body.id).toBe(truth.tokenOwnerId);
  });

  it('makes the token owner a super admin on request', async () => {
    const sim = await start({ users: 50, tokenOwnerRole: 'SUPER_ADMIN' });
    const me = await oktaGet<{ id: string }>(sim, '/api/v1/users/me');
    const roles = await oktaGet<Array<{ type: string; assignmentType: string }>>(
      sim,
      `/api/v1/users/${me.body.id}/roles`,
    );
    expect(roles.body.filter((r) => r.assignmentType === 'USER').map((r) => r.type)).toEqual([
      'SUPER_ADMIN',
    ]);
  });

  it('writes an initial System Log of the requested size inside the last 7 days', async () => {
    const sim = await start({ seed: 4, users: 100, logEvents: 250, now: fixedNow });
    expect(sim.groundTruth().logEvents).toBe(250);
    const { body } = await oktaGet<Array<{ published: string; eventType: string }>>(
      sim,
      '/api/v1/logs?limit=1000',
    );
    expect(body).toHaveLength(250);
    const now = Date.parse(NOW);
    for (const event of body) {
      expect(now - Date.parse(event.published)).toBeLessThanOrEqual(7 * 86_400_000);
      expect(now - Date.parse(event.published)).toBeGreaterThan(0);
    }
    const types = new Set(body.map((e) => e.eventType));
    for (const type of [
      'user.session.start',
      'user.authentication.sso',
      'policy.evaluate_sign_on',
      'user.authentication.auth_via_mfa',
    ]) {
      expect(types).toContain(type);
    }
  });

  // How fast it starts is a benchmark figure (npm run bench: sim_start_10k_users_ms), not a test.
  it('starts a 10,000-user org', async () => {
    const sim = await start({ users: 10_000, seed: 11 });
    expect(sim.org.users).toHaveLength(10_000);
  });
});
