import { randomBytes } from 'node:crypto';
import {
  generatedSigningKey,
  jwksOf,
  parseSigningKeys,
  signDetached,
  verifyDetached,
} from './signing-keys';

const seed = () => randomBytes(32).toString('base64');

describe('snapshot signing keys', () => {
  it('given two keys, when parsed, then the first signs and both are in the JWKS without private parts', () => {
    const { keys, problems } = parseSigningKeys(`new:${seed()}, old:${seed()}`);
    expect(problems).toEqual([]);
    expect(keys.map((k) => k.kid)).toEqual(['new', 'old']);
    const jwks = jwksOf(keys);
    expect(jwks.keys.map((k) => [k.kid, k.kty, k.crv, k.alg])).toEqual([
      ['new', 'OKP', 'Ed25519', 'EdDSA'],
      ['old', 'OKP', 'Ed25519', 'EdDSA'],
    ]);
    expect(JSON.stringify(jwks)).not.toMatch(/"d"/);
  });

  it('given a bad entry, when parsed, then the problem names its kid and never the material', () => {
    const short = randomBytes(16).toString('base64');
    const { problems } = parseSigningKeys(`k1:${short}`);
    expect(problems).toEqual([expect.stringMatching(/entry "k1:…" must be kid:base64/)]);
    expect(problems.join()).not.toContain(short);
    const a = seed();
    expect(parseSigningKeys(`k1:${a},k1:${seed()}`).problems).toEqual(['names key id "k1" twice']);
  });

  it('given a retired public key first, when parsed, then it is refused: the first key signs', () => {
    const retired = generatedSigningKey();
    const x = Buffer.from(String(jwksOf([retired]).keys[0]!.x), 'base64url').toString('base64');
    expect(parseSigningKeys(`old:public:${x}`).problems).toEqual([
      'the first key ("old") signs, so it needs its private seed',
    ]);
    const { keys, problems } = parseSigningKeys(`new:${seed()},old:public:${x}`);
    expect(problems).toEqual([]);
    expect(keys[1]!.privateKey).toBeNull();
    expect(jwksOf(keys).keys[1]!.x).toBe(jwksOf([retired]).keys[0]!.x);
  });

  it('given a signature by a rotated-out key, when verified against the JWKS after rotation, then it verifies', () => {
    const [old] = parseSigningKeys(`k1:${seed()}`).keys;
    const signature = signDetached('{"hash":"sha256:1"}', old!);
    const rotated = parseSigningKeys(`k2:${seed()}`).keys.concat(old!);
    expect(verifyDetached(signature, '{"hash":"sha256:1"}', jwksOf(rotated))).toEqual({
      valid: true,
      kid: 'k1',
    });
    // the same payload changed, or the old key dropped from the JWKS: refused
    expect(verifyDetached(signature, '{"hash":"sha256:2"}', jwksOf(rotated))).toMatchObject({
      valid: false,
      reason: 'the signature does not verify with key k1',
    });
    expect(verifyDetached(signature, '{"hash":"sha256:1"}', jwksOf(rotated.slice(0, 1)))).toEqual({
      valid: false,
      kid: 'k1',
      reason: 'key k1 is not in the JWKS',
    });
  });

  it('given one key and payload, when signed twice, then the JWS is the same (a replay re-signs identically)', () => {
    const [key] = parseSigningKeys(`k1:${seed()}`).keys;
    expect(signDetached('payload', key!)).toBe(signDetached('payload', key!));
    expect(signDetached('payload', key!)).toMatch(/^[\w-]+\.\.[\w-]+$/);
  });
});
