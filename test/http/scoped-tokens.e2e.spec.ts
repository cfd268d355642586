import { MongoClient } from 'mongodb';
import { OktaSim, startOktaSim } from '../../tools/okta-sim';
import {
  collectorConfig,
  projectorConfig,
  startCollector,
  startProjector,
  StartedApp,
} from '../support/apps';
import { collectorApi } from '../support/collector-api';
import { waitForEvidenceOfSync } from '../support/evidence-expectations';
import { waitForRequest } from '../support/sync-requests';
import { isolation, services } from '../support/test-env';
import { testIssuer } from '../support/tokens';

jest.setTimeout(600_000);

/**
 * Tokens scoped to orgs and actions, through HTTP: two connected orgs with
 * evidence, a token for one of them, and every way it might reach the other.
 */
describe('per-org, per-action tokens', () => {
  const iso = isolation('scoped');
  let simA: OktaSim;
  let simB: OktaSim;
  let collector: StartedApp;
  let projector: StartedApp;
  let mongo: MongoClient;
  let issuer: Awaited<ReturnType<typeof testIssuer>>;
  let api: ReturnType<typeof collectorApi>;

  const get = async (
    app: StartedApp,
    path: string,
    token: string,
    method = 'GET',
    body?: unknown,
  ) => {
    const response = await fetch(`${app.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = {};
    }
    return { status: response.status, code: json.code, message: json.message, text };
  };

  beforeAll(async () => {
    issuer = await testIssuer();
    [simA, simB] = await Promise.all([
      startOktaSim({ users: 30, seed: 31, rateWindowMs: 1000 }),
      startOktaSim({ users: 20, seed: 32, rateWindowMs: 1000 }),
    ]);
    mongo = await new MongoClient(services().mongoUri).connect();
    collector = await startCollector(
      collectorConfig(iso, {
        ...issuer.env,
        OKTA_ALLOW_INSECURE_HOSTS: `${simA.hostPort},${simB.hostPort}`,
      }),
    );
    projector = await startProjector(projectorConfig(iso, issuer.env));
    api = collectorApi(collector);
    for (const [org, sim] of [
      ['org-a', simA],
      ['org-b', simB],
    ] as const) {
      expect((await api.connect(org, sim.url, sim.token)).status).toBe(200);
      const requestId = String((await api.sync(org, 'identity')).json.requestId);
      const done = await waitForRequest(mongo, iso.collectorDb, requestId, 300_000);
      expect(done.state).toBe('done');
      await waitForEvidenceOfSync(projector.url, org, (done.syncIds as string[])[0]!);
    }
  });

  afterAll(async () => {
    await Promise.all([collector?.close(), projector?.close()]);
    await Promise.all([simA?.close(), simB?.close(), mongo?.close()]);
  });

  it("a token for org A reads A's evidence and gets 403 on B's evidence, snapshots and CSV", async () => {
    const tokenA = await issuer.token(
      'evidence-projector',
      'org-a',
      ['evidence:read'],
      'auditor-a',
    );
    expect((await get(projector, '/v1/orgs/org-a/evidence/authentication', tokenA)).status).toBe(
      200,
    );
    for (const path of [
      '/v1/orgs/org-b/evidence/authentication',
      '/v1/orgs/org-b/evidence/access-review/snapshots',
      '/v1/orgs/org-b/evidence/access-review/snapshots/sync-1',
      '/v1/orgs/org-b/evidence/provisioning/items/users.csv',
      '/v1/orgs/ORG-A/evidence/authentication',
    ]) {
      const answer = await get(projector, path, tokenA);
      expect({ path, status: answer.status, code: answer.code }).toEqual({
        path,
        status: 403,
        code: 'forbidden',
      });
      expect(answer.text).not.toContain('"items"');
    }
  });

  it("a token for org A gets 403 on B's status and connection, and B stays connected", async () => {
    const tokenA = await issuer.token(
      'okta-collector',
      ['org-a'],
      ['status:read', 'connection:write', 'sync:request'],
    );
    expect((await get(collector, '/v1/orgs/org-a/okta/status', tokenA)).status).toBe(200);
    const attempts = [
      ['GET', '/v1/orgs/org-b/okta/status', undefined],
      ['DELETE', '/v1/orgs/org-b/okta/connection', undefined],
      ['PUT', '/v1/orgs/org-b/okta/connection', { domain: simA.url, apiToken: simA.token }],
      ['POST', '/v1/orgs/org-b/okta/connection/test', undefined],
      ['POST', '/v1/orgs/org-b/okta/syncs', { scope: 'all' }],
    ] as const;
    for (const [method, path, body] of attempts) {
      const answer = await get(collector, path, tokenA, method, body);
      expect({ method, path, status: answer.status, message: answer.message }).toEqual({
        method,
        path,
        status: 403,
        message: 'the token does not cover org org-b',
      });
    }
    const statusB = await api.status('org-b');
    expect(statusB.status).toBe(200);
    expect(JSON.stringify(statusB.json)).toContain(simB.hostPort);
  });

  it('a read token gets 403 on every write, and only an operator token reads the fleet', async () => {
    const reader = await issuer.token('okta-collector', '*', ['status:read']);
    for (const [method, path, body] of [
      ['PUT', '/v1/orgs/org-a/okta/connection', { domain: simA.url, apiToken: simA.token }],
      ['DELETE', '/v1/orgs/org-a/okta/connection', undefined],
      ['POST', '/v1/orgs/org-a/okta/syncs', { scope: 'all' }],
      ['GET', '/v1/okta/fleet', undefined],
    ] as const) {
      const answer = await get(collector, path, reader, method, body);
      expect({ path, status: answer.status }).toEqual({ path, status: 403 });
      expect(answer.message).toMatch(/does not allow (connection:write|sync:request|fleet:read)/);
    }
    const orgFleet = await issuer.token('okta-collector', ['org-a', 'org-b'], ['fleet:read']);
    expect((await get(collector, '/v1/okta/fleet', orgFleet)).status).toBe(403);
    const operator = await issuer.token('okta-collector', '*', ['fleet:read']);
    expect((await get(collector, '/v1/okta/fleet', operator)).status).toBe(200);
    // a collector token is not a projector token (audience)
    const wrongAudience = await issuer.token('okta-collector', '*', ['evidence:read']);
    const answer = await get(projector, '/v1/orgs/org-a/evidence/authentication', wrongAudience);
    expect({ status: answer.status, message: answer.message }).toEqual({
      status: 401,
      message: expect.stringMatching(/claim "aud"/),
    });
  });

  it('writes one audit line per request, allowed or denied, without the token', async () => {
    const token = await issuer.token(
      'evidence-projector',
      'org-a',
      ['evidence:read'],
      'audit-probe',
    );
    await get(projector, '/v1/orgs/org-a/evidence/least-privilege', token);
    await get(projector, '/v1/orgs/org-b/evidence/least-privilege', token);
    await get(projector, '/v1/orgs/org-b/evidence/least-privilege', 'not-a-valid-token-000000');
    const audit = () =>
      projector.logs.lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.context === 'audit')
        .map((line) => line.audit as Record<string, unknown>);
    // the line is written when the response is done
    for (
      let i = 0;
      i < 50 && audit().filter((a) => a.route?.toString().includes(':control')).length < 3;
      i++
    )
      await new Promise((r) => setTimeout(r, 20));
    const probe = audit().filter((a) => a.subject === 'audit-probe');
    expect(probe).toEqual([
      expect.objectContaining({
        orgId: 'org-a',
        action: 'evidence:read',
        route: 'GET /v1/orgs/:orgId/evidence/:control',
        decision: 'allow',
        status: 200,
        via: 'jwt',
        keyId: expect.any(String),
      }),
      expect.objectContaining({
        orgId: 'org-b',
        decision: 'deny',
        reason: 'the token does not cover org org-b',
        status: 403,
      }),
    ]);
    expect(audit()).toContainEqual(
      expect.objectContaining({ subject: null, orgId: 'org-b', decision: 'deny', status: 401 }),
    );
    for (const logs of [projector.logs.text(), collector.logs.text()]) {
      expect(logs).not.toContain(token);
      expect(logs).not.toContain(token.split('.')[2]);
      expect(logs).not.toContain('not-a-valid-token');
      expect(logs).not.toContain(simA.token);
    }
  });
});
