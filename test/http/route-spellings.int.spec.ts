import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { ACTIONS } from '@regentra/http-auth';
import { freePort } from '../../scripts/infra/ports';
import { COLLECTOR_TOKEN } from '../support/collector-api';
import { PROJECTOR_TOKEN } from '../support/apps';
import { isolation, randomEncryptionKey, services } from '../support/test-env';
import { testIssuer } from '../support/tokens';
import { eventually } from '../support/wait';

jest.setTimeout(300_000);

/**
 * Deny by default, tried from outside: both apps started from dist/ as README
 * starts them, every operation of their OpenAPI documents, and spellings of
 * each path that a lax router would still serve. None may reach a handler.
 */
const APPS = {
  'okta-collector': { token: COLLECTOR_TOKEN },
  'evidence-projector': { token: PROJECTOR_TOKEN },
} as const;
type AppName = keyof typeof APPS;

interface RawAnswer {
  status: number;
  code?: string;
}

/** A request with the path sent byte for byte (fetch would normalise dot segments and slashes). */
function raw(port: number, method: string, path: string, token?: string): Promise<RawAnswer> {
  return new Promise((done, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(method === 'GET' || method === 'DELETE'
            ? {}
            : { 'content-type': 'application/json' }),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          let code: string | undefined;
          try {
            code = (JSON.parse(body) as { code?: string }).code;
          } catch {
            code = undefined;
          }
          done({ status: res.statusCode ?? 0, code });
        });
      },
    );
    req.on('error', fail);
    req.end(method === 'GET' || method === 'DELETE' ? undefined : '{}');
  });
}

const PARAMS: Record<string, string> = {
  orgId: 'acme',
  control: 'authentication',
  list: 'users',
  syncId: 'sync-1',
};

/** The operation's path with its parameters filled in. */
const fill = (template: string, params = PARAMS) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? 'x');

/** Spellings of one path that must not reach its handler, each with a name. */
export function spellingsOf(template: string): Array<{ how: string; path: string }> {
  const path = fill(template);
  const segments = path.split('/').slice(1);
  const literal = segments.findIndex((s, i) => s !== PARAMS.orgId && i > 0 && /^[a-z]/.test(s));
  const swap = (i: number, to: string) =>
    `/${segments.map((s, k) => (k === i ? to : s)).join('/')}`;
  const seg = segments[literal] ?? segments[0]!;
  const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
  const variants = [
    { how: 'upper-case V1', path: path.replace('/v1/', '/V1/') },
    { how: 'whole path upper-case', path: path.toUpperCase() },
    { how: 'a segment capitalised', path: swap(literal, seg[0]!.toUpperCase() + seg.slice(1)) },
    { how: 'percent-encoded first letter', path: swap(literal, hex(seg[0]!) + seg.slice(1)) },
    { how: 'percent-encoded v', path: path.replace('/v1/', `/${hex('v')}1/`) },
    {
      how: 'lower-case percent hex',
      path: swap(literal, hex(seg[0]!).toLowerCase() + seg.slice(1)),
    },
    { how: 'leading double slash', path: `/${path}` },
    { how: 'double slash inside', path: path.replace('/v1/', '/v1//') },
    { how: 'trailing slash', path: `${path}/` },
    { how: 'dot segment', path: path.replace('/v1/', '/v1/./') },
    { how: 'dot-dot segment', path: path.replace('/v1/', '/v1/x/../') },
    { how: 'encoded dot-dot', path: path.replace('/v1/', '/v1/x/%2E%2E/') },
    { how: 'encoded slash between segments', path: path.replace('/v1/', '/v1%2F') },
    { how: 'backslash', path: path.replace('/v1/', '/v1\\') },
    { how: 'semicolon parameter', path: path.replace('/v1/', '/v1;x=1/') },
  ];
  if (template.includes('{orgId}'))
    variants.push(
      { how: 'org id with %2F', path: fill(template, { ...PARAMS, orgId: 'acme%2Fother' }) },
      { how: 'org id with %2F..', path: fill(template, { ...PARAMS, orgId: 'other%2F..%2Facme' }) },
      { how: 'org id with /', path: fill(template, { ...PARAMS, orgId: 'acme/other' }) },
    );
  return variants.filter((v) => v.path !== path);
}

interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
}

async function startFromDist(name: AppName, env: Record<string, string>): Promise<Started> {
  const main = resolve(__dirname, `../../dist/apps/${name}/src/main.js`);
  if (!existsSync(main)) throw new Error(`${main} missing: run "npm run build" (npm test does it)`);
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await eventually(
    async () =>
      (await raw(port, 'GET', '/health').catch(() => null))?.status === 200 ? true : undefined,
    `${name} healthy`,
    90_000,
    250,
  );
  return { child, port, output: () => output };
}

