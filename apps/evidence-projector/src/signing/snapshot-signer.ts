import { Logger } from '@nestjs/common';
import { generatedSigningKey, Jwks, jwksOf, signDetached, SigningKey } from './signing-keys';

/**
 * The projector's snapshot signing keys (SNAPSHOT_SIGNING_KEYS; README,
 * Configuration): the first signs, every one is in the JWKS, so after a
 * rotation (a new key put first) the old signatures still verify. With no
 * key configured (dev, tests) one is generated at start, and a log line says
 * so: its signatures verify only against this process's JWKS. Private keys
 * never leave this class (docs/threat-model.md: no secret in logs or answers).
 */
export class SnapshotSigner {
  private readonly keys: readonly SigningKey[];
  private readonly current: SigningKey;
  private readonly published: Jwks;

  /** `configured`: SNAPSHOT_SIGNING_KEYS as the config parsed it (projector.module.ts). */
  constructor(configured: readonly SigningKey[]) {
    const keys = configured.length ? configured : [generatedSigningKey()];
    this.keys = keys;
    this.current = keys[0]!;
    this.published = jwksOf(keys);
    if (!configured.length)
      new Logger(SnapshotSigner.name).warn(
        `SNAPSHOT_SIGNING_KEYS is not set: snapshots are signed with a key generated at start ` +
          `(kid ${this.current.kid}); its signatures verify only against this process's JWKS`,
      );
  }

  /** The kid of the key that signs now. */
  get kid(): string {
    return this.current.kid;
  }

  /** A detached JWS of `payload` with the current key. */
  sign(payload: string): string {
    return signDetached(payload, this.current);
  }

  /** Every key's public half (the JWKS route). */
  jwks(): Jwks {
    return this.published;
  }
}
