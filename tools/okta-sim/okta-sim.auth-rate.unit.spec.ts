import { startOktaSim, OktaSim } from './index';
import { oktaGet } from './sim-test-helpers';

interface OktaError {
  errorCode: string;
  errorSummary: string;
  errorLink: string;
  errorId: string;
  errorCauses: unknown[];
}

describe('okta-sim auth and rate limits', () => {
  const sims: OktaSim[] = [];
  afterEach(async () => {
    await Promise.all(sims.splice(0).map((sim) => sim.close()));
  });
  async function start(opts: Parameters<typeof startOktaSim>[0]): Promise<OktaSim> {
    const sim = await startOktaSim(opts);
    sims.push(sim);
    return sim;
  }

  it.each([
    ['no header', undefined],
    ['a Bearer token', 'Bearer 00demo-regentra-okta-sim-token'],
    ['a wrong SSWS token', 'SSWS not-the-token'],
    ['lowercase ssws', 'ssws 00demo-regentra-okta-sim-token'],
  ])('answers 401 E0000011 with Okta headers to %s', async (_name, authorization) => {
    const sim = await start({ users: 20 });
    const response = await fetch(`${sim.url}/api/v1/users`, {
      headers: authorization ? { Authorization: authorization } : {},
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as OktaError;
    expect(body).toEqual({
      errorCode: 'E0000011',
      errorSummary: 'Invalid token provided',
      errorLink: 'E0000011',
      errorId: expect.stringMatching(/^oae[A-Za-z0-9]{22}$/),
      errorCauses: [],
    });
    expect(response.headers.get('x-okta-request-id')).toMatch(/^[A-Za-z0-9]{20,}$/);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('date')).toBeTruthy();
  });

  it('accepts a custom token and serves /.well-known/okta-organization without one', async () => {
    const sim = await start({ users: 20, token: 'custom-token-123' });
    expect(sim.token).toBe('custom-token-123');
    expect((await oktaGet(sim, '/api/v1/users/me')).status).toBe(200);
    const wellKnown = await fetch(`${sim.url}/.well-known/okta-organization`);
    expect(wellKnown.status).toBe(200);
    expect(await wellKnown.json()).toEqual({
      id: sim.org.id,
      pipeline: 'idx',
      _links: { organization: { href: sim.url } },
    });
  });

  it('answers 429 E0000047 past the bucket limit, with Limit, Remaining and Reset in epoch seconds', async () => {
    const sim = await start({ users: 20, rateLimits: { 'user-get': 3 }, rateWindowMs: 60_000 });
    const before = Date.now();
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await oktaGet<OktaError>(sim, '/api/v1/users/me'));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    expect(answers.map((a) => a.headers.get('x-rate-limit-remaining'))).toEqual([
      '2',
      '1',
      '0',
      '0',
      '0',
    ]);
    for (const answer of answers) expect(answer.headers.get('x-rate-limit-limit')).toBe('3');
    const throttled = answers[3];
    expect(throttled?.body.errorCode).toBe('E0000047');
    expect(throttled?.body.errorSummary).toBe(
      'API call exceeded rate limit due to too many requests.',
    );
    const reset = Number(throttled?.headers.get('x-rate-limit-reset'));
    expect(Number.isInteger(reset)).toBe(true);
    expect(reset).toBeGreaterThanOrEqual(Math.ceil((before + 60_000) / 1000));
    expect(reset).toBeLessThanOrEqual(Math.ceil((Date.now() + 60_000) / 1000));
    const dateSeconds = Date.parse(throttled?.headers.get('date') ?? '') / 1000;
    expect(reset - dateSeconds).toBeGreaterThan(55);
    expect(reset - dateSeconds).toBeLessThanOrEqual(61);
    // other buckets are untouched
    const list = await oktaGet(sim, '/api/v1/users?limit=1');
    expect(list.status).toBe(200);
    expect(list.headers.get('x-rate-limit-limit')).toBe('600');
    expect(sim.statusCounts()['429']).toBe(2);
  });

  it('opens a fresh window once the previous one ends (windows start at first use)', async () => {
    const sim = await start({ users: 20, rateLimits: { other: 2 }, rateWindowMs: 400 });
    const user = sim.org.users[0]?.id;
    const path = `/api/v1/users/${user}/factors`;
    expect((await oktaGet(sim, path)).status).toBe(200);
    expect((await oktaGet(sim, path)).status).toBe(200);
    const limited = await oktaGet(sim, path);
    expect(limited.status).toBe(429);
    const resetMs = Number(limited.headers.get('x-rate-limit-reset')) * 1000;
    await new Promise((resolve) => setTimeout(resolve, 450));
    const fresh = await oktaGet(sim, path);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('x-rate-limit-remaining')).toBe('1');
    expect(Number(fresh.headers.get('x-rate-limit-reset')) * 1000).toBeGreaterThanOrEqual(resetMs);
  });

  it('counts buckets as documented', async () => {
    const sim = await start({ users: 30 });
    const user = sim.org.users[0]?.id ?? '';
    const group = sim.org.groups[0]?.id ?? '';
    const app = sim.org.apps[0]?.id ?? '';
    const expectations: Array<[string, string]> = [
      ['/api/v1/users', '600'],
      [`/api/v1/users/${user}`, '2000'],
      ['/api/v1/users/me', '2000'],
      ['/api/v1/groups', '500'],
      [`/api/v1/groups/${group}/users`, '500'],
      ['/api/v1/apps', '100'],
      [`/api/v1/apps/${app}/users`, '100'],
      ['/api/v1/logs', '120'],
      [`/api/v1/users/${user}/factors`, '1200'],
      [`/api/v1/users/${user}/roles`, '1200'],
      ['/api/v1/iam/assignees/users', '1200'],
    ];
    for (const [path, limit] of expectations) {
      const answer = await oktaGet(sim, path);
      expect([path, answer.status, answer.headers.get('x-rate-limit-limit')]).toEqual([
        path,
        200,
        limit,
      ]);
    }
    expect(sim.requestLog().map((entry) => entry.bucket)).toEqual([
      'users-list',
      'user-get',
      'user-get',
      'groups',
      'groups',
      'apps',
      'apps',
      'logs',
      'other',
      'other',
      'other',
    ]);
    expect(sim.calls()['GET /api/v1/users/{id}/factors']).toBe(1);
  });

  it('answers a concurrency 429 with Limit and Remaining 0 past the in-flight limit', async () => {
    const sim = await start({ users: 20, concurrencyLimit: 2, latencyMs: 300 });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => oktaGet<OktaError>(sim, '/api/v1/users/me')),
    );
    const limited = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(2);
    expect(limited).toHaveLength(3);
    for (const answer of limited) {
      expect(answer.body.errorCode).toBe('E0000047');
      expect(answer.headers.get('x-rate-limit-limit')).toBe('0');
      expect(answer.headers.get('x-rate-limit-remaining')).toBe('0');
      expect(Number(answer.headers.get('x-rate-limit-reset'))).toBeGreaterThan(Date.now() / 1000);
    }
  });

  it('rejects the token once its owner is deactivated, or after DELETE /api-tokens/current', async () => {
    const sim = await start({ users: 20 });
    expect((await oktaGet(sim, '/api/v1/users?limit=1')).status).toBe(200);
    sim.deactivateUser(sim.org.tokenOwnerId);
    expect((await oktaGet(sim, '/api/v1/users?limit=1')).status).toBe(401);
    const other = await start({ users: 20 });
    const revoke = await fetch(`${other.url}/api/v1/api-tokens/current`, {
      method: 'DELETE',
      headers: { Authorization: `SSWS ${other.token}` },
    });
    expect(revoke.status).toBe(204);
    expect((await oktaGet(other, '/api/v1/users?limit=1')).status).toBe(401);
  });
});
