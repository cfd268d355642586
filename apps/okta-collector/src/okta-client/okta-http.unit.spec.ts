import { inspect } from 'node:util';
import { WarpTime } from './fake-time.testing';
import { sendJson, startLocalServer, type LocalServer } from './local-server.testing';
import { Pool } from 'undici';
import { guardedLookup, OktaDomainError } from './okta-domain';
import {
  OktaBadRequestError,
  OktaBadResponseError,
  OktaCredentialsInvalidError,
  OktaCrossOriginLinkError,
  OktaForbiddenError,
  OktaNotFoundError,
  OktaRateLimitedError,
  OktaTransientError,
} from './okta-errors';
import type { OktaClientLogger, OktaResponseEvent } from './okta-http.types';
import { OktaClient, type OktaClientOptions } from './okta.client';
import { Secret } from './secret';

const TOKEN = '00TESTtokenVALUE-never-LOG-me_42';

/** Everything logged and every error message, to prove the token never shows. */
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

const servers: LocalServer[] = [];
const clients: OktaClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => {
  const all = captured.join('\n');
  expect(all.length).toBeGreaterThan(0);
  expect(all).not.toContain(TOKEN);
});

async function setup(
  handler: Parameters<typeof startLocalServer>[0],
  over: Partial<OktaClientOptions> = {},
): Promise<{ server: LocalServer; client: OktaClient; events: OktaResponseEvent[] }> {
  const server = await startLocalServer(handler);
  servers.push(server);
  const events: OktaResponseEvent[] = [];
  const client = new OktaClient({
    baseUrl: new URL(server.url),
    token: new Secret(TOKEN),
    allowInsecureHosts: [server.hostPort],
    retry: { baseMs: 1, capMs: 5 },
    logger,
    onResponse: (e) => events.push(e),
    ...over,
  });
  clients.push(client);
  return { server, client, events };
}

async function collect<T>(it: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of it) out.push(...page);
  return out;
}

const oktaError = (code: string, summary: string) => ({
  errorCode: code,
  errorSummary: summary,
  errorLink: code,
  errorId: 'oae1',
  errorCauses: [],
});

