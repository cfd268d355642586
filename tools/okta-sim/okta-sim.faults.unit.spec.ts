import { startOktaSim, OktaSim } from './index';
import { oktaGet } from './sim-test-helpers';

async function status(sim: OktaSim, path: string): Promise<number> {
  return (await oktaGet(sim, path)).status;
}

describe('okta-sim fault injection', () => {
  let sim: OktaSim;
  let userId: string;
  beforeEach(async () => {
    sim = await startOktaSim({ users: 40, seed: 21 });
    userId = sim.org.users[0]?.id ?? '';
  });
  afterEach(() => sim.close());

  it('errorRate answers 500 E0000009 for that fraction of calls', async () => {
    sim.faults.errorRate = 1;
    const answer = await oktaGet<{ errorCode: string }>(sim, '/api/v1/users?limit=1');
    expect(answer.status).toBe(500);
    expect(answer.body.errorCode).toBe('E0000009');
    sim.faults.errorRate = 0.5;
    const statuses = [];
    for (let i = 0; i < 60; i++) statuses.push(await status(sim, '/api/v1/users/me'));
    const failed = statuses.filter((s) => s === 500).length;
    expect(failed).toBeGreaterThan(10);
    expect(failed).toBeLessThan(50);
    expect(statuses.every((s) => s === 200 || s === 500)).toBe(true);
  });

  it('errorBurst answers 503 to the next N calls, then recovers', async () => {
    sim.faults.errorBurst = 2;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await status(sim, '/api/v1/groups'));
    expect(statuses).toEqual([503, 503, 200]);
    expect(sim.faults.errorBurst).toBe(0);
  });

  it('storm429 answers 429 whatever the limits, with rate headers', async () => {
    sim.faults.storm429 = 2;
    const first = await oktaGet<{ errorCode: string }>(sim, '/api/v1/users/me');
    expect(first.status).toBe(429);
    expect(first.body.errorCode).toBe('E0000047');
    expect(first.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(first.headers.get('x-rate-limit-limit')).toBe('2000');
    expect(first.headers.get('x-rate-limit-reset')).toMatch(/^\d{10}$/);
    expect(await status(sim, '/api/v1/users/me')).toBe(429);
    expect(await status(sim, '/api/v1/users/me')).toBe(200);
  });

  it('unauthorizedAfter lets N calls through, then every call is 401 E0000011', async () => {
    sim.faults.unauthorizedAfter = 2;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await status(sim, '/api/v1/users?limit=1'));
    expect(statuses).toEqual([200, 200, 401, 401]);
    const body = (await oktaGet<{ errorCode: string }>(sim, '/api/v1/apps')).body;
    expect(body.errorCode).toBe('E0000011');
    sim.faults.unauthorizedAfter = null;
    expect(await status(sim, '/api/v1/apps')).toBe(200);
  });

  it('malformedJsonNext answers 200 with a body that is not JSON', async () => {
    sim.faults.malformedJsonNext = 1;
    const response = await fetch(`${sim.url}/api/v1/users?limit=3`, {
      headers: { Authorization: `SSWS ${sim.token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const text = await response.text();
    expect(text.length).toBeGreaterThan(10);
    expect(() => JSON.parse(text)).toThrow();
    expect(await status(sim, '/api/v1/users?limit=3')).toBe(200);
  });

  it('hangNext never answers: an AbortSignal timeout fires; the next call is fine', async () => {
    sim.faults.hangNext = 1;
    const started = Date.now();
    await expect(
      oktaGet(sim, '/api/v1/users/me', { signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow(/abort|timeout/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(await status(sim, '/api/v1/users/me')).toBe(200);
    expect(sim.requestLog()[0]?.status).toBe(0);
  });

  it('close() ends hanging requests', async () => {
    sim.faults.hangNext = 1;
    const pending = oktaGet(sim, '/api/v1/users/me');
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The hang never ends by itself: close() resolving and the request failing
    // (rather than the test timing out) is the proof.
    await sim.close();
    await expect(pending).rejects.toThrow();
  });

  it('resetNext destroys the socket', async () => {
    sim.faults.resetNext = 1;
    await expect(oktaGet(sim, '/api/v1/users/me')).rejects.toThrow(
      /fetch failed|socket|terminated/i,
    );
    expect(await status(sim, '/api/v1/users/me')).toBe(200);
  });

  it('pathFilter restricts faults to matching paths (here: factors calls)', async () => {
    sim.faults.pathFilter = /\/factors$/;
    sim.faults.errorBurst = 1;
    expect(await status(sim, '/api/v1/users?limit=1')).toBe(200);
    expect(await status(sim, `/api/v1/users/${userId}`)).toBe(200);
    expect(await status(sim, `/api/v1/users/${userId}/factors`)).toBe(503);
    expect(await status(sim, `/api/v1/users/${userId}/factors`)).toBe(200);
    sim.faults.pathFilter = 'roles$';
    sim.faults.storm429 = 1;
    expect(await status(sim, `/api/v1/users/${userId}/factors`)).toBe(200);
    expect(await status(sim, `/api/v1/users/${userId}/roles`)).toBe(429);
  });

  it('forbiddenPaths answers 403 E0000006 (a read-only token reading roles)', async () => {
    sim.faults.forbiddenPaths = /\/roles$/;
    const roles = await oktaGet<{ errorCode: string }>(sim, `/api/v1/users/${userId}/roles`);
    expect(roles.status).toBe(403);
    expect(roles.body.errorCode).toBe('E0000006');
    expect(await status(sim, `/api/v1/users/${userId}/factors`)).toBe(200);
  });

  it('latencyMs delays every answer', async () => {
    sim.faults.latencyMs = 150;
    const started = Date.now();
    await oktaGet(sim, '/api/v1/users/me');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});
