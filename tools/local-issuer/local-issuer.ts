import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type JWK,
} from 'jose';
import type { Action } from '@regentra/http-auth';

/**
 * A stand-in for the Regentra backend's token issuer, for `npm start`, tests
 * and `npm run token`: an EdDSA or ES256 key pair, its public JWKS in a file
 * the apps read (AUTH_JWKS_FILE), and short-lived tokens signed with it.
 */
export interface SigningKey {
  privateJwk: JWK & { kid: string; alg: string };
  jwks: { keys: JWK[] };
}

export const LOCAL_ISSUER = 'regentra-local';

export async function generateSigningKey(alg: 'EdDSA' | 'ES256' = 'EdDSA'): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  const publicJwk = await exportJWK(publicKey);
  const kid = (await calculateJwkThumbprint(publicJwk)).slice(0, 16);
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg },
    jwks: { keys: [{ ...publicJwk, kid, alg, use: 'sig' }] },
  };
}

/** Where `npm start` and `npm run token` keep the local key (REGENTRA_AUTH_DIR to move it). */
export function localAuthDir(override?: string): string {
  return override || join(homedir(), '.config', 'regentra-okta', 'local-auth');
}

/** The local signing key, made on first use; the private half is readable by its owner only. */
export async function localSigningKey(dir: string): Promise<SigningKey & { jwksFile: string }> {
  const keyFile = join(dir, 'signing-key.json');
  const jwksFile = join(dir, 'jwks.json');
  if (!existsSync(keyFile) || !existsSync(jwksFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const key = await generateSigningKey();
    writeFileSync(`${keyFile}.tmp`, JSON.stringify(key.privateJwk), { mode: 0o600 });
    renameSync(`${keyFile}.tmp`, keyFile);
    writeFileSync(jwksFile, JSON.stringify(key.jwks, null, 2));
  }
  chmodSync(keyFile, 0o600);
  return {
    privateJwk: JSON.parse(readFileSync(keyFile, 'utf8')) as SigningKey['privateJwk'],
    jwks: JSON.parse(readFileSync(jwksFile, 'utf8')) as SigningKey['jwks'],
    jwksFile,
  };
}

/** Writes a JWKS where an app can read it (AUTH_JWKS_FILE). */
export function writeJwks(file: string, key: SigningKey): string {
  writeFileSync(file, JSON.stringify(key.jwks));
  return file;
}

export interface TokenRequest {
  orgs: '*' | string | string[];
  scope: readonly Action[];
  audience: string;
  issuer?: string;
  subject?: string;
  ttlS?: number;
  /** Seconds since the epoch the token says it was issued (tests of expiry). */
  issuedAt?: number;
}

export async function mintToken(key: SigningKey, request: TokenRequest): Promise<string> {
  const iat = request.issuedAt ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ orgs: request.orgs, scope: request.scope.join(' ') })
    .setProtectedHeader({ alg: key.privateJwk.alg, kid: key.privateJwk.kid, typ: 'JWT' })
    .setIssuer(request.issuer ?? LOCAL_ISSUER)
    .setAudience(request.audience)
    .setSubject(request.subject ?? 'local-user')
    .setIssuedAt(iat)
    .setExpirationTime(iat + (request.ttlS ?? 900))
    .sign(await importJWK(key.privateJwk, key.privateJwk.alg));
}
