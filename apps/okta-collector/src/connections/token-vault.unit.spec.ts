import { randomBytes } from 'node:crypto';
import { Secret } from '../okta-client/secret';
import { TokenVault } from './token-vault';
import { sealedByV1 } from './token-vault.testing';

const key = (id: string) => ({ id, key: randomBytes(32) });
const acme = { orgId: 'org-1', baseUrl: 'https://acme.okta.com' };

describe('TokenVault', () => {
  const token = new Secret('00abcdefghijklmnopqrstuvwxyz0123456789ABCD');

  it('seals without the plaintext and opens it again', () => {
    const vault = new TokenVault([key('k1')]);
    const sealed = vault.seal(acme, token);
    expect(JSON.stringify(sealed)).not.toContain(token.reveal());
    expect(sealed).toMatchObject({ keyId: 'k1', v: 2 });
    expect(vault.open(acme, sealed).reveal()).toBe(token.reveal());
    expect(vault.needsRotation(sealed)).toBe(false);
  });

  it('uses a fresh IV each time', () => {
    const vault = new TokenVault([key('k1')]);
    expect(vault.seal(acme, token).ciphertext).not.toBe(vault.seal(acme, token).ciphertext);
  });

  it('opens old ciphertexts after rotation, seals new ones with the first key', () => {
    const k1 = key('k1');
    const k2 = key('k2');
    const sealedOld = new TokenVault([k1]).seal(acme, token);
    const rotated = new TokenVault([k2, k1]);
    expect(rotated.open(acme, sealedOld).reveal()).toBe(token.reveal());
    expect(rotated.needsRotation(sealedOld)).toBe(true);
    expect(rotated.seal(acme, token).keyId).toBe('k2');
  });

  it('refuses a ciphertext of another org, a tampered one, or an unknown key', () => {
    const vault = new TokenVault([key('k1')]);
    const sealed = vault.seal(acme, token);
    expect(() => vault.open({ ...acme, orgId: 'org-2' }, sealed)).toThrow(/does not decrypt/);
    const flipped = Buffer.from(sealed.ciphertext, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => vault.open(acme, { ...sealed, ciphertext: flipped.toString('base64') })).toThrow(
      /does not decrypt/,
    );
    expect(() => new TokenVault([key('other')]).open(acme, sealed)).toThrow(
      /key "k1", which is not configured/,
    );
  });

  it('binds the Okta origin: a token does not open beside another base URL', () => {
    const vault = new TokenVault([key('k1')]);
    const sealed = vault.seal(acme, token);
    // someone with write access to the database points the org at their host
    for (const baseUrl of [
      'https://evil.example.com',
      'https://acme.okta.com.evil.example',
      'https://acme.oktapreview.com',
    ])
      expect(() => vault.open({ ...acme, baseUrl }, sealed)).toThrow(/does not decrypt/);
    // the origin is what is bound: a path or trailing slash is the same host
    expect(vault.open({ ...acme, baseUrl: 'https://acme.okta.com/' }, sealed).reveal()).toBe(
      token.reveal(),
    );
  });

  it('no org/origin pair can be spelled as another one', () => {
    const vault = new TokenVault([key('k1')]);
    const sealed = vault.seal({ orgId: 'a', baseUrl: 'https://b.okta.com' }, token);
    expect(() => vault.open({ orgId: 'a\u0000', baseUrl: 'https://b.okta.com' }, sealed)).toThrow(
      /does not decrypt/,
    );
  });

  it('opens a token sealed with the org-only AAD of v1 and asks for it to be re-sealed', () => {
    const k1 = key('k1');
    const vault = new TokenVault([k1]);
    const old = sealedByV1(k1, acme.orgId, token);
    expect(vault.open(acme, old).reveal()).toBe(token.reveal());
    expect(vault.needsRotation(old)).toBe(true);
    const resealed = vault.seal(acme, vault.open(acme, old));
    expect(resealed.v).toBe(2);
    expect(vault.needsRotation(resealed)).toBe(false);
  });

  it('refuses a key id named twice (it would seal with one key and open with the other)', () => {
    expect(() => new TokenVault([key('k1'), key('k2'), key('k1')])).toThrow(
      'TOKEN_ENCRYPTION_KEYS names key id "k1" twice',
    );
  });
});