describe('every route, spelled as an attacker would', () => {
  const iso = isolation('spellings');
  const started: Partial<Record<AppName, Started>> = {};
  let issuer: Awaited<ReturnType<typeof testIssuer>>;

  beforeAll(async () => {
    issuer = await testIssuer();
    const { kafkaBrokers, mongoUri } = services();
    const common = {
      KAFKA_BROKERS: kafkaBrokers,
      MONGODB_URI: mongoUri,
      KAFKA_TOPIC_PREFIX: iso.topicPrefix,
      ...issuer.env,
    };
    [started['okta-collector'], started['evidence-projector']] = await Promise.all([
      startFromDist('okta-collector', {
        ...common,
        COLLECTOR_DB: iso.collectorDb,
        COLLECTOR_API_TOKEN: COLLECTOR_TOKEN,
        TOKEN_ENCRYPTION_KEYS: randomEncryptionKey(),
        SCHEDULER_ENABLED: 'false',
      }),
      startFromDist('evidence-projector', {
        ...common,
        PROJECTOR_DB: iso.projectorDb,
        PROJECTOR_API_TOKEN: PROJECTOR_TOKEN,
        PROJECTOR_GROUP_ID: `${iso.groupId}.projector`,
      }),
    ]);
  });

  afterAll(async () => {
    await Promise.all(
      Object.values(started).map(
        (app) =>
          new Promise<void>((done) => {
            if (!app || app.child.exitCode !== null) return done();
            app.child.once('exit', () => done());
            app.child.kill('SIGTERM');
          }),
      ),
    );
  });

  async function operations(name: AppName) {
    const app = started[name]!;
    const response = await fetch(`http://127.0.0.1:${app.port}/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      paths: Record<string, Record<string, { security?: unknown[]; 'x-required-action'?: string }>>;
    };
    return Object.entries(document.paths).flatMap(([template, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        template,
        method: method.toUpperCase(),
        operation,
      })),
    );
  }

  /** Open routes (`@Public()`): no action, no token; the snapshot signing keys' JWKS is one. */
  const PUBLIC_PATHS = ['/health', '/metrics', '/.well-known/jwks.json'];

  /** The router found nothing (Nest's generic 404), as opposed to a handler's own 404. */
  const notRouted = (answer: RawAnswer) => answer.status === 404 && answer.code === 'not_found';

  it('evidence-projector: serves its snapshot signing keys openly; with none configured it generates one and logs so', async () => {
    const app = started['evidence-projector']!;
    const answer = await raw(app.port, 'GET', '/.well-known/jwks.json');
    expect(answer.status).toBe(200);
    const jwks = (await (
      await fetch(`http://127.0.0.1:${app.port}/.well-known/jwks.json`)
    ).json()) as {
      keys: Array<Record<string, unknown>>;
    };
    expect(jwks.keys).toEqual([
      expect.objectContaining({
        kty: 'OKP',
        crv: 'Ed25519',
        kid: expect.stringMatching(/^generated-/),
      }),
    ]);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect(app.output()).toContain(`SNAPSHOT_SIGNING_KEYS is not set`);
    expect(app.output()).toContain(String(jwks.keys[0]!.kid));
  });

  for (const name of Object.keys(APPS) as AppName[]) {
    it(`${name}: every operation but the public ones (health, metrics, JWKS) declares an action and both auth schemes`, async () => {
      const ops = await operations(name);
      expect(ops.length).toBeGreaterThan(1);
      for (const { template, operation } of ops) {
        if (PUBLIC_PATHS.includes(template)) continue;
        expect({ template, action: operation['x-required-action'] }).toEqual({
          template,
          action: expect.stringMatching(new RegExp(`^(${ACTIONS.join('|')})$`)),
        });
        expect(operation.security).toEqual(expect.arrayContaining([{ jwt: [] }, { bearer: [] }]));
      }
    });

    it(`${name}: no spelling of a protected path is served, with or without a token`, async () => {
      const port = started[name]!.port;
      const full = APPS[name].token;
      const scoped = await issuer.token(name, 'acme', [...ACTIONS]);
      const served: string[] = [];
      let tried = 0;
      for (const { template, method } of await operations(name)) {
        if (PUBLIC_PATHS.includes(template)) continue;
        // the canonical spelling is protected, and served with a token
        const canonical = fill(template);
        const anonymous = await raw(port, method, canonical);
        if (anonymous.status !== 401)
          served.push(`${method} ${canonical} without a token: ${anonymous.status}`);
        for (const { how, path } of spellingsOf(template)) {
          tried += 1;
          const none = await raw(port, method, path);
          if (!(none.status === 401 || notRouted(none)))
            served.push(`${method} ${path} (${how}) without a token: ${none.status} ${none.code}`);
          const withScoped = await raw(port, method, path, scoped);
          if (!([401, 403].includes(withScoped.status) || notRouted(withScoped)))
            served.push(
              `${method} ${path} (${how}) with a token for acme: ${withScoped.status} ${withScoped.code}`,
            );
          const withFull = await raw(port, method, path, full);
          const paramVariant = how.startsWith('org id');
          // a path spelling must not match any route; an org id holding a slash must not pass validation
          const refused = paramVariant
            ? withFull.status === 400 || notRouted(withFull)
            : notRouted(withFull);
          if (!refused)
            served.push(
              `${method} ${path} (${how}) with the static token: ${withFull.status} ${withFull.code}`,
            );
        }
      }
      expect(tried).toBeGreaterThan(10);
      expect(served).toEqual([]);
    });
  }
});
