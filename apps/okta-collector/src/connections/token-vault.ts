import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Provider } from '@nestjs/common';
import { COLLECTOR_CONFIG, CollectorConfig } from '../config/collector.config';
import { Secret } from '../okta-client/secret';

/** How a token rests in the database: AES-256-GCM, with the id of the key that sealed it. */
export interface SealedToken {
  keyId: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

export class TokenVaultError extends Error {}

/** The stored token opens with no configured key: no sync can run until that is fixed. */
export class TokenUndecryptableError extends Error {
  constructor(orgId: string, cause: TokenVaultError) {
    super(
      `the stored Okta token of org ${orgId} cannot be decrypted with any key of TOKEN_ENCRYPTION_KEYS (${cause.message}): restore the key it was sealed with, or save the connection again`,
    );
  }
}

/**
 * Encrypts Okta API tokens at rest. The first configured key seals; every
 * configured key opens (rotation: put the new key first; KeyRotation re-seals
 * the rest, after which the old key can be removed). The orgId is bound as additional
 * authenticated data, so a ciphertext copied to another org does not open.
 */
export class TokenVault {
  private readonly keys: Map<string, Buffer>;
  private readonly current: { id: string; key: Buffer };

  constructor(keys: Array<{ id: string; key: Buffer }>) {
    const first = keys[0];
    if (!first) throw new TokenVaultError('TOKEN_ENCRYPTION_KEYS holds no key');
    this.current = first;
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
  }

  seal(orgId: string, token: Secret): SealedToken {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(orgId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(token.reveal(), 'utf8'), cipher.final()]);
    return {
      keyId: this.current.id,
      iv: iv.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    };
  }

  open(orgId: string, sealed: SealedToken): Secret {
    const key = this.keys.get(sealed.keyId);
    if (!key) {
      throw new TokenVaultError(
        `token was sealed with key "${sealed.keyId}", which is not configured`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(Buffer.from(orgId, 'utf8'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      const plain = Buffer.concat([
        decipher.update(Buffer.from(sealed.ciphertext, 'base64')),
        decipher.final(),
      ]);
      return new Secret(plain.toString('utf8'));
    } catch {
      throw new TokenVaultError(
        `stored token of org ${orgId} does not decrypt (wrong key or tampered)`,
      );
    }
  }

  /** The key new tokens are sealed with. */
  get currentKeyId(): string {
    return this.current.id;
  }

  /** True when the token should be re-sealed under the current key. */
  needsRotation(sealed: SealedToken): boolean {
    return sealed.keyId !== this.current.id;
  }
}

/** The vault as a Nest provider: sealed and opened only inside the connections slice. */
export const tokenVaultProvider: Provider = {
  provide: TokenVault,
  useFactory: (config: CollectorConfig) => new TokenVault(config.TOKEN_ENCRYPTION_KEYS),
  inject: [COLLECTOR_CONFIG],
};
