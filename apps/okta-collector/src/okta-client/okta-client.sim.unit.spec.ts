import { inspect } from 'node:util';
import { startOktaSim, type OktaSim, type OktaSimOptions } from '../../../../tools/okta-sim';
import { sendJson, startLocalServer } from './local-server.testing';
import { validateOktaDomain } from './okta-domain';
import {
  OktaCredentialsInvalidError,
  OktaCrossOriginLinkError,
  OktaForbiddenError,
  OktaTransientError,
} from './okta-errors';
import type { OktaClientLogger } from './okta-http.types';
import { OktaClient, type OktaClientOptions } from './okta.client';
import { Secret } from './secret';

/**
 * Against the Okta simulator (a real HTTP server on 127.0.0.1, reached
 * through the test-only insecure opt-in).
 */
const TOKEN = 'sim-SECRET-token-7f3a9c1e-do-not-leak';

const captured: string[] = [];
const logger: OktaClientLogger = {
  debug: (o, m) => captured.push(`${m} ${JSON.stringify(o)}`),
  info: (o, m) => captured.push(`${m} ${JSON.stringify(o)}`),
  warn: (o, m) => captured.push(`${m} ${JSON.stringify(o)}`),
};
function capture(err: unknown): unknown {
  captured.push(inspect(err, { depth: 10 }));
  if (err instanceof Error) captured.push(err.message, JSON.stringify(err), String(err.stack));
  return err;
}
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return capture(e);
  }
  throw new Error('expected a failure');
}

const sims: OktaSim[] = [];
const clients: OktaClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(sims.splice(0).map((s) => s.close()));
});
afterAll(() => {
  const all = captured.join('\n');
  expect(all.length).toBeGreaterThan(1000);
  expect(all).not.toContain(TOKEN);
});

async function setup(
  simOpts: OktaSimOptions = {},
  over: Partial<OktaClientOptions> = {},
): Promise<{ sim: OktaSim; client: OktaClient }> {
  const sim = await startOktaSim({
    seed: 7,
    users: 60,
    groups: 4,
    apps: 3,
    token: TOKEN,
    ...simOpts,
  });
  sims.push(sim);
  const allowInsecureHosts = [sim.hostPort];
  const baseUrl = await validateOktaDomain(sim.url, { allowInsecureHosts });
  const client = new OktaClient({
    baseUrl,
    token: new Secret(TOKEN),
    allowInsecureHosts,
    logger,
    retry: { baseMs: 5, capMs: 50 },
    ...over,
  });
  clients.push(client);
  return { sim, client };
}

async function collect<T>(it: AsyncIterable<T[]>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let pages = 0;
  for await (const page of it) {
    pages++;
    items.push(...page);
  }
  return { items, pages };
}

const SMALL_PAGES = {
  users: 7,
  groups: 1,
  groupMembers: 7,
  apps: 1,
  appUsers: 5,
  appGroups: 1,
  roleAssignees: 2,
};

