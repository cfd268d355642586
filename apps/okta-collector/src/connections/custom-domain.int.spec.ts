import { MongoClient } from 'mongodb';
import { startOktaSim, OktaSim } from '../../../../tools/okta-sim';
import { collectorConfig, startCollector, StartedApp } from '../../../../test/support/apps';
import { collectorApi } from '../../../../test/support/collector-api';
import { isolation, services } from '../../../../test/support/test-env';
import { LocalServer, sendJson, startLocalServer } from '../okta-client/local-server.testing';

/**
 * A custom domain is accepted only in front of a real Okta org: its
 * `.well-known/okta-organization` must name an Okta org host whose own
 * `.well-known` answers the same org id, and API calls then go to that org
 * host (docs/okta.md, Domains). The simulator stands for the Okta org host
 * (OKTA_ALLOW_INSECURE_HOSTS), local servers for the custom domains
 * (OKTA_INSECURE_CUSTOM_DOMAINS).
 */
describe('custom domains', () => {
  const iso = isolation('customdomain');
  let sim: OktaSim;
  let simOrgId: string;
  const fakes: LocalServer[] = [];
  let collector: StartedApp;
  let mongo: MongoClient;
  let api: ReturnType<typeof collectorApi>;
  let genuine: LocalServer;
  let notOktaHost: LocalServer;
  let otherOrg: LocalServer;

  /** A "custom domain" whose .well-known claims `id` and names `href` as its org. */
  const customDomain = async (id: string, href: string): Promise<LocalServer> => {
    const server = await startLocalServer((req, res) => {
      if (req.url === '/.well-known/okta-organization')
        sendJson(res, 200, { id, pipeline: 'idx', _links: { organization: { href } } });
      else sendJson(res, 404, { errorCode: 'E0000022', errorSummary: 'not found' });
    });
    fakes.push(server);
    return server;
  };

  beforeAll(async () => {
    sim = await startOktaSim({ users: 20, seed: 3 });
    const wellKnown = (await (await fetch(`${sim.url}/.well-known/okta-organization`)).json()) as {
      id: string;
    };
    simOrgId = wellKnown.id;
    genuine = await customDomain(simOrgId, sim.url);
    notOktaHost = await customDomain(simOrgId, 'https://okta.attacker.example');
    otherOrg = await customDomain('00oSOMEONEELSE', sim.url);
    mongo = await new MongoClient(services().mongoUri).connect();
    collector = await startCollector(
      collectorConfig(iso, {
        OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
        OKTA_INSECURE_CUSTOM_DOMAINS: fakes.map((f) => f.hostPort).join(','),
      }),
    );
    api = collectorApi(collector);
  });

  afterAll(async () => {
    await collector?.close();
    for (const fake of fakes) await fake.close();
    await sim?.close();
    await mongo?.close();
  });

  it.each([
    ['names a host that is not Okta', () => notOktaHost, /not an Okta org domain/],
    ['claims an org id its Okta host does not answer', () => otherOrg, /claims Okta org/],
  ])(
    'refuses a custom domain that %s, with 400 custom_domain_not_okta',
    async (_what, fake, why) => {
      const answer = await api.connect('org-fake', fake().url, sim.token);
      expect(answer.status).toBe(400);
      expect(answer.json.code).toBe('custom_domain_not_okta');
      expect(String(answer.json.message)).toMatch(why);
      expect(JSON.stringify(answer.json)).not.toContain(sim.token);
      expect((await api.status('org-fake')).status).toBe(404);
      // the fake was asked for its .well-known only: no token went to it
      expect(fake().calls.every((c) => c.url === '/.well-known/okta-organization')).toBe(true);
      expect(fake().calls.some((c) => c.headers.authorization !== undefined)).toBe(false);
    },
  );

  it('accepts a genuine custom domain and sends API calls to the Okta org host', async () => {
    const answer = await api.connect('org-custom', genuine.url, sim.token);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      status: 'connected',
      domain: genuine.hostPort,
      apiHost: sim.hostPort,
      oktaOrgId: simOrgId,
    });
    const stored = await mongo
      .db(iso.collectorDb)
      .collection('connections')
      .findOne({ _id: 'org-custom' as never });
    expect(stored).toMatchObject({
      baseUrl: sim.url,
      domain: genuine.hostPort,
      oktaOrgId: simOrgId,
    });
    expect(genuine.calls.map((c) => c.url)).toEqual(['/.well-known/okta-organization']);
    expect(sim.calls()['GET /api/v1/users/me']).toBeGreaterThanOrEqual(1);
  });
});
