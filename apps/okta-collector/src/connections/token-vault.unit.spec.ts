import { randomBytes } from 'node:crypto';
import { Secret } from '../okta-client/secret';
import { TokenVault } from './token-vault';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('TokenVault', () => {
  const token = new Secret('00abcdefghijklmnopqrstuvwxyz0123456789ABCD');

  it('seals without the plaintext and opens it again', () => {
    const vault = new TokenVault([key('k1')]);
    const sealed = vault.seal('org-1', token);
    expect(JSON.stringify(sealed)).not.toContain(token.reveal());
    expect(sealed.keyId).toBe('k1');
    expect(vault.open('org-1', sealed).reveal()).toBe(token.reveal());
  });

  it('uses a fresh IV each time', () => {
    const vault = new TokenVault([key('k1')]);
    expect(vault.seal('o', token).ciphertext).not.toBe(vault.seal('o', token).ciphertext);
  });

  it('opens old ciphertexts after rotation, seals new ones with the first key', () => {
    const k1 = key('k1');
    const k2 = key('k2');
    const sealedOld = new TokenVault([k1]).seal('org-1', token);
    const rotated = new TokenVault([k2, k1]);
    expect(rotated.open('org-1', sealedOld).reveal()).toBe(token.reveal());
    expect(rotated.needsRotation(sealedOld)).toBe(true);
    expect(rotated.seal('org-1', token).keyId).toBe('k2');
  });

  it('refuses a ciphertext of another org, a tampered one, or an unknown key', () => {
    const vault = new TokenVault([key('k1')]);
    const sealed = vault.seal('org-1', token);
    expect(() => vault.open('org-2', sealed)).toThrow(/does not decrypt/);
    const flipped = Buffer.from(sealed.ciphertext, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() =>
      vault.open('org-1', { ...sealed, ciphertext: flipped.toString('base64') }),
    ).toThrow(/does not decrypt/);
    expect(() => new TokenVault([key('other')]).open('org-1', sealed)).toThrow(
      /key "k1", which is not configured/,
    );
  });
});