describe('OktaClient against the Okta simulator', () => {
  it('pages every list endpoint across several pages and matches the ground truth', async () => {
    const { sim, client } = await setup({}, { pageLimits: SMALL_PAGES });
    const truth = sim.groundTruth();

    const users = await collect(client.listUsers());
    expect(users.pages).toBeGreaterThanOrEqual(3);
    expect(users.items.map((u) => u.id).sort()).toEqual(truth.users.map((u) => u.id).sort());
    const deprovisioned = truth.users
      .filter((u) => u.status === 'DEPROVISIONED')
      .map((u) => u.id)
      .sort();
    expect(deprovisioned.length).toBeGreaterThan(0);
    expect(
      users.items
        .filter((u) => u.status === 'DEPROVISIONED')
        .map((u) => u.id)
        .sort(),
    ).toEqual(deprovisioned);
    expect(new Set(users.items.map((u) => u.id)).size).toBe(users.items.length);

    const groups = await collect(client.listGroups());
    expect(groups.pages).toBeGreaterThanOrEqual(3);
    expect(groups.items.map((g) => g.id).sort()).toEqual(truth.groups.map((g) => g.id).sort());

    const everyone = truth.groups.reduce((a, b) =>
      b.memberIds.length > a.memberIds.length ? b : a,
    );
    const members = await collect(client.listGroupMembers(everyone.id));
    expect(members.pages).toBeGreaterThanOrEqual(3);
    expect(members.items.map((u) => u.id).sort()).toEqual([...everyone.memberIds].sort());

    const apps = await collect(client.listApps());
    expect(apps.pages).toBeGreaterThanOrEqual(3);
    expect(apps.items.map((a) => a.id).sort()).toEqual(truth.apps.map((a) => a.id).sort());

    const busiest = truth.apps.reduce((a, b) =>
      b.userAssignments.length > a.userAssignments.length ? b : a,
    );
    const appUsers = await collect(client.listAppUsers(busiest.id));
    expect(appUsers.pages).toBeGreaterThanOrEqual(3);
    expect(appUsers.items.map((u) => u.id).sort()).toEqual(
      busiest.userAssignments.map((a) => a.userId).sort(),
    );

    const withGroups = truth.apps.reduce((a, b) => (b.groupIds.length > a.groupIds.length ? b : a));
    const appGroups = await collect(client.listAppGroups(withGroups.id));
    expect(appGroups.items.map((g) => g.id).sort()).toEqual([...withGroups.groupIds].sort());

    const assignees = await collect(client.listRoleAssigneeUsers());
    expect(assignees.items.length).toBeGreaterThan(0);
    for (const id of assignees.items)
      expect(truth.users.find((u) => u.id === id)?.roles.length).toBeGreaterThan(0);

    const owner = await client.getTokenOwner();
    expect(owner.id).toBe(truth.tokenOwnerId);
    const roles = await client.listUserRoles(owner.id);
    expect(roles.map((r) => r.type)).toContain('READ_ONLY_ADMIN');
    const org = await client.getOrganization();
    expect(org.id).toBe(truth.orgId);

    const sample = truth.users.find((u) => u.factors.length > 1) ?? truth.users[0];
    const factors = await client.listUserFactors(sample?.id ?? '');
    expect(factors.map((f) => f.id).sort()).toEqual(
      (sample?.factors ?? []).map((f) => f.id).sort(),
    );

    const calls = sim.calls();
    expect(calls['GET /api/v1/groups']).toBe(groups.pages);
    expect(sim.statusCounts()['429'] ?? 0).toBe(0);
  });

  /** Users then every user's factors, streamed: factor calls start as each page arrives. */
  async function syncUsersAndFactors(
    client: OktaClient,
  ): Promise<{ users: number; factors: number; failures: unknown[] }> {
    const failures: unknown[] = [];
    const pending: Array<Promise<void>> = [];
    let users = 0;
    let factors = 0;
    for await (const page of client.listUsers()) {
      users += page.length;
      for (const u of page) {
        pending.push(
          client.listUserFactors(u.id).then(
            (f) => {
              factors += f.length;
            },
            (e: unknown) => {
              failures.push(capture(e));
            },
          ),
        );
      }
    }
    await Promise.all(pending);
    return { users, factors, failures };
  }

  /** Most requests the sim counted in any window-sized span of one bucket. */
  function busiestWindow(sim: OktaSim, bucket: string, windowMs: number): number {
    const at = sim
      .requestLog()
      .filter((r) => r.bucket === bucket)
      .map((r) => r.at);
    let best = 0;
    let lo = 0;
    for (let hi = 0; hi < at.length; hi++) {
      while ((at[hi] as number) - (at[lo] as number) >= windowMs) lo++;
      best = Math.max(best, hi - lo + 1);
    }
    return best;
  }

  it('paces a 2,000-user sync (users + every factor) under tight limits: no failures, almost no 429s', async () => {
    const windowMs = 2000;
    const limits = { 'users-list': 5, other: 600 };
    const { sim, client } = await setup({
      users: 2000,
      rateLimits: limits,
      rateWindowMs: windowMs,
    });
    const started = Date.now();
    const result = await syncUsersAndFactors(client);
    const durationMs = Date.now() - started;
    const truth = sim.groundTruth();
    const status = sim.statusCounts();
    const calls = sim.calls();
    const report = {
      durationMs,
      calls,
      status,
      busiestUsersList: busiestWindow(sim, 'users-list', windowMs),
      busiestOther: busiestWindow(sim, 'other', windowMs),
      stats: client.stats(),
    };
    process.stdout.write(`paced sync: ${JSON.stringify(report)}\n`);
    expect(result.failures).toEqual([]);
    expect(result.users).toBe(truth.counts.users);
    expect(result.factors).toBe(truth.counts.factors);
    expect(calls['GET /api/v1/users/{id}/factors']).toBe(truth.counts.users + (status['429'] ?? 0));
    expect(status['429'] ?? 0).toBeLessThanOrEqual(5);
  });

  it('paces a tiny limit (users-list 5, other 40 per 1 s window) without failures', async () => {
    const windowMs = 1000;
    const { sim, client } = await setup({
      users: 90,
      rateLimits: { 'users-list': 5, other: 40 },
      rateWindowMs: windowMs,
    });
    const started = Date.now();
    // an unmetered call first (no auth, no rate headers) must not switch pacing off
    expect((await client.getOrganization()).id).toBe(sim.groundTruth().orgId);
    const result = await syncUsersAndFactors(client);
    const durationMs = Date.now() - started;
    const status = sim.statusCounts();
    process.stdout.write(
      `tiny-limit sync: ${JSON.stringify({ durationMs, calls: sim.calls(), status, busiestOther: busiestWindow(sim, 'other', windowMs) })}\n`,
    );
    expect(result.failures).toEqual([]);
    expect(result.users).toBe(90);
    expect(status['429'] ?? 0).toBeLessThanOrEqual(5);
    // 18 of 40 per window (maxShare 0.45): the limit is what bounds the sync
    expect(busiestWindow(sim, 'other', windowMs)).toBeLessThanOrEqual(20);
    expect(durationMs).toBeGreaterThanOrEqual(((90 / 18) | 0) * windowMs - windowMs);
  });

  it('rides out 429 storms (Remaining 0 until the window resets) and still finishes', async () => {
    const { sim, client } = await setup({
      users: 200,
      rateLimits: { 'users-list': 1000, other: 5000 },
      rateWindowMs: 1000,
    });
    const started = Date.now();
    // the first calls (the single in-flight users-list request) get three 429s in a row …
    sim.faults.storm429 = 3;
    const first = await syncUsersAndFactors(client);
    // … then a storm spread over the concurrent factor calls
    sim.faults.storm429 = 16;
    sim.faults.pathFilter = '/factors$';
    const second = await syncUsersAndFactors(client);
    const durationMs = Date.now() - started;
    const status = sim.statusCounts();
    process.stdout.write(
      `storm sync: ${JSON.stringify({ durationMs, calls: sim.calls(), status, stats: client.stats() })}\n`,
    );
    expect([...first.failures, ...second.failures]).toEqual([]);
    expect(first.users).toBe(200);
    expect(second.users).toBe(200);
    expect(second.factors).toBe(first.factors);
    expect(status['429']).toBe(19);
    expect(client.stats().rateLimited429).toBe(19);
  });

  it('polls the System Log through its next links (stored checkpoint, empty page keeps the link)', async () => {
    const { sim, client } = await setup({ users: 40, logEvents: 250 });
    const since = new Date(Date.now() - 170 * 24 * 3600 * 1000).toISOString();
    let page = await client.fetchLogPage({ since, limit: 100 });
    const uuids = new Set(page.events.map((e) => e.uuid));
    let pages = 1;
    while (page.events.length > 0) {
      expect(page.nextUrl).not.toBeNull();
      page = await client.fetchLogPage({ nextUrl: page.nextUrl as string });
      page.events.forEach((e) => uuids.add(e.uuid));
      pages++;
    }
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(uuids.size).toBe(sim.groundTruth().logEvents);
    // polling form: the next link survives an empty page
    expect(page.nextUrl).toMatch(new RegExp(`^${sim.url}/api/v1/logs\\?`));
  });

  it('a 401 surfaces as OktaCredentialsInvalidError after exactly one call', async () => {
    const { sim, client } = await setup();
    sim.faults.unauthorizedAfter = 0;
    const err = await failure(client.listUserFactors(sim.groundTruth().users[0]?.id ?? 'x'));
    expect(err).toBeInstanceOf(OktaCredentialsInvalidError);
    expect((err as OktaCredentialsInvalidError).oktaErrorCode).toBe('E0000011');
    expect((err as OktaCredentialsInvalidError).oktaRequestId).toMatch(/^\w+$/);
    expect(Object.values(sim.calls()).reduce((a, b) => a + b, 0)).toBe(1);

    const wrong = await setup();
    const bad = new OktaClient({
      baseUrl: new URL(wrong.sim.url),
      token: new Secret(`${TOKEN}-wrong`),
      allowInsecureHosts: [wrong.sim.hostPort],
      logger,
    });
    clients.push(bad);
    expect(await failure(collect(bad.listUsers()))).toBeInstanceOf(OktaCredentialsInvalidError);
    expect(wrong.sim.calls()['GET /api/v1/users']).toBe(1);
  });

  it('a 403 on roles is a typed OktaForbiddenError (the caller turns it into a warning)', async () => {
    const { sim, client } = await setup();
    sim.faults.forbiddenPaths = '/roles$';
    expect(await failure(client.listUserRoles(sim.groundTruth().tokenOwnerId))).toBeInstanceOf(
      OktaForbiddenError,
    );
  });

  it('retries a 5xx burst, a reset socket and a malformed JSON answer to success', async () => {
    const { sim, client } = await setup({}, { pageLimits: SMALL_PAGES });
    sim.faults.errorBurst = 3;
    const first = await collect(client.listGroups());
    expect(first.items.length).toBe(sim.groundTruth().groups.length);
    expect(sim.statusCounts()['503']).toBe(3);

    sim.faults.resetNext = 2;
    const id = sim.groundTruth().users[0]?.id ?? '';
    expect(await client.listUserFactors(id)).toBeDefined();

    sim.faults.malformedJsonNext = 2;
    const again = await collect(client.listApps());
    expect(again.items.length).toBe(sim.groundTruth().apps.length);
    expect(client.stats().retries).toBeGreaterThanOrEqual(7);
  });

  it('a hung answer times out and is retried; when it keeps hanging it is a transient error', async () => {
    const { sim, client } = await setup(
      {},
      { timeouts: { headersMs: 300, bodyMs: 300 }, retry: { retries: 2, baseMs: 5, capMs: 20 } },
    );
    const id = sim.groundTruth().users[0]?.id ?? '';
    sim.faults.hangNext = 1;
    expect(await client.listUserFactors(id)).toBeDefined();
    expect(sim.calls()['GET /api/v1/users/{id}/factors']).toBe(2);

    sim.faults.hangNext = 5;
    const err = await failure(client.listUserFactors(id));
    expect(err).toBeInstanceOf(OktaTransientError);
    expect((err as Error).message).toContain('UND_ERR_HEADERS_TIMEOUT');
    expect(sim.calls()['GET /api/v1/users/{id}/factors']).toBe(5);
  });

  it('refuses a next link to another host', async () => {
    const other = await startLocalServer((_req, res) => sendJson(res, 200, []));
    const evil = await startLocalServer((req, res) =>
      sendJson(res, 200, [{ id: '00g1', type: 'OKTA_GROUP' }], {
        link: [
          `<http://127.0.0.1:1${req.url}>; rel="self"`,
          `<${other.url}/api/v1/groups?after=00g1>; rel="next"`,
        ],
      }),
    );
    try {
      const client = new OktaClient({
        baseUrl: new URL(evil.url),
        token: new Secret(TOKEN),
        allowInsecureHosts: [evil.hostPort, other.hostPort],
        logger,
      });
      clients.push(client);
      const err = await failure(collect(client.listGroups()));
      expect(err).toBeInstanceOf(OktaCrossOriginLinkError);
      expect(other.calls).toHaveLength(0);
    } finally {
      await Promise.all([other.close(), evil.close()]);
    }
  });
});
