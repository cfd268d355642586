import { statSync, readFileSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTVerifyGetKey,
} from 'jose';
import { ACTIONS, Principal } from './actions';
import { actionsOf, orgScopeOf } from './access-policy';

/** Where the public keys of the Regentra backend's signing keys are. */
export type JwksSource = { file: string } | { url: string };

export interface AccessSettings {
  /** Static bearer secrets (local use): the current one and, during a rotation, the previous. */
  staticSecrets: ReadonlyArray<{ name: string; value: string }>;
  jwks?: JwksSource;
  issuer: string;
  audience: string;
  /** Longest a signed token may live (`exp - iat`): tokens are meant to be short-lived. */
  maxTokenTtlS: number;
}

/** Signed tokens are ES256 or EdDSA only (no `none`, no HMAC, no RSA). */
export const TOKEN_ALGORITHMS = ['ES256', 'EdDSA'];
const CLOCK_TOLERANCE_S = 30;

/** Why a request is not authenticated (its message goes into the 401 and the audit line). */
export class AuthenticationError extends Error {}

const ALL_ACTIONS = new Set(ACTIONS);

/**
 * Turns an `Authorization` header into a Principal: a static secret (every
 * org, every action) or a JWT verified against the configured JWKS with its
 * issuer, audience, expiry and lifetime checked.
 */
export class Authenticator {
  private readonly secrets: ReadonlyArray<{ name: string; value: Buffer }>;
  private readonly keys?: JWTVerifyGetKey;

  constructor(
    private readonly settings: AccessSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.secrets = settings.staticSecrets.map(({ name, value }) => ({
      name,
      value: Buffer.from(value),
    }));
    if (settings.jwks)
      this.keys =
        'file' in settings.jwks
          ? fileKeySet(settings.jwks.file)
          : createRemoteJWKSet(new URL(settings.jwks.url), {
              cooldownDuration: 30_000,
              cacheMaxAge: 10 * 60_000,
            });
  }

  async authenticate(header: string | undefined): Promise<Principal> {
    const match = /^Bearer ([!-~]+)$/.exec(header ?? '');
    if (!match?.[1]) throw new AuthenticationError('missing bearer token');
    const token = match[1];
    const secret = this.staticSecretOf(token);
    if (secret)
      return { subject: `static:${secret}`, via: 'static', orgs: '*', actions: ALL_ACTIONS };
    if (token.split('.').length !== 3) throw new AuthenticationError('wrong bearer token');
    if (!this.keys)
      throw new AuthenticationError(
        'signed tokens are not accepted here (neither AUTH_JWKS_FILE nor AUTH_JWKS_URL is set)',
      );
    return this.verify(token, this.keys);
  }

  /** Compares with every configured secret, each in constant time, without stopping early. */
  private staticSecretOf(token: string): string | undefined {
    const given = Buffer.from(token);
    let found: string | undefined;
    for (const { name, value } of this.secrets)
      if (given.length === value.length && timingSafeEqual(given, value)) found ??= name;
    return found;
  }

  private async verify(token: string, keys: JWTVerifyGetKey): Promise<Principal> {
    let verified;
    try {
      verified = await jwtVerify(token, keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: TOKEN_ALGORITHMS,
        requiredClaims: ['sub', 'iat', 'exp'],
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate: new Date(this.now()),
      });
    } catch (error) {
      throw new AuthenticationError(rejection(error));
    }
    const { payload, protectedHeader } = verified;
    const iat = payload.iat ?? 0;
    const exp = payload.exp ?? 0;
    if (iat > this.now() / 1000 + CLOCK_TOLERANCE_S)
      throw new AuthenticationError('token rejected: issued in the future (iat)');
    if (exp - iat > this.settings.maxTokenTtlS)
      throw new AuthenticationError(
        `token rejected: it lives ${exp - iat} s, longer than ${this.settings.maxTokenTtlS} s (AUTH_MAX_TOKEN_TTL_S)`,
      );
    const orgs = orgScopeOf(payload.orgs);
    if (!orgs)
      throw new AuthenticationError(
        'token rejected: claim "orgs" must be an org id, a list of them, or "*"',
      );
    const actions = actionsOf(payload.scope);
    if (!actions)
      throw new AuthenticationError(
        `token rejected: claim "scope" names none of ${ACTIONS.join(', ')}`,
      );
    return {
      subject: String(payload.sub),
      ...(protectedHeader.kid ? { keyId: protectedHeader.kid } : {}),
      via: 'jwt',
      orgs,
      actions,
    };
  }
}

/** Says why jose refused a token, without echoing the token. */
function rejection(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token rejected: expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `token rejected: claim "${error.claim}" ${error.reason === 'missing' ? 'is missing' : 'is not accepted'}`;
  if (error instanceof errors.JOSEAlgNotAllowed)
    return `token rejected: algorithm not allowed (${TOKEN_ALGORITHMS.join(', ')})`;
  if (error instanceof errors.JWKSNoMatchingKey)
    return 'token rejected: no matching key in the JWKS';
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return 'token rejected: signature does not verify';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JOSEError)
    return `token rejected: ${error.code}`;
  return 'token rejected: malformed';
}

/**
 * A JWKS read from a file, read again when the file changes (checked at most
 * every 5 s), so the backend's key rotation needs no restart.
 */
export function fileKeySet(path: string): JWTVerifyGetKey {
  let loaded: { mtimeMs: number; keys: JWTVerifyGetKey } | undefined;
  let checkedAt = 0;
  const load = () => {
    const mtimeMs = statSync(path).mtimeMs;
    if (loaded?.mtimeMs === mtimeMs) return loaded.keys;
    const keys = createLocalJWKSet(JSON.parse(readFileSync(path, 'utf8')));
    loaded = { mtimeMs, keys };
    return keys;
  };
  load(); // a missing or broken file is a start-up error
  return (header, token) => {
    if (Date.now() - checkedAt > 5_000) {
      checkedAt = Date.now();
      try {
        load();
      } catch {
        // a file being rewritten: keep the keys we had
      }
    }
    return loaded!.keys(header, token);
  };
}

/** The `kid` a token names, for the audit line of a token that did not verify. */
export function keyIdOf(header: string | undefined): string | undefined {
  const token = /^Bearer ([!-~]+)$/.exec(header ?? '')?.[1];
  if (!token || token.split('.').length !== 3) return undefined;
  try {
    const kid = decodeProtectedHeader(token).kid;
    return typeof kid === 'string' ? kid.slice(0, 100) : undefined;
  } catch {
    return undefined;
  }
}
