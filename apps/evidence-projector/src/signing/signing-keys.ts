import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  sign,
  verify,
} from 'node:crypto';

/**
 * An Ed25519 key of the projector that signs snapshot manifests
 * (docs/read-models.md, "Signed, chained snapshots"). `privateKey` is null
 * for a retired key whose private half was destroyed: its public key stays
 * in the JWKS so the signatures it made still verify.
 */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject | null;
  publicKey: KeyObject;
}

/** A public key as the JWKS route serves it (RFC 8037: OKP, Ed25519). */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

export interface Jwks {
  keys: PublicJwk[];
}

// DER prefixes of a raw 32-byte Ed25519 seed (PKCS #8) and public key (SPKI), RFC 8410.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const KID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Parses `SNAPSHOT_SIGNING_KEYS`: `kid:base64-32-byte-seed[,kid:…]`, the
 * first key signing, every key listed in the JWKS; a retired key may be given
 * as `kid:public:base64-32-byte-public-key`. Problems name the entry's kid,
 * never its material.
 */
export function parseSigningKeys(value: string): { keys: SigningKey[]; problems: string[] } {
  const keys: SigningKey[] = [];
  const problems: string[] = [];
  const entries = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const parts = entry.split(':');
    const kid = parts[0] ?? '';
    const isPublic = parts.length === 3 && parts[1] === 'public';
    const material = Buffer.from((isPublic ? parts[2] : parts[1]) ?? '', 'base64');
    if (!KID.test(kid) || (parts.length !== 2 && !isPublic) || material.length !== 32) {
      problems.push(
        `entry "${kid}:…" must be kid:base64 of a 32-byte Ed25519 seed, or kid:public:base64 of a 32-byte public key`,
      );
      continue;
    }
    if (keys.some((k) => k.kid === kid)) {
      problems.push(`names key id "${kid}" twice`);
      continue;
    }
    if (isPublic) {
      const publicKey = createPublicKey({
        key: Buffer.concat([SPKI_PREFIX, material]),
        format: 'der',
        type: 'spki',
      });
      keys.push({ kid, privateKey: null, publicKey });
      continue;
    }
    const privateKey = createPrivateKey({
      key: Buffer.concat([PKCS8_PREFIX, material]),
      format: 'der',
      type: 'pkcs8',
    });
    keys.push({ kid, privateKey, publicKey: createPublicKey(privateKey) });
  }
  if (entries.length > 0 && keys[0] && !keys[0].privateKey && problems.length === 0)
    problems.push(`the first key ("${keys[0].kid}") signs, so it needs its private seed`);
  return { keys, problems };
}

/** A key generated at start (no key configured: dev and tests); its kid names its public key. */
export function generatedSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  const kid = `generated-${createHash('sha256').update(raw).digest('hex').slice(0, 12)}`;
  return { kid, privateKey, publicKey };
}

/** The JWKS of the keys: public halves only. */
export function jwksOf(keys: readonly SigningKey[]): Jwks {
  return {
    keys: keys.map((k) => {
      const jwk = k.publicKey.export({ format: 'jwk' });
      return { kty: 'OKP', crv: 'Ed25519', x: String(jwk.x), kid: k.kid, alg: 'EdDSA', use: 'sig' };
    }),
  };
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * A JWS (RFC 7515) in compact form with a detached payload (Appendix F):
 * `BASE64URL(header)..BASE64URL(signature)`, header `{"alg":"EdDSA","kid":…}`,
 * signed over `BASE64URL(header) + "." + BASE64URL(payload)`. Ed25519 is
 * deterministic: the same key and payload give the same JWS.
 */
export function signDetached(payload: string, key: SigningKey): string {
  if (!key.privateKey) throw new Error(`key ${key.kid} has no private half`);
  const header = b64url(JSON.stringify({ alg: 'EdDSA', kid: key.kid }));
  const signature = sign(null, Buffer.from(`${header}.${b64url(payload)}`), key.privateKey);
  return `${header}..${b64url(signature)}`;
}

export type DetachedVerification =
  { valid: true; kid: string } | { valid: false; kid: string | null; reason: string };

/** Checks a detached JWS of `payload` against a JWKS (the verifier trusts the JWKS it is given). */
export function verifyDetached(jws: string, payload: string, jwks: Jwks): DetachedVerification {
  const [header, empty, signature, ...rest] = jws.split('.');
  if (!header || empty !== '' || !signature || rest.length > 0)
    return { valid: false, kid: null, reason: 'not a detached compact JWS' };
  let parsed: { alg?: unknown; kid?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    return { valid: false, kid: null, reason: 'the JWS header is not JSON' };
  }
  const kid = typeof parsed.kid === 'string' ? parsed.kid : null;
  if (parsed.alg !== 'EdDSA' || !kid)
    return { valid: false, kid, reason: 'the JWS header must name alg EdDSA and a kid' };
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (!jwk) return { valid: false, kid, reason: `key ${kid} is not in the JWKS` };
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x },
    format: 'jwk',
  });
  const input = Buffer.from(`${header}.${b64url(payload)}`);
  return verify(null, input, publicKey, Buffer.from(signature, 'base64url'))
    ? { valid: true, kid }
    : { valid: false, kid, reason: `the signature does not verify with key ${kid}` };
}
