import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Provider } from '@nestjs/common';
import { COLLECTOR_CONFIG, CollectorConfig } from '../config/collector.config';
import { Secret } from '../okta-client/secret';

/**
 * How a token rests in the database: AES-256-GCM, with the id of the key that
 * sealed it and the version of its additional authenticated data. Version 2
 * binds the org and the Okta origin the token may be sent to; a token without
 * `v` was sealed by an older release with the org alone, opens still, and is
 * re-sealed by the rotation sweep.
 */
export interface SealedToken {
  keyId: string;
  iv: string;
  ciphertext: string;
  tag: string;
  v?: typeof AAD_VERSION;
}

/** Where a token belongs: its org and the origin (https://host) it is sent to. */
export interface TokenBinding {
  orgId: string;
  baseUrl: string;
}

export const AAD_VERSION = 2;

/** The additional authenticated data of one sealed token. */
function aadOf(binding: TokenBinding, version: number | undefined): Buffer {
  if (version === undefined) return Buffer.from(binding.orgId, 'utf8'); // v1: org only
  // length-prefixed fields: no org/origin pair can be spelled as another
  const fields = [
    `regentra-okta-token/v${version}`,
    binding.orgId,
    new URL(binding.baseUrl).origin,
  ];
  return Buffer.concat(
    fields.flatMap((field) => {
      const bytes = Buffer.from(field, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return [length, bytes];
    }),
  );
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
 * the rest, after which the old key can be removed). The org and the Okta
 * origin are bound as additional authenticated data, so a ciphertext copied to
 * another org, or left beside a base URL someone changed in the database, does
 * not open: the token is never sent to a host it was not saved for.
 */
export class TokenVault {
  private readonly keys: Map<string, Buffer>;
  private readonly current: { id: string; key: Buffer };

  constructor(keys: Array<{ id: string; key: Buffer }>) {
    const first = keys[0];
    if (!first) throw new TokenVaultError('TOKEN_ENCRYPTION_KEYS holds no key');
    this.current = first;
    this.keys = new Map();
    for (const { id, key } of keys) {
      // sealing would use the first, opening the last: every new token unreadable
      if (this.keys.has(id))
        throw new TokenVaultError(`TOKEN_ENCRYPTION_KEYS names key id "${id}" twice`);
      this.keys.set(id, key);
    }
  }

  seal(binding: TokenBinding, token: Secret): SealedToken {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(aadOf(binding, AAD_VERSION));
    const ciphertext = Buffer.concat([cipher.update(token.reveal(), 'utf8'), cipher.final()]);
    return {
      keyId: this.current.id,
      iv: iv.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      v: AAD_VERSION,
    };
  }

  open(binding: TokenBinding, sealed: SealedToken): Secret {
    const { orgId } = binding;
    const key = this.keys.get(sealed.keyId);
    if (!key) {
      throw new TokenVaultError(
        `token was sealed with key "${sealed.keyId}", which is not configured`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(aadOf(binding, sealed.v));
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

  /** True when the token should be re-sealed: an older key, or the org-only AAD of v1. */
  needsRotation(sealed: SealedToken): boolean {
    return sealed.keyId !== this.current.id || sealed.v !== AAD_VERSION;
  }
}

/** The vault as a Nest provider: sealed and opened only inside the connections slice. */
export const tokenVaultProvider: Provider = {
  provide: TokenVault,
  useFactory: (config: CollectorConfig) => new TokenVault(config.TOKEN_ENCRYPTION_KEYS),
  inject: [COLLECTOR_CONFIG],
};
