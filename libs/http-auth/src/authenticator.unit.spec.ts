import { mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, importJWK } from 'jose';
import {
  generateSigningKey,
  mintToken,
  SigningKey,
  writeJwks,
} from '../../../tools/local-issuer/local-issuer';
import { AccessSettings, AuthenticationError, Authenticator } from './authenticator';

const dir = mkdtempSync(join(tmpdir(), 'authenticator-'));
const AUD = 'evidence-projector';
const ISS = 'regentra-test';
let ed: SigningKey;
let es: SigningKey;
let other: SigningKey;
let jwksFile: string;

const settings = (overrides: Partial<AccessSettings> = {}): AccessSettings => ({
  staticSecrets: [],
  jwks: { file: jwksFile },
  issuer: ISS,
  audience: AUD,
  maxTokenTtlS: 3600,
  ...overrides,
});
const bearer = (token: string) => `Bearer ${token}`;
const token = (key: SigningKey, extra: Partial<Parameters<typeof mintToken>[1]> = {}) =>
  mintToken(key, { orgs: 'acme', scope: ['evidence:read'], audience: AUD, issuer: ISS, ...extra });

beforeAll(async () => {
  [ed, es, other] = await Promise.all([
    generateSigningKey('EdDSA'),
    generateSigningKey('ES256'),
    generateSigningKey('EdDSA'),
  ]);
  jwksFile = writeJwks(join(dir, 'jwks.json'), {
    ...ed,
    jwks: { keys: [...ed.jwks.keys, ...es.jwks.keys] },
  });
});

async function refusal(auth: Authenticator, header: string | undefined): Promise<string> {
  const error = await auth.authenticate(header).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthenticationError);
  return (error as Error).message;
}

describe('Authenticator: static secrets', () => {
  const current = 'current-secret-0123456789';
  const previous = 'previous-secret-0123456789';
  const auth = new Authenticator(
    settings({
      jwks: undefined,
      staticSecrets: [
        { name: 'PROJECTOR_API_TOKEN', value: current },
        { name: 'PROJECTOR_API_TOKEN_PREVIOUS', value: previous },
      ],
    }),
  );
  it('accepts the current and the previous secret during a rotation, each for every org and action', async () => {
    const now = await auth.authenticate(bearer(current));
    const before = await auth.authenticate(bearer(previous));
    expect(now).toEqual(
      expect.objectContaining({ subject: 'static:PROJECTOR_API_TOKEN', orgs: '*' }),
    );
    expect(before.subject).toBe('static:PROJECTOR_API_TOKEN_PREVIOUS');
    expect(now.actions.size).toBe(5);
  });
  it('refuses a missing header, another scheme, a prefix, a longer or a wrong secret', async () => {
    for (const header of [
      undefined,
      '',
      current,
      `Basic ${current}`,
      bearer(current.slice(0, -1)),
      bearer(`${current}0`),
      bearer(current.toUpperCase()),
      `Bearer  ${current}`,
    ])
      await refusal(auth, header);
  });
  it('refuses a signed token when no JWKS is configured, and says so', async () => {
    expect(await refusal(auth, bearer(await token(ed)))).toMatch(/AUTH_JWKS_FILE/);
  });
});

describe('Authenticator: signed tokens', () => {
  const auth = () => new Authenticator(settings());
  it('accepts EdDSA and ES256 tokens with the right issuer, audience and lifetime', async () => {
    for (const key of [ed, es]) {
      const principal = await auth().authenticate(
        bearer(await token(key, { orgs: ['acme', 'beta'], subject: 'svc-reports' })),
      );
      expect(principal).toEqual(
        expect.objectContaining({ subject: 'svc-reports', via: 'jwt', orgs: ['acme', 'beta'] }),
      );
      expect(principal.keyId).toBe(key.privateJwk.kid);
      expect([...principal.actions]).toEqual(['evidence:read']);
    }
  });
  it('refuses another issuer, another audience, an expired token and one that lives too long', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(auth(), bearer(await token(ed, { issuer: 'someone-else' })))).toMatch(
      /iss/,
    );
    expect(await refusal(auth(), bearer(await token(ed, { audience: 'okta-collector' })))).toMatch(
      /aud/,
    );
    expect(
      await refusal(auth(), bearer(await token(ed, { issuedAt: now - 7200, ttlS: 600 }))),
    ).toMatch(/expired/);
    expect(await refusal(auth(), bearer(await token(ed, { ttlS: 86_400 })))).toMatch(
      /AUTH_MAX_TOKEN_TTL_S/,
    );
  });
  it('refuses a key that is not in the JWKS, a tampered payload and a forged alg', async () => {
    expect(await refusal(auth(), bearer(await token(other)))).toMatch(/no matching key/);
    const [head, , sig] = (await token(ed)).split('.');
    const body = Buffer.from(
      JSON.stringify({
        orgs: '*',
        scope: 'evidence:read',
        iss: ISS,
        aud: AUD,
        sub: 'x',
        iat: 1,
        exp: 9e9,
      }),
    ).toString('base64url');
    expect(await refusal(auth(), bearer(`${head}.${body}.${sig}`))).toMatch(/rejected/);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: ed.privateJwk.kid })).toString('base64url')}.${body}.`;
    expect(await refusal(auth(), bearer(none))).toMatch(/rejected|wrong/);
    const hs = await new SignJWT({ orgs: '*', scope: 'evidence:read' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISS)
      .setAudience(AUD)
      .setSubject('x')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(Buffer.alloc(32, 1));
    expect(await refusal(auth(), bearer(hs))).toMatch(/algorithm not allowed/);
  });
  it('refuses a token without orgs or without a known action', async () => {
    const key = await importJWK(ed.privateJwk, 'EdDSA');
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', kid: ed.privateJwk.kid })
        .setIssuer(ISS)
        .setAudience(AUD)
        .setSubject('x')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key);
    expect(await refusal(auth(), bearer(await sign({ scope: 'evidence:read' })))).toMatch(/orgs/);
    expect(await refusal(auth(), bearer(await sign({ orgs: 'acme', scope: 'admin' })))).toMatch(
      /scope/,
    );
  });
  it('reads the JWKS file again when it changes (key rotation without a restart)', async () => {
    const file = writeJwks(join(dir, 'rotating.json'), ed);
    let now = Date.now();
    const rotating = new Authenticator(settings({ jwks: { file } }), () => now);
    await refusal(rotating, bearer(await token(other)));
    writeJwks(file, other);
    utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    const realNow = Date.now;
    Date.now = () => realNow() + 6_000; // past the file check interval
    try {
      now = Date.now();
      expect((await rotating.authenticate(bearer(await token(other)))).via).toBe('jwt');
    } finally {
      Date.now = realNow;
    }
  });
});
