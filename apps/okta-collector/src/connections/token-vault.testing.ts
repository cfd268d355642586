import { createCipheriv, randomBytes } from 'node:crypto';
import { Secret } from '../okta-client/secret';
import { SealedToken } from './token-vault';

/**
 * A token as releases before AAD v2 sealed it: the org id alone as
 * additional authenticated data, no `v` field. Tests only.
 */
export function sealedByV1(
  k: { id: string; key: Buffer },
  orgId: string,
  token: Secret,
): SealedToken {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', k.key, iv);
  cipher.setAAD(Buffer.from(orgId, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(token.reveal(), 'utf8'), cipher.final()]);
  return {
    keyId: k.id,
    iv: iv.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}