describe('OktaClient over HTTP (local server)', () => {
  it('sends SSWS auth, Accept and User-Agent; the organization call goes without auth', async () => {
    const { server, client } = await setup((req, res) => {
      if (req.url === '/.well-known/okta-organization') {
        return sendJson(res, 200, {
          id: '00o1',
          pipeline: 'idx',
          _links: { organization: { href: 'x' } },
        });
      }
      sendJson(res, 200, { id: '00u1', status: 'ACTIVE', profile: { login: 'a@b.c' } });
    });
    expect((await client.getTokenOwner()).id).toBe('00u1');
    expect((await client.getOrganization()).pipeline).toBe('idx');
    const [me, org] = server.calls;
    expect(me?.url).toBe('/api/v1/users/me');
    expect(me?.headers.authorization).toBe(`SSWS ${TOKEN}`);
    expect(me?.headers.accept).toBe('application/json');
    expect(me?.headers['user-agent']).toBe('regentra-okta-collector/0.1');
    expect(org?.headers.authorization).toBeUndefined();
  });

  it('pages through Link headers in both forms and passes raw items through unchanged', async () => {
    const raw = (i: number) => ({
      id: `00g${i}`,
      type: 'OKTA_GROUP',
      profile: { name: `g${i}`, extra: { deep: [i] } },
      unknownField: i,
    });
    const { server, client } = await setup((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const after = Number(u.searchParams.get('after') ?? '0');
      const self = `<${server.url}${req.url}>; rel="self"`;
      const next = `<${server.url}/api/v1/groups?after=${after + 2}&limit=2>; rel="next"`;
      const link = after === 0 ? [self, next] : after === 2 ? `${self}, ${next}` : self;
      sendJson(res, 200, [raw(after), raw(after + 1)], { link });
    });
    const groups = await collect(client.listGroups());
    expect(groups).toEqual([0, 1, 2, 3, 4, 5].map(raw));
    expect(server.calls.map((c) => c.url)).toEqual([
      '/api/v1/groups?limit=200',
      '/api/v1/groups?after=2&limit=2',
      '/api/v1/groups?after=4&limit=2',
    ]);
  });

  it('encodes the deprovisioned filter and merges both user lists', async () => {
    const { server, client } = await setup((req, res) => {
      if (req.url?.includes('filter=')) {
        return sendJson(res, 200, [
          { id: 'u3', status: 'DEPROVISIONED' },
          { id: 'u4', status: 'DEPROVISIONED' },
        ]);
      }
      sendJson(res, 200, [
        { id: 'u1', status: 'ACTIVE' },
        { id: 'u2', status: 'SUSPENDED' },
        { id: 'u3', status: 'DEPROVISIONED' }, // raced into the default list
      ]);
    });
    const users = await collect(client.listUsers());
    expect(users.map((u) => u.id)).toEqual(['u1', 'u2', 'u3', 'u4']);
    expect(server.calls[1]?.url).toBe(
      '/api/v1/users?filter=status%20eq%20%22DEPROVISIONED%22&limit=200',
    );
  });

  it('401 → OktaCredentialsInvalidError after exactly one call, no retry', async () => {
    const { server, client } = await setup((_req, res) =>
      sendJson(res, 401, oktaError('E0000011', 'Invalid token provided'), {
        'x-okta-request-id': 'req-401',
      }),
    );
    const err = await failure(client.listUserFactors('00u1'));
    expect(err).toBeInstanceOf(OktaCredentialsInvalidError);
    const e = err as OktaCredentialsInvalidError;
    expect(e.status).toBe(401);
    expect(e.retryable).toBe(false);
    expect(e.oktaErrorCode).toBe('E0000011');
    expect(e.oktaRequestId).toBe('req-401');
    expect(e.endpoint).toBe('GET /api/v1/users/{id}/factors');
    expect(e.message).toContain('GET /api/v1/users/{id}/factors');
    expect(e.message).toContain('E0000011');
    expect(e.message).toContain('Invalid token provided');
    expect(e.message).toContain('req-401');
    expect(server.calls).toHaveLength(1);
  });

  it.each([
    [403, 'E0000006', OktaForbiddenError],
    [404, 'E0000007', OktaNotFoundError],
    [400, 'E0000031', OktaBadRequestError],
  ])('%i maps to its error without retry', async (status, code, type) => {
    const { server, client } = await setup((_req, res) =>
      sendJson(res, status, oktaError(code, 'nope')),
    );
    expect(await failure(client.listUserRoles('00u1'))).toBeInstanceOf(type);
    expect(server.calls).toHaveLength(1);
  });

  it('an error summary echoing the token is scrubbed', async () => {
    const { client } = await setup((_req, res) =>
      sendJson(res, 400, oktaError('E0000031', `bad token ${TOKEN} here`)),
    );
    const err = (await failure(client.listUserRoles('00u1'))) as Error;
    expect(err.message).toContain('[redacted]');
    expect(err.message).not.toContain(TOKEN);
  });

  it('retries 5xx to success, and gives up after the retry budget', async () => {
    const a = await setup((_req, res, _c, n) =>
      n <= 2 ? sendJson(res, 503, oktaError('E0000009', 'busy')) : sendJson(res, 200, []),
    );
    expect(await a.client.listUserFactors('00u1')).toEqual([]);
    expect(a.server.calls).toHaveLength(3);
    expect(a.events.map((e) => e.status)).toEqual([503, 503, 200]);

    const b = await setup((_req, res) =>
      sendJson(res, 500, oktaError('E0000009', 'boom'), { 'x-okta-request-id': 'r500' }),
    );
    const err = await failure(b.client.listUserFactors('00u1'));
    expect(err).toBeInstanceOf(OktaTransientError);
    expect((err as OktaTransientError).oktaRequestId).toBe('r500');
    expect(b.server.calls).toHaveLength(5); // 1 + 4 retries
  });

  it('retries malformed JSON', async () => {
    const { server, client } = await setup((_req, res, _c, n) =>
      sendJson(res, 200, n === 1 ? '[{"id": "f1",' : []),
    );
    expect(await client.listUserFactors('00u1')).toEqual([]);
    expect(server.calls).toHaveLength(2);
  });

  it('retries a reset connection', async () => {
    const { server, client } = await setup((req, res, _c, n) =>
      n === 1 ? req.socket.destroy() : sendJson(res, 200, []),
    );
    expect(await client.listUserFactors('00u1')).toEqual([]);
    expect(server.calls).toHaveLength(2);
  });

  it('times out a hung request, retries it, and raises a transient error when it keeps hanging', async () => {
    const timeouts = { headersMs: 150, bodyMs: 150 };
    const a = await setup((_req, res, _c, n) => (n === 1 ? undefined : sendJson(res, 200, [])), {
      timeouts,
    });
    expect(await a.client.listUserFactors('00u1')).toEqual([]);
    expect(a.server.calls).toHaveLength(2);
    expect(a.events[0]).toMatchObject({ status: 0, error: 'UND_ERR_HEADERS_TIMEOUT' });

    const b = await setup(() => undefined, {
      timeouts,
      retry: { retries: 1, baseMs: 1, capMs: 2 },
    });
    const err = await failure(b.client.listUserFactors('00u1'));
    expect(err).toBeInstanceOf(OktaTransientError);
    expect((err as Error).message).toContain('UND_ERR_HEADERS_TIMEOUT');
    expect(b.server.calls).toHaveLength(2);

    // a body that stalls mid-way
    const c = await setup(
      (_req, res, _c, n) => {
        if (n === 1) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('[');
          return;
        }
        sendJson(res, 200, []);
      },
      { timeouts },
    );
    expect(await c.client.listUserFactors('00u1')).toEqual([]);
    expect(c.server.calls).toHaveLength(2);
  });

  it('refuses a next link to another origin (another port) and never calls it', async () => {
    const other = await startLocalServer((_req, res) => sendJson(res, 200, []));
    servers.push(other);
    const { client } = await setup((_req, res) =>
      sendJson(res, 200, [{ id: '0oa1', status: 'ACTIVE' }], {
        link: `<${other.url}/api/v1/apps?after=x>; rel="next"`,
      }),
    );
    const err = await failure(collect(client.listApps()));
    expect(err).toBeInstanceOf(OktaCrossOriginLinkError);
    expect((err as Error).message).toContain(`another origin (${other.url}`);
    expect(other.calls).toHaveLength(0);
  });

  it('refuses a cross-origin _links.next.href and a cross-origin stored log checkpoint', async () => {
    const { server, client } = await setup((_req, res) =>
      sendJson(res, 200, {
        value: [{ id: '00u1', orn: 'x' }],
        _links: { next: { href: 'https://evil.example.com/api/v1/iam/assignees/users?after=1' } },
      }),
    );
    const got: string[] = [];
    const err = await failure(
      (async () => {
        for await (const ids of client.listRoleAssigneeUsers()) got.push(...ids);
      })(),
    );
    expect(got).toEqual(['00u1']);
    expect(err).toBeInstanceOf(OktaCrossOriginLinkError);
    expect(
      await failure(client.fetchLogPage({ nextUrl: 'http://169.254.169.254/latest' })),
    ).toBeInstanceOf(OktaCrossOriginLinkError);
    expect(server.calls).toHaveLength(1);
  });

  it('pages role assignees through _links.next.href', async () => {
    const { server, client } = await setup((req, res) => {
      const page = req.url?.includes('after=2') ? 2 : 1;
      sendJson(res, 200, {
        value: [{ id: `00u${page}a` }, { id: `00u${page}b` }],
        _links:
          page === 1
            ? { next: { href: `${server.url}/api/v1/iam/assignees/users?after=2&limit=100` } }
            : {},
      });
    });
    const ids: string[] = [];
    for await (const page of client.listRoleAssigneeUsers()) ids.push(...page);
    expect(ids).toEqual(['00u1a', '00u1b', '00u2a', '00u2b']);
    expect(server.calls.map((c) => c.url)).toEqual([
      '/api/v1/iam/assignees/users?limit=100',
      '/api/v1/iam/assignees/users?after=2&limit=100',
    ]);
  });

  it('builds the first System Log URL and follows the stored next link exactly', async () => {
    const { server, client } = await setup((req, res) => {
      sendJson(
        res,
        200,
        req.url?.includes('after=')
          ? []
          : [
              {
                uuid: 'e1',
                published: '2025-01-01T00:00:00.000Z',
                eventType: 'user.session.start',
              },
            ],
        {
          link: `<${server.url}/api/v1/logs?limit=1000&after=1735689600000_1&filter=eventType+eq+%22x%22>; rel="next"`,
        },
      );
    });
    const first = await client.fetchLogPage({
      since: '2025-01-01T00:00:00.000Z',
      filter: 'eventType eq "user.session.start"',
      limit: 5000,
    });
    expect(first.events).toHaveLength(1);
    expect(server.calls[0]?.url).toBe(
      '/api/v1/logs?since=2025-01-01T00%3A00%3A00.000Z&filter=eventType%20eq%20%22user.session.start%22&limit=1000&sortOrder=ASCENDING',
    );
    const second = await client.fetchLogPage({ nextUrl: first.nextUrl as string });
    expect(second.events).toEqual([]);
    expect(second.nextUrl).toBe(first.nextUrl);
    expect(server.calls[1]?.url).toBe(
      '/api/v1/logs?limit=1000&after=1735689600000_1&filter=eventType+eq+%22x%22',
    );
  });

  it('a malformed item is OktaBadResponseError naming the endpoint and index, not retried', async () => {
    const { server, client } = await setup((_req, res) =>
      sendJson(res, 200, [{ id: 'f1', factorType: 'sms', status: 'ACTIVE' }, { id: 'f2' }]),
    );
    const err = await failure(client.listUserFactors('00u1'));
    expect(err).toBeInstanceOf(OktaBadResponseError);
    expect((err as OktaBadResponseError).itemIndex).toBe(1);
    expect((err as Error).message).toContain('GET /api/v1/users/{id}/factors');
    expect((err as Error).message).toContain('item 1');
    expect(server.calls).toHaveLength(1);
    const b = await setup((_req, res) => sendJson(res, 200, { not: 'an array' }));
    expect(await failure(b.client.listUserFactors('00u1'))).toBeInstanceOf(OktaBadResponseError);
  });

  it('waits out a 429 until Reset (from the Date header) and retries; gives up after 6 retries', async () => {
    const time = new WarpTime();
    const rl = (remaining: number) => ({
      'x-rate-limit-limit': '10',
      'x-rate-limit-remaining': String(remaining),
      'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 30),
    });
    const a = await setup(
      (_req, res, _c, n) =>
        n === 1
          ? sendJson(res, 429, oktaError('E0000047', 'API call exceeded rate limit'), rl(0))
          : sendJson(res, 200, [], rl(8)),
      { clock: time.clock, sleep: time.sleep, random: () => 0 },
    );
    expect(await a.client.listUserFactors('00u1')).toEqual([]);
    expect(a.server.calls).toHaveLength(2);
    // ~30 s until the reset (Date has 1 s resolution), no jitter with random() = 0
    const waited = time.sleeps.reduce((x, y) => x + y, 0);
    expect(waited).toBeGreaterThanOrEqual(28_000);
    expect(waited).toBeLessThanOrEqual(31_000);

    const time2 = new WarpTime();
    const b = await setup(
      (_req, res) =>
        sendJson(res, 429, oktaError('E0000047', 'API call exceeded rate limit'), rl(0)),
      {
        clock: time2.clock,
        sleep: time2.sleep,
      },
    );
    const err = await failure(b.client.listUserFactors('00u1'));
    expect(err).toBeInstanceOf(OktaRateLimitedError);
    expect((err as OktaRateLimitedError).oktaErrorCode).toBe('E0000047');
    expect(b.server.calls).toHaveLength(7);
  });

  it('backs off briefly on a concurrency 429 (Limit 0 / Remaining 0)', async () => {
    const time = new WarpTime();
    const { server, client } = await setup(
      (_req, res, _c, n) =>
        n === 1
          ? sendJson(res, 429, oktaError('E0000047', 'concurrency'), {
              'x-rate-limit-limit': '0',
              'x-rate-limit-remaining': '0',
              'x-rate-limit-reset': '0',
            })
          : sendJson(res, 200, []),
      {
        clock: time.clock,
        sleep: time.sleep,
        random: () => 0.5,
        retry: { concurrencyBackoffMs: 1000 },
      },
    );
    expect(await client.listUserFactors('00u1')).toEqual([]);
    expect(server.calls).toHaveLength(2);
    expect(time.sleeps).toEqual([750]);
    expect(client.stats().concurrency429).toBe(1);
  });

  it('keeps connections alive and bounds concurrency', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const { server, client } = await setup(
      (_req, res) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(() => {
          inFlight--;
          sendJson(res, 200, []);
        }, 5);
      },
      { concurrency: 4 },
    );
    await Promise.all(Array.from({ length: 60 }, (_, i) => client.listUserFactors(`00u${i}`)));
    expect(server.calls).toHaveLength(60);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(server.connections()).toBeLessThanOrEqual(4);
  });

  it('refuses to reach a loopback origin that is not in the opt-in list', async () => {
    expect(
      () => new OktaClient({ baseUrl: new URL('http://127.0.0.1:9'), token: new Secret(TOKEN) }),
    ).toThrow(OktaDomainError);
    expect(
      () => new OktaClient({ baseUrl: new URL('https://127.0.0.1:9'), token: new Secret(TOKEN) }),
    ).toThrow(OktaDomainError);
  });

  it.each([
    // the URL parser keeps a doubled trailing dot, so isIP alone sees no address
    ['https://127.0.0.1..', 'ip-literal'],
    // the client's own check used to compare the name with its trailing dot
    ['https://localhost.', 'localhost'],
  ])('refuses the base URL %s like validateOktaDomain does (%s)', (base, why) => {
    const error = (() => {
      try {
        new OktaClient({ baseUrl: new URL(base), token: new Secret(TOKEN) });
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(OktaDomainError);
    expect((error as OktaDomainError).reason).toBe(why);
  });

  it('the connect-time DNS re-check refuses a name that resolves to loopback', async () => {
    // The client itself refuses the name "localhost"; drive the same connector through undici directly.
    const pool = new Pool('https://localhost', {
      connect: { timeout: 1000, lookup: guardedLookup },
    });
    try {
      const err = await failure(pool.request({ method: 'GET', path: '/' }));
      expect(err).toBeInstanceOf(OktaDomainError);
      expect((err as OktaDomainError).reason).toBe('private-address');
    } finally {
      await pool.destroy();
    }
  });

  it('never exposes the token through the client object itself', async () => {
    const { client } = await setup((_req, res) => sendJson(res, 200, []));
    captured.push(inspect(client, { depth: 10, showHidden: true }));
    expect(inspect(client, { depth: 10, showHidden: true })).not.toContain(TOKEN);
    expect(JSON.stringify(client.stats())).not.toContain(TOKEN);
  });
});
